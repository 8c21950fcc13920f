// Times `sotp evaluate` against the equivalent R analysis (glm + MatchIt + survfit + survdiff + coxph) on
// synthetic mews2017-shaped cohorts of 15,781 and 1,000,000 men, and checks that the key figures agree.
// Run: npx tsx bench/evaluate.ts [--seed N] [--r-timeout SECONDS]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateFile, type EvaluateFileRequest } from '../src/cli/commands/evaluation.js';
import { DEFAULT_OPTIONS, type Evaluation } from '../src/domain/evaluation/evaluate.js';
import { SYNTH_COVARIATES, synthCohort, synthCsv } from '../src/domain/evaluation/synth.js';
import { projectPath } from '../src/paths.js';
import { markdownTable, reportResults } from './results.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const seed = arg('seed', 2017);
const rTimeout = arg('r-timeout', 300);
const sizes = [15_781, 1_000_000];
const dir = join(tmpdir(), 'sotp-bench-evaluate');
mkdirSync(dir, { recursive: true });

interface RGolden {
  glm: { coefficients: number[] };
  counts: { matchedTreated: number; matchedComparison: number };
  coxph: { hr: number; p: number };
  survdiff: { chisq: number };
  matchit: { version: string; defectsReproduced: string[]; sameAsReference: boolean };
}

const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function runR(csv: string, out: string, reference: boolean): { seconds: number; result: RGolden | null; note: string } {
  const start = performance.now();
  const r = spawnSync(
    'Rscript',
    [
      projectPath('scripts', 'r', 'evaluate.R'),
      `--cohort=${csv}`,
      `--covariates=${SYNTH_COVARIATES.join(',')}`,
      '--outcome=sexual',
      `--window=${DEFAULT_OPTIONS.windowDays}`,
      `--caliper=${DEFAULT_OPTIONS.caliper}`,
      `--ratio=${DEFAULT_OPTIONS.ratio}`,
      // The timed run is what an analyst would write: MatchIt fits its own glm and its matched set is used.
      `--distance=${reference ? 'lp' : 'glm'}`,
      `--reference=${reference ? 'TRUE' : 'FALSE'}`,
      `--out=${out}`,
    ],
    { encoding: 'utf8', timeout: rTimeout * 1000, killSignal: 'SIGKILL' },
  );
  const seconds = (performance.now() - start) / 1000;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return { seconds: NaN, result: null, note: 'Rscript not installed' };
  if (r.status === null) return { seconds, result: null, note: `more than ${rTimeout} s (stopped)` };
  if (r.status !== 0) return { seconds, result: null, note: `R failed: ${r.stderr.trim().split('\n').pop()}` };
  return { seconds, result: JSON.parse(readFileSync(out, 'utf8')) as RGolden, note: '' };
}

