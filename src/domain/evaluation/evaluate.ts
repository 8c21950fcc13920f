// The outcome evaluation end to end: propensity score, matching, balance, fixed-window reconviction and
// time-to-reoffence analyses, overall and optionally per risk band, as the JSON the CLI prints.
import { balanceTable, SMD_THRESHOLD } from './balance.js';
import { type Cohort, RISK_BANDS } from './cohort.js';
import { coxTreatment } from './cox.js';
import { fitLogistic, SingularModel, type LogisticFit } from './logistic.js';
import { matchingDistance, nearestNeighbourMatch } from './matching.js';
import { newcombeDifference, oddsRatio, proportion, relativeRisk, type Contrast, type Proportion } from './rates.js';
import { kaplanMeier, logRank, timeTable, type KmRow } from './survival.js';

export interface EvaluateOptions {
  windowDays: number;
  /** In standard deviations of the logit propensity score. */
  caliper: number;
  ratio: number;
  replace: boolean;
  /** false analyses the whole cohort (the propensity model is still fitted, to report balance). */
  match: boolean;
  byRiskBand: boolean;
}

export const DEFAULT_OPTIONS: EvaluateOptions = { windowDays: 730, caliper: 0.2, ratio: 1, replace: false, match: true, byRiskBand: false };

export interface KmPoint {
  time: number;
  atRisk: number;
  events: number;
  survival: number;
  lower: number | null;
  upper: number | null;
}

export interface Analysis {
  counts: { treated: number; comparison: number; matchedTreated: number; matchedComparison: number };
  propensity: { coefficients: Record<string, number>; iterations: number; converged: boolean };
  balance: Array<{ covariate: string; smdBefore: number; smdAfter: number }>;
  window: {
    days: number;
    treated: Proportion;
    comparison: Proportion;
    riskDifference: Contrast;
    relativeRisk: Contrast;
    oddsRatio: Contrast;
  };
  survival: {
    logRank: { chisq: number; df: 1; p: number };
    cox: { coefficient: number; se: number; hazardRatio: number; ci95: [number, number]; p: number };
    km: { treated: KmPoint[]; comparison: KmPoint[] };
  };
  /** Not part of the contract: what the report needs besides the headline figures. */
  detail: {
    matched: boolean;
    caliperDistance: number | null;
    ratio: number;
    replace: boolean;
    smdThreshold: number;
    exceedsThreshold: string[];
    logRankObservedTreated: number;
    logRankExpectedTreated: number;
    coxLikelihoodRatio: number;
    coxIterations: number;
    coxConverged: boolean;
    notes: string[];
  };
}

export interface Evaluation extends Analysis {
  input: { rows: number; sha256: string };
  byRiskBand?: Partial<Record<(typeof RISK_BANDS)[number], Analysis | { error: string }>>;
}

export type Progress = (stage: string) => void;

/**
 * A valid cohort file that cannot be analysed as asked: one arm is empty, or a covariate cannot enter the
 * propensity model. The caller's mistake (choose other covariates or another file), not a failure.
 */
export class CohortNotAnalysable extends Error {
  constructor(
    /** `treated` when an arm is empty; `covariates` when a covariate is at fault. */
    readonly field: 'treated' | 'covariates',
    message: string,
  ) {
    super(message);
    this.name = 'CohortNotAnalysable';
  }
}

function fitPropensity(cohort: Cohort): LogisticFit {
  try {
    return fitLogistic(cohort.covariates, cohort.treated);
  } catch (error) {
    if (!(error instanceof SingularModel) || error.column === 0) throw error;
    const name = cohort.covariateNames[error.column - 1];
    if (error.reason === 'constant') {
      throw new CohortNotAnalysable(
        'covariates',
        `Covariate ${name} has the same value (${cohort.covariates[error.column - 1][0]}) for every man, so it cannot be used to match: leave it out`,
      );
    }
    const before = cohort.covariateNames.slice(0, error.column - 1).join(', ');
    throw new CohortNotAnalysable(
      'covariates',
      `Covariate ${name} is a combination of ${before} for these men, so it adds nothing to the propensity model: leave it out`,
    );
  }
}

