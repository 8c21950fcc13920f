// `sotp evaluate` (the matched outcome evaluation of a cohort file) and `sotp cohort synth` (synthetic
// cohorts shaped like the published studies). The statistics live in src/domain/evaluation.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { CohortError, parseCohort, parseIsoDay, type Cohort } from '../../domain/evaluation/cohort.js';
import { DEFAULT_DESIGN, monitorCohort, SPENDING_FUNCTIONS, type MonitorDesign, type MonitorResult } from '../../domain/evaluation/monitor.js';
import {
  CohortNotAnalysable,
  DEFAULT_OPTIONS,
  evaluateCohort,
  type Analysis,
  type EvaluateOptions,
  type Evaluation,
} from '../../domain/evaluation/evaluate.js';
import { PRESET_NAMES, synthCohort, synthCsv, type PresetName } from '../../domain/evaluation/synth.js';
import { BadInput, CommandFailed } from '../errors.js';
import { printJson } from '../io.js';

export interface EvaluateFileRequest extends EvaluateOptions {
  cohortFile: string;
  covariates: string[];
  outcome: string;
}

const STAGES = ['read', 'propensity', 'matching', 'balance', 'window', 'survival'];

/** Reads and validates a cohort file, naming the flag at fault when it is refused. */
async function readCohortFile(request: Pick<EvaluateFileRequest, 'cohortFile' | 'covariates' | 'outcome'>): Promise<{ cohort: Cohort; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(request.cohortFile);
  } catch {
    throw new BadInput(`--cohort: cannot read file ${request.cohortFile}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  try {
    return { cohort: parseCohort(bytes, { covariates: request.covariates, outcome: request.outcome }), sha256 };
  } catch (error) {
    if (!(error instanceof CohortError)) throw error;
    throw cohortBadInput(error, request);
  }
}

/** Reads, validates and evaluates a cohort file: what `sotp evaluate` runs, and what the benchmark times. */
export async function evaluateFile(request: EvaluateFileRequest, onStage?: (stage: string) => void): Promise<Evaluation> {
  const { cohort, sha256 } = await readCohortFile(request);
  onStage?.('read');
  try {
    return evaluateCohort(cohort, { rows: cohort.rows, sha256 }, request, onStage);
  } catch (error) {
    if (error instanceof CohortNotAnalysable) throw new BadInput(`${error.field === 'covariates' ? '--covariates' : '--cohort'}: ${error.message}`);
    throw new CommandFailed(`evaluation failed: ${(error as Error).message}`);
  }
}

function cohortBadInput(error: CohortError, request: Pick<EvaluateFileRequest, 'covariates' | 'outcome'>): BadInput {
  const header = error.problems.filter((p) => p.line === 1);
  const covariate = header.find((p) => request.covariates.includes(p.field));
  if (covariate) return new BadInput(`--covariates: the cohort file has no column "${covariate.field}"`);
  const outcome = header.find((p) => p.field === `${request.outcome}_reoffence_date`);
  if (outcome) return new BadInput(`--outcome: unknown outcome "${request.outcome}" (the cohort file has no column ${outcome.field})`);
  // Every bad row goes to stderr with its line number; the message names the file as the field at fault.
  for (const p of error.problems) process.stderr.write(`line ${p.line}: ${p.field}: ${p.reason}\n`);
  return new BadInput(`--cohort: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the cohort file; it is refused whole`);
}

function wholeNumber(value: string, field: string, min: number, example: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new BadInput(`${field}: must be a whole number, like ${example}; got "${value}"`);
  if (n < min) throw new BadInput(`${field}: must be ${min} or more, got ${n}`);
  return n;
}

function positiveNumber(value: string, field: string, example: string): number {
  const n = Number(value);
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(value.trim()) || !Number.isFinite(n)) throw new BadInput(`${field}: must be a number, like ${example}; got "${value}"`);
  if (n <= 0) throw new BadInput(`${field}: must be more than 0, got ${n}`);
  return n;
}

const fmt = (x: number | null, digits = 3) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');
const ci = (c: [number, number], digits = 3) => `${fmt(c[0], digits)} to ${fmt(c[1], digits)}`;
const pValue = (p: number) => (p < 0.0001 ? p.toExponential(2) : p.toFixed(4));

function analysisText(a: Analysis): string[] {
  const w = a.window;
  const lines = [
    `Men: ${a.counts.treated} treated, ${a.counts.comparison} comparison; matched ${a.counts.matchedTreated} treated, ${a.counts.matchedComparison} comparison.`,
    `Propensity model: ${a.propensity.converged ? 'converged' : 'NOT converged'} in ${a.propensity.iterations} iterations.`,
    'Balance (standardised mean difference, |SMD| > 0.1 flagged):',
    ...a.balance.map(
      (b) =>
        `  ${b.covariate.padEnd(20)} before ${fmt(b.smdBefore).padStart(7)}  after ${fmt(b.smdAfter).padStart(7)}${Math.abs(b.smdAfter) > a.detail.smdThreshold ? '  ← imbalanced' : ''}`,
    ),
    `Reconviction within ${w.days} days (men with the whole window):`,
    `  treated     ${w.treated.events}/${w.treated.n} = ${pct(w.treated.rate)} (95% CI ${pct(w.treated.ci95[0])} to ${pct(w.treated.ci95[1])})`,
    `  comparison  ${w.comparison.events}/${w.comparison.n} = ${pct(w.comparison.rate)} (95% CI ${pct(w.comparison.ci95[0])} to ${pct(w.comparison.ci95[1])})`,
    `  risk difference ${fmt(w.riskDifference.estimate, 4)} (95% CI ${ci(w.riskDifference.ci95, 4)})`,
    `  relative risk ${fmt(w.relativeRisk.estimate)} (95% CI ${ci(w.relativeRisk.ci95)}); odds ratio ${fmt(w.oddsRatio.estimate)} (95% CI ${ci(w.oddsRatio.ci95)})`,
    `Time to reoffence: log-rank chi-square ${fmt(a.survival.logRank.chisq)} on 1 df, p = ${pValue(a.survival.logRank.p)}`,
    `  Cox hazard ratio (treated vs comparison) ${fmt(a.survival.cox.hazardRatio)} (95% CI ${ci(a.survival.cox.ci95)}), p = ${pValue(a.survival.cox.p)}`,
  ];
  for (const note of a.detail.notes) lines.push(`Note: ${note}`);
  return lines;
}

export function evaluationText(result: Evaluation, request: EvaluateFileRequest): string {
  const lines = [
    `Outcome evaluation: ${request.outcome} reoffending`,
    `Cohort ${request.cohortFile}: ${result.input.rows} rows, sha256 ${result.input.sha256}`,
    ...analysisText(result),
  ];
  for (const [band, a] of Object.entries(result.byRiskBand ?? {})) {
    lines.push('', `Risk band: ${band}`);
    if ('error' in a) lines.push(`  not analysed: ${a.error}`);
    else lines.push(...analysisText(a).map((l) => `  ${l}`));
  }
  return `${lines.join('\n')}\n`;
}

interface EvaluateCliOptions {
  cohort?: string;
  covariates?: string;
  outcome?: string;
  windowDays: string;
  caliper: string;
  ratio: string;
  replace?: boolean;
  match: boolean;
  byRiskBand?: boolean;
  json?: boolean;
  out?: string;
}

function cohortRequest(o: { cohort?: string; covariates?: string; outcome?: string }): Pick<EvaluateFileRequest, 'cohortFile' | 'covariates' | 'outcome'> {
  if (!o.cohort) throw new BadInput('--cohort: required (the cohort CSV file)');
  const covariates = (o.covariates ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (covariates.length === 0) throw new BadInput('--covariates: required (comma-separated covariate columns)');
  if (new Set(covariates).size !== covariates.length) throw new BadInput('--covariates: a column is listed twice');
  if (!o.outcome || !/^[A-Za-z0-9_]+$/.test(o.outcome)) throw new BadInput('--outcome: required (e.g. sexual, for the column sexual_reoffence_date)');
  return { cohortFile: o.cohort, covariates, outcome: o.outcome };
}

function evaluateRequest(o: EvaluateCliOptions): EvaluateFileRequest {
  return {
    ...cohortRequest(o),
    windowDays: wholeNumber(o.windowDays, '--window-days', 1, '730'),
    caliper: positiveNumber(o.caliper, '--caliper', '0.2'),
    ratio: wholeNumber(o.ratio, '--ratio', 1, '1'),
    replace: Boolean(o.replace),
    match: o.match,
    byRiskBand: Boolean(o.byRiskBand),
  };
}

async function runEvaluate(o: EvaluateCliOptions): Promise<void> {
  const request = evaluateRequest(o);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'evaluate [{bar}] {stage}', clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(STAGES.length, 0, { stage: 'reading' });
  let done = 0;
  let result: Evaluation;
  try {
    result = await evaluateFile(request, (stage) => bar?.update(Math.min(++done, STAGES.length), { stage }));
  } finally {
    bar?.stop();
  }
  if (o.out) {
    // The report page's templates (Nunjucks, GOV.UK Frontend) are loaded only when a file is asked for.
    const { reportFile } = await import('../../web/routes/evaluations/report.js');
    const html = reportFile(result, { outcome: request.outcome, cohortFile: request.cohortFile });
    try {
      await writeFile(o.out, html);
    } catch (error) {
      throw new CommandFailed(`--out: cannot write ${o.out} (${(error as Error).message})`);
    }
  }
  if (o.json) printJson(result);
  else process.stdout.write(evaluationText(result, request));
}

async function runSynth(o: { preset?: string; seed?: string; rows?: string; out?: string }): Promise<void> {
  if (!o.preset || !(PRESET_NAMES as readonly string[]).includes(o.preset)) {
    throw new BadInput(`--preset: must be one of ${PRESET_NAMES.join(', ')}`);
  }
  if (o.seed === undefined) throw new BadInput('--seed: required (a whole number), so that the cohort can be regenerated');
  const seed = wholeNumber(o.seed, '--seed', 0, '42');
  const rows = o.rows === undefined ? undefined : wholeNumber(o.rows, '--rows', 10, '5000');
  if (!o.out) throw new BadInput('--out: required (the CSV file to write)');
  const cohort = synthCohort({ preset: o.preset as PresetName, seed, rows });
  try {
    await writeFile(o.out, synthCsv(cohort));
    await writeFile(`${o.out}.json`, `${JSON.stringify(cohort.truth, null, 2)}\n`);
  } catch (error) {
    throw new CommandFailed(`--out: cannot write ${o.out} (${(error as Error).message})`);
  }
  process.stderr.write(`wrote ${cohort.truth.rows} rows to ${o.out} and the true effects to ${o.out}.json\n`);
}

interface MonitorCliOptions {
  cohort?: string;
  covariates?: string;
  outcome?: string;
  firstLook?: string;
  everyMonths: string;
  horizonYears: string;
  spending: string;
  sides: string;
  harmAlpha: string;
  benefitAlpha?: string;
  json?: boolean;
}

function alphaFlag(value: string, field: string): number {
  const n = Number(value);
  if (!/^(0?\.\d+)$/.test(value.trim()) || !(n > 0 && n < 0.5))
    throw new BadInput(`${field}: must be a number more than 0 and less than 0.5, like 0.05; got "${value}"`);
  return n;
}

function monitorDesign(o: MonitorCliOptions): MonitorDesign {
  if (!o.firstLook) throw new BadInput('--first-look: required (the date of the first look, YYYY-MM-DD)');
  if (Number.isNaN(parseIsoDay(o.firstLook))) throw new BadInput(`--first-look: must be a real date as YYYY-MM-DD; got "${o.firstLook}"`);
  const everyMonths = wholeNumber(o.everyMonths, '--every-months', 1, '12');
  const horizonYears = wholeNumber(o.horizonYears, '--horizon-years', 1, '10');
  if (everyMonths > horizonYears * 12) throw new BadInput(`--every-months: must be at most the horizon (${horizonYears * 12} months)`);
  const spending = o.spending.replace('-', '_');
  if (!(SPENDING_FUNCTIONS as readonly string[]).includes(spending)) throw new BadInput(`--spending: must be pocock or obrien-fleming; got "${o.spending}"`);
  if (o.sides !== 'one' && o.sides !== 'two') throw new BadInput(`--sides: must be one or two; got "${o.sides}"`);
  if (o.sides === 'one' && o.benefitAlpha !== undefined)
    throw new BadInput('--benefit-alpha: only a two-sided design has a benefit boundary (add --sides two)');
  return {
    firstLook: o.firstLook,
    everyMonths,
    horizonYears,
    spending: spending as MonitorDesign['spending'],
    sides: o.sides,
    harmAlpha: alphaFlag(o.harmAlpha, '--harm-alpha'),
    benefitAlpha: o.sides === 'two' ? alphaFlag(o.benefitAlpha ?? o.harmAlpha, '--benefit-alpha') : null,
  };
}

/** A boundary not yet reachable (no information) is infinite, which JSON cannot say: it is printed as null. */
const finite = (x: number | null) => (x !== null && Number.isFinite(x) ? x : null);

export function monitorJson(design: MonitorDesign, result: MonitorResult) {
  return {
    design,
    looks: result.looks.map((l) => ({
      date: l.date,
      treated: l.treated,
      comparison: l.comparison,
      treatedEvents: l.treatedEvents,
      comparisonEvents: l.comparisonEvents,
      statistic: l.statistic,
      boundary: { harm: finite(l.boundary.harm), benefit: finite(l.boundary.benefit) },
      decision: l.decision,
    })),
    flag: result.flag,
  };
}

async function runMonitor(o: MonitorCliOptions): Promise<void> {
  const request = cohortRequest(o);
  const design = monitorDesign(o);
  const { cohort } = await readCohortFile(request);
  // The data cover follow-up up to the latest end of follow-up in the file: later looks have not come yet.
  let until = -Infinity;
  for (let i = 0; i < cohort.rows; i++) until = Math.max(until, cohort.releaseDay[i] + cohort.followup[i]);
  let result: MonitorResult;
  try {
    result = monitorCohort(cohort, design, { until: new Date(until * 86_400_000).toISOString().slice(0, 10) });
  } catch (error) {
    if (error instanceof CohortNotAnalysable) throw new BadInput(`--covariates: ${error.message}`);
    throw error;
  }
  const out = monitorJson(design, result);
  if (o.json) return printJson(out);
  const lines = [
    `Harm monitor: ${request.outcome} reoffending, ${design.spending === 'pocock' ? 'Pocock' : "O'Brien-Fleming"}-type ${design.sides}-sided, harm alpha ${design.harmAlpha}${design.benefitAlpha ? `, benefit alpha ${design.benefitAlpha}` : ''}`,
    'date        treated (events)  comparison (events)        Z   harm  benefit  decision',
    ...out.looks.map(
      (l) =>
        `${l.date}  ${`${l.treated} (${l.treatedEvents})`.padEnd(16)}  ${`${l.comparison} (${l.comparisonEvents})`.padEnd(19)}  ${fmt(l.statistic, 2).padStart(7)}  ${fmt(l.boundary.harm, 2).padStart(5)}  ${fmt(l.boundary.benefit, 2).padStart(7)}  ${l.decision}`,
    ),
    out.flag ? `Flag: ${out.flag.decision} at the look of ${out.flag.date}` : 'No boundary crossed.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerEvaluationCommands(program: Command): void {
  program
    .command('monitor')
    .description('Run the harm monitor over a cohort CSV file: each look uses only men released, and events known, by its date.')
    .option('--cohort <file>', 'cohort CSV (as for evaluate)')
    .option('--covariates <list>', 'comma-separated covariate columns for the propensity strata')
    .option('--outcome <name>', 'outcome, e.g. sexual for the column sexual_reoffence_date')
    .option('--first-look <date>', 'date of the first look (YYYY-MM-DD)')
    .option('--every-months <n>', 'months between looks', String(DEFAULT_DESIGN.everyMonths))
    .option('--horizon-years <n>', 'years the looks continue from the first', String(DEFAULT_DESIGN.horizonYears))
    .option('--spending <type>', 'Lan–DeMets spending function: pocock | obrien-fleming', DEFAULT_DESIGN.spending)
    .option('--sides <n>', 'one (harm only) | two (harm and benefit)', DEFAULT_DESIGN.sides)
    .option('--harm-alpha <p>', 'one-sided error rate for declaring harm', String(DEFAULT_DESIGN.harmAlpha))
    .option('--benefit-alpha <p>', 'one-sided error rate for declaring benefit (two-sided designs; defaults to the harm alpha)')
    .option('--json', 'print the design, every look and the flag as JSON')
    .action(runMonitor);
  program
    .command('evaluate')
    .description('Evaluate reoffending outcomes of treated vs matched comparison men from a cohort CSV file.')
    .option('--cohort <file>', 'cohort CSV (person_ref, treated, release_date, end_of_followup, covariates, <outcome>_reoffence_date)')
    .option('--covariates <list>', 'comma-separated covariate columns for the propensity score')
    .option('--outcome <name>', 'outcome, e.g. sexual for the column sexual_reoffence_date')
    .option('--window-days <days>', 'fixed follow-up window for reconviction rates', String(DEFAULT_OPTIONS.windowDays))
    .option('--caliper <sd>', 'caliper in standard deviations of the logit propensity score', String(DEFAULT_OPTIONS.caliper))
    .option('--ratio <k>', 'comparison men per treated man (1:k)', String(DEFAULT_OPTIONS.ratio))
    .option('--replace', 'match with replacement')
    .option('--no-match', 'analyse the whole cohort without matching (balance is still reported)')
    .option('--by-risk-band', 'repeat the whole analysis within each risk band')
    .option('--json', 'print the result as JSON')
    .option('--out <file>', 'also write a self-contained HTML report')
    .action(runEvaluate);
  program
    .command('cohort')
    .description('Cohort files for the outcome evaluation.')
    .command('synth')
    .description('Write a synthetic cohort shaped like a published study, with its true effects in FILE.json.')
    .option('--preset <name>', PRESET_NAMES.join(' | '))
    .option('--seed <n>', 'random seed (the same seed gives the same file)')
    .option('--rows <n>', "number of rows (keeps the preset's treated fraction)")
    .option('--out <file>', 'CSV file to write')
    .action(runSynth);
}