function cliCommand(): { command: string; args: string[]; label: string } {
  if (existsSync(projectPath('dist', 'cli', 'commands', 'evaluation.js'))) {
    return { command: process.execPath, args: [projectPath('bin', 'sotp.js')], label: 'node bin/sotp.js (dist)' };
  }
  const main = projectPath('src', 'cli', 'main.ts');
  const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(['node', 'sotp', ...process.argv.slice(1)]);`;
  return { command: process.execPath, args: ['--import', 'tsx', '--input-type=module', '-e', script, '--'], label: 'node --import tsx src/cli/main.ts' };
}

function compare(ours: Evaluation, r: RGolden): string {
  const coef = Object.values(ours.propensity.coefficients);
  const glm = Math.max(...r.glm.coefficients.map((b, k) => relDiff(coef[k], b)));
  const sameSet = ours.counts.matchedTreated === r.counts.matchedTreated && ours.counts.matchedComparison === r.counts.matchedComparison;
  const hr = relDiff(ours.survival.cox.hazardRatio, r.coxph.hr);
  const chisq = relDiff(ours.survival.logRank.chisq, r.survdiff.chisq);
  return `glm coefficients max rel. diff ${glm.toExponential(1)}; matched ${sameSet ? 'counts equal' : `${ours.counts.matchedTreated}/${ours.counts.matchedComparison} vs R ${r.counts.matchedTreated}/${r.counts.matchedComparison}`}; Cox HR rel. diff ${hr.toExponential(1)}; log-rank χ² rel. diff ${chisq.toExponential(1)}`;
}

const rows: Array<Array<string | number>> = [];
const notes: string[] = [];
const cli = cliCommand();
for (const size of sizes) {
  const csv = join(dir, `mews2017-${size}-seed${seed}.csv`);
  if (!existsSync(csv)) writeFileSync(csv, synthCsv(synthCohort({ preset: 'mews2017', seed, rows: size })));
  const request: EvaluateFileRequest = { ...DEFAULT_OPTIONS, cohortFile: csv, covariates: [...SYNTH_COVARIATES], outcome: 'sexual' };

  // In-process: the function the CLI calls (best of three at the small size, after a warm-up).
  const runs = size < 100_000 ? 3 : 1;
  if (runs > 1) await evaluateFile(request);
  let inProcess = Infinity;
  let ours: Evaluation | undefined;
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    ours = await evaluateFile(request);
    inProcess = Math.min(inProcess, (performance.now() - t) / 1000);
  }

  const t = performance.now();
  const child = spawnSync(
    cli.command,
    [...cli.args, 'evaluate', '--cohort', csv, '--covariates', SYNTH_COVARIATES.join(','), '--outcome', 'sexual', '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  );
  const cliSeconds = (performance.now() - t) / 1000;
  if (child.status !== 0) throw new Error(`sotp evaluate failed: ${child.stderr}`);

  const r = runR(csv, join(dir, `r-${size}.json`), false);
  const vsR = r.result ? compare(ours!, r.result) : r.note;
  if (r.result && !r.result.matchit.sameAsReference) {
    notes.push(
      `${size.toLocaleString('en-GB')} rows: MatchIt ${r.result.matchit.version}'s matched set differs from the intended algorithm (defects reproduced: ${r.result.matchit.defectsReproduced.join(', ') || 'none'}; see scripts/r/nearest.R), so figures after matching are not expected to agree with this R run.`,
    );
  }
  let identical = '';
  if (size < 100_000) {
    // Same analysis in R with the engine's matching algorithm (scripts/r/nearest.R): figures should agree to rounding.
    const ref = runR(csv, join(dir, `r-ref-${size}.json`), true);
    identical = ref.result ? compare(ours!, ref.result) : ref.note;
  }
  const rSeconds = r.result ? r.seconds : NaN;
  rows.push([
    size.toLocaleString('en-GB'),
    `${inProcess.toFixed(3)} s`,
    `${cliSeconds.toFixed(2)} s`,
    r.result ? `${rSeconds.toFixed(2)} s` : r.note,
    r.result ? `${(rSeconds / inProcess).toFixed(1)}×` : r.note.startsWith('more than') ? `more than ${(rTimeout / inProcess).toFixed(0)}×` : '–',
    r.result ? `${(rSeconds / cliSeconds).toFixed(1)}×` : r.note.startsWith('more than') ? `more than ${(rTimeout / cliSeconds).toFixed(0)}×` : '–',
    vsR,
    identical || '–',
  ]);
}

reportResults(
  'sotp evaluate vs R (bench/evaluate.ts)',
  [
    `mews2017-shaped synthetic cohorts (seed ${seed}), covariates ${SYNTH_COVARIATES.join(', ')}, outcome sexual, caliper 0.2, 1:1 without replacement. Wall times: in-process is evaluateFile() (read, validate, analyse); CLI is ${cli.label} as a child process (includes start-up); R is Rscript scripts/r/evaluate.R (read.csv, glm, matchit(distance = "glm"), survfit, survdiff, coxph, including start-up), stopped after ${rTimeout} s.`,
    '',
    markdownTable(
      ['Rows', 'sotp in-process', 'sotp CLI', 'R', 'R ÷ in-process', 'R ÷ CLI', 'vs R (MatchIt as installed)', 'vs R with the same matching algorithm'],
      rows,
    ),
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
  ].join('\n'),
);