function sampleSd(x: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - mean) * (x[i] - mean);
  return Math.sqrt(ss / (x.length - 1));
}

function kmPoints(rows: KmRow[]): KmPoint[] {
  return rows.map(({ time, atRisk, events, survival, lower, upper }) => ({ time, atRisk, events, survival, lower, upper }));
}

export interface MatchedSample {
  fit: LogisticFit;
  inSample: Uint8Array;
  /** Weights for "after" balance: the sample indicator, or MatchIt's weights with replacement. */
  balanceWeights: Float64Array;
  caliperDistance: number | null;
  treated: number;
  matchedTreated: number;
  matchedComparison: number;
  notes: string[];
}

/** Propensity score and matched sample (the whole cohort with --no-match). */
export function matchedSample(cohort: Cohort, options: EvaluateOptions, progress: Progress = () => {}): MatchedSample {
  const { treated } = cohort;
  const n = cohort.rows;
  let nTreated = 0;
  for (let i = 0; i < n; i++) nTreated += treated[i];
  if (nTreated === 0)
    throw new CohortNotAnalysable('treated', `The cohort has no treated men (treated = 1) among its ${n} men: both treated and comparison men are needed`);
  if (nTreated === n)
    throw new CohortNotAnalysable('treated', `The cohort has no comparison men (treated = 0) among its ${n} men: both treated and comparison men are needed`);
  progress('propensity');
  const fit = fitPropensity(cohort);
  progress('matching');
  if (!options.match) {
    return {
      fit,
      inSample: new Uint8Array(n).fill(1),
      balanceWeights: new Float64Array(n).fill(1),
      caliperDistance: null,
      treated: nTreated,
      matchedTreated: nTreated,
      matchedComparison: n - nTreated,
      notes: ['No matching (--no-match): the whole cohort is compared, so the comparison is confounded by every imbalance shown.'],
    };
  }
  const distance = matchingDistance(fit.linearPredictor);
  const caliperDistance = options.caliper * sampleSd(distance);
  const m = nearestNeighbourMatch(distance, treated, { caliper: caliperDistance, ratio: options.ratio, replace: options.replace });
  return {
    fit,
    inSample: m.inSample,
    balanceWeights: options.replace ? m.weights : Float64Array.from(m.inSample),
    caliperDistance,
    treated: nTreated,
    matchedTreated: m.matchedTreated,
    matchedComparison: m.matchedComparison,
    notes: options.replace
      ? [
          "Matched with replacement: balance uses MatchIt's matching weights, but the outcome analyses count each distinct matched man once, unweighted (not validated as an ATT estimate).",
        ]
      : [],
  };
}

