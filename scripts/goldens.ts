// Regenerates the R reference goldens: writes small synthetic cohorts (a published-study preset and
// adversarial ones: tied scores, a caliper that drops treated men, 1:2 matching, matching with replacement, short
// follow-up) to test/fixtures/evaluation/ and runs scripts/r/evaluate.R on each.
// Usage: npx tsx scripts/goldens.ts [--seed N]   (needs Rscript with the survival and MatchIt packages)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { projectPath } from '../src/paths.js';
import { synthCohort, synthCsv, type PresetName } from '../src/domain/evaluation/synth.js';

interface Fixture {
  name: string;
  preset: PresetName;
  rows?: number;
  covariates: string[];
  outcome: string;
  window: number;
  caliper: number;
  ratio: number;
  replace: boolean;
  /** Overrides the preset's release period and end of study. */
  period?: { releaseFrom: string; releaseTo: string; endOfStudy: string };
}

const ALL = ['age_at_release', 'prior_sexual', 'prior_violent', 'rm2000_score', 'sentence_years'];
export const FIXTURES: Fixture[] = [
  { name: 'friendship2003', preset: 'friendship2003', covariates: ALL, outcome: 'sexual_violent', window: 730, caliper: 0.2, ratio: 1, replace: false },
  // Integer covariates only: many men share a propensity score, so MatchIt's tie-breaking is exercised.
  {
    name: 'ties',
    preset: 'mews2017',
    rows: 900,
    covariates: ['prior_sexual', 'prior_violent', 'rm2000_score'],
    outcome: 'sexual',
    window: 1095,
    caliper: 0.2,
    ratio: 1,
    replace: false,
  },
  {
    name: 'ties-ratio3',
    preset: 'mews2017',
    rows: 700,
    covariates: ['prior_sexual', 'rm2000_score'],
    outcome: 'violent',
    window: 730,
    caliper: 0.1,
    ratio: 3,
    replace: false,
  },
  // A narrow caliper leaves some treated men unmatched; 1:2 takes two passes.
  { name: 'caliper-ratio2', preset: 'mews2017', rows: 1500, covariates: ALL, outcome: 'sexual', window: 730, caliper: 0.02, ratio: 2, replace: false },
  {
    name: 'replace-ratio2',
    preset: 'mews2017',
    rows: 1000,
    covariates: ['age_at_release', 'prior_sexual', 'rm2000_score'],
    outcome: 'sexual',
    window: 730,
    caliper: 0.2,
    ratio: 2,
    replace: true,
  },
  // Releases up to three months before the end of study: about half the men have less than the window of
  // follow-up, some of them after reoffending, so the window table's membership rule is exercised.
  {
    name: 'short-followup',
    preset: 'mews2017',
    rows: 800,
    covariates: ['age_at_release', 'prior_sexual', 'rm2000_score'],
    outcome: 'sexual',
    window: 730,
    caliper: 0.2,
    ratio: 1,
    replace: false,
    period: { releaseFrom: '2011-01-01', releaseTo: '2014-06-30', endOfStudy: '2014-09-30' },
  },
];

function main(): number {
  const args = process.argv.slice(2);
  const at = args.indexOf('--seed');
  const seed = at >= 0 ? Number(args[at + 1]) : 20260101;
  if (!Number.isInteger(seed)) {
    process.stderr.write('goldens: --seed must be an integer\n');
    return 2;
  }
  const probe = spawnSync('Rscript', ['-e', 'library(survival); library(MatchIt)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    process.stderr.write(
      `goldens: Rscript with the survival and MatchIt packages is needed (${probe.error?.message ?? probe.stderr.trim()}).\n` +
        'On Debian: apt-get install r-base-core r-cran-survival r-cran-matchit\n',
    );
    return 1;
  }
  const dir = projectPath('test', 'fixtures', 'evaluation');
  for (const [k, f] of FIXTURES.entries()) {
    const cohort = synthCohort({ preset: f.preset, seed: seed + k, rows: f.rows, ...f.period });
    const csv = `${dir}/${f.name}.csv`;
    writeFileSync(csv, synthCsv(cohort));
    writeFileSync(`${csv}.json`, `${JSON.stringify(cohort.truth, null, 2)}\n`);
    const r = spawnSync(
      'Rscript',
      [
        projectPath('scripts', 'r', 'evaluate.R'),
        `--cohort=${csv}`,
        `--covariates=${f.covariates.join(',')}`,
        `--outcome=${f.outcome}`,
        `--window=${f.window}`,
        `--caliper=${f.caliper}`,
        `--ratio=${f.ratio}`,
        `--replace=${f.replace ? 'TRUE' : 'FALSE'}`,
        `--out=${dir}/${f.name}.golden.json`,
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) {
      process.stderr.write(`goldens: R failed on ${f.name}:\n${r.stderr}\n`);
      return 1;
    }
    process.stdout.write(`${f.name}: ${cohort.truth.rows} rows, seed ${seed + k}\n`);
  }
  return 0;
}

process.exit(main());