/** Runs the whole analysis on one cohort (or one risk band of it). */
export function analyse(cohort: Cohort, options: EvaluateOptions, progress: Progress = () => {}): Analysis {
  const { treated } = cohort;
  const n = cohort.rows;
  const sample = matchedSample(cohort, options, progress);
  const { fit, inSample, balanceWeights, caliperDistance, matchedTreated, matchedComparison } = sample;
  const nTreated = sample.treated;
  const notes = [...sample.notes];
  const coefficients: Record<string, number> = { '(Intercept)': fit.coefficients[0] };
  cohort.covariateNames.forEach((name, k) => (coefficients[name] = fit.coefficients[k + 1]));

  progress('balance');
  const balance = balanceTable(cohort.covariateNames, cohort.covariates, treated, balanceWeights);

  progress('window');
  const w = options.windowDays;
  let n1 = 0;
  let x1 = 0;
  let n0 = 0;
  let x0 = 0;
  for (let i = 0; i < n; i++) {
    if (!inSample[i]) continue;
    // Only men with the whole window of follow-up: counting a man who left observation early only when he
    // reoffended within it would inflate both rates.
    if (cohort.followup[i] < w) continue;
    const eventInWindow = cohort.event[i] === 1 && cohort.time[i] <= w;
    if (treated[i]) {
      n1++;
      x1 += eventInWindow ? 1 : 0;
    } else {
      n0++;
      x0 += eventInWindow ? 1 : 0;
    }
  }
  const rr = relativeRisk(x1, n1, x0, n0);
  const or = oddsRatio(x1, n1, x0, n0);
  if (rr.zeroCellCorrection) notes.push('A zero cell in the window table: relative risk and odds ratio add 0.5 to every cell.');

  progress('survival');
  const table = timeTable(cohort.time, cohort.event, treated, inSample);
  const lr = logRank(table);
  const cox = coxTreatment(table);
  return {
    counts: { treated: nTreated, comparison: n - nTreated, matchedTreated, matchedComparison },
    propensity: { coefficients, iterations: fit.iterations, converged: fit.converged },
    balance: balance.map(({ covariate, smdBefore, smdAfter }) => ({ covariate, smdBefore, smdAfter })),
    window: {
      days: w,
      treated: proportion(x1, n1),
      comparison: proportion(x0, n0),
      riskDifference: newcombeDifference(x1, n1, x0, n0),
      relativeRisk: rr,
      oddsRatio: or,
    },
    survival: {
      logRank: { chisq: lr.chisq, df: 1, p: lr.p },
      cox: { coefficient: cox.coefficient, se: cox.se, hazardRatio: cox.hazardRatio, ci95: cox.ci95, p: cox.p },
      km: { treated: kmPoints(kaplanMeier(table, 1)), comparison: kmPoints(kaplanMeier(table, 0)) },
    },
    detail: {
      matched: options.match,
      caliperDistance,
      ratio: options.ratio,
      replace: options.replace,
      smdThreshold: SMD_THRESHOLD,
      exceedsThreshold: balance.filter((b) => b.exceedsThreshold).map((b) => b.covariate),
      logRankObservedTreated: lr.observedTreated,
      logRankExpectedTreated: lr.expectedTreated,
      coxLikelihoodRatio: cox.likelihoodRatio,
      coxIterations: cox.iterations,
      coxConverged: cox.converged,
      notes,
    },
  };
}

/** The men of one risk band as a cohort of their own. */
export function subsetCohort(cohort: Cohort, keep: (i: number) => boolean): Cohort {
  const idx: number[] = [];
  for (let i = 0; i < cohort.rows; i++) if (keep(i)) idx.push(i);
  const pick = <T extends Float64Array | Uint8Array | Int8Array>(a: T): T => pickTyped(a, idx);
  return {
    rows: idx.length,
    personRef: idx.map((i) => cohort.personRef[i]),
    treated: pick(cohort.treated),
    time: pick(cohort.time),
    event: pick(cohort.event),
    followup: pick(cohort.followup),
    releaseDay: pick(cohort.releaseDay),
    riskBand: pick(cohort.riskBand),
    covariateNames: cohort.covariateNames,
    covariates: cohort.covariates.map(pick),
  };
}

function pickTyped<T extends Float64Array | Uint8Array | Int8Array>(a: T, idx: number[]): T {
  const out = new (a.constructor as { new (n: number): T })(idx.length);
  for (let j = 0; j < idx.length; j++) out[j] = a[idx[j]];
  return out;
}

export function evaluateCohort(cohort: Cohort, input: { rows: number; sha256: string }, options: EvaluateOptions, progress?: Progress): Evaluation {
  const overall = analyse(cohort, options, progress);
  const result: Evaluation = { input, ...overall };
  if (options.byRiskBand) {
    result.byRiskBand = {};
    RISK_BANDS.forEach((band, b) => {
      const sub = subsetCohort(cohort, (i) => cohort.riskBand[i] === b);
      if (sub.rows === 0) return;
      progress?.(`risk band ${band}`);
      try {
        result.byRiskBand![band] = analyse(sub, options);
      } catch (error) {
        // A band too small or too homogeneous to model is reported, not fatal for the other bands.
        if (!(error instanceof CohortNotAnalysable)) throw error;
        result.byRiskBand![band] = { error: error.message };
      }
    });
  }
  return result;
}
