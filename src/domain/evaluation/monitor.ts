// Harm monitoring: the programme's completers compared with the comparison pool at looks fixed in advance,
// judged against group-sequential boundaries (Lan–DeMets alpha spending) so that looking again and again does
// not inflate the chance of a false alarm. Boundaries by the Armitage–McPherson–Rowe recursion.
import { fitLogistic, SingularModel } from './logistic.js';
import type { Cohort } from './cohort.js';
import { coxTreatment } from './cox.js';
import { CohortNotAnalysable, matchedSample, subsetCohort, type EvaluateOptions } from './evaluate.js';
import { timeTable } from './survival.js';
import { normalCdf, normalUpper, normalUpperQuantile } from './distributions.js';

export const SPENDING_FUNCTIONS = ['pocock', 'obrien_fleming'] as const;
export type SpendingFunction = (typeof SPENDING_FUNCTIONS)[number];

/**
 * One-sided cumulative alpha spent at information (or calendar) fraction t, Lan–DeMets:
 * O'Brien–Fleming type α(t) = 2 − 2Φ(z_{α/2}/√t) (gsDesign sfLDOF) spends almost nothing early;
 * Pocock type α(t) = α·ln(1 + (e − 1)t) (sfLDPocock) spends more early, so a harm shows sooner.
 * A symmetric two-sided 5% test spends α = 0.025 on each side.
 */
export function spending(fn: SpendingFunction, t: number, alpha: number): number {
  if (t <= 0) return 0;
  const f = Math.min(t, 1);
  if (fn === 'pocock') return alpha * Math.log(1 + (Math.E - 1) * f);
  return 2 * normalUpper(normalUpperQuantile(alpha / 2) / Math.sqrt(f));
}

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** Simpson weights on an odd number of equally spaced points from a to b. */
function simpsonGrid(a: number, b: number, points: number): Grid {
  const x = new Float64Array(points);
  const w = new Float64Array(points);
  const h = (b - a) / (points - 1);
  for (let i = 0; i < points; i++) {
    x[i] = a + i * h;
    w[i] = (h / 3) * (i === 0 || i === points - 1 ? 1 : i % 2 ? 4 : 2);
  }
  return { x, w, a, h };
}

interface Grid {
  x: Float64Array;
  w: Float64Array;
  a: number;
  h: number;
}

/** Beyond this many SDs of the increment a normal kernel adds nothing in double precision that matters. */
const KERNEL_SDS = 9;

/** Indices of the grid points within [from, to] (the grid is equally spaced, so no search is needed). */
function span(grid: Grid, from: number, to: number): [number, number] {
  const n = grid.x.length;
  return [Math.max(0, Math.ceil((from - grid.a) / grid.h)), Math.min(n - 1, Math.floor((to - grid.a) / grid.h))];
}

export interface LookBoundary {
  /** Z at or above which harm is declared (treated men reoffend more). */
  harm: number;
  /** Z at or below which benefit is declared (a negative number), or null for a one-sided design. */
  benefit: number | null;
}

/** A one-sided design has no benefit boundary; the continuation region then reaches this many SDs below 0. */
const OPEN_SIDE_SDS = 8;
/** Grid points per SD of the increment, and the most points per look (the cost is points² per look). */
const POINTS_PER_SD = 8;
const MAX_POINTS = 601;

/**
 * Boundaries computed look by look: each side spends its cumulative alpha minus what it has spent.
 * Information may be in any units: only ratios matter, via corr(Z_j, Z_k) = √(I_j/I_k). The sub-density of
 * the score S = Z√I among paths not yet stopped is carried from look to look by numerical convolution
 * (Simpson's rule). A look with no new information gets infinite boundaries and its alpha waits for the next.
 */
export class GroupSequentialBoundaries {
  private grid: Grid | null = null;
  private density: Float64Array | null = null;
  private spentHarm = 0;
  private spentBenefit = 0;
  private lastInfo = 0;

  /** Cumulative one-sided alphas to have spent by this look (benefit null for one-sided), and its information. */
  next(harmAlpha: number, benefitAlpha: number | null, info: number): LookBoundary {
    const delta = info - this.lastInfo;
    const open: LookBoundary = { harm: Infinity, benefit: benefitAlpha === null ? null : -Infinity };
    if (!(delta > 0)) return open;
    const { grid, density } = this;
    const sigma = Math.sqrt(delta);
    const rootInfo = Math.sqrt(info);
    // Probability of first crossing above c (on the Z scale) at this look; the benefit side is the same
    // integral on the mirrored density. Only paths within a few SDs of the boundary can cross it.
    const crossing = (c: number, mirror: boolean): number => {
      if (!grid || !density) return normalUpper(c);
      const b = c * rootInfo;
      const [from, to] = mirror ? span(grid, -Infinity, -b + KERNEL_SDS * sigma) : span(grid, b - KERNEL_SDS * sigma, Infinity);
      let p = 0;
      for (let j = from; j <= to; j++) {
        const u = mirror ? -grid.x[j] : grid.x[j];
        p += grid.w[j] * density[j] * normalCdf((u - b) / sigma);
      }
      return p;
    };
    // Its derivative in c, for Newton steps inside a bisection bracket.
    const slope = (c: number, mirror: boolean): number => {
      if (!grid || !density) return -phi(c);
      const b = c * rootInfo;
      const [from, to] = mirror ? span(grid, -b - KERNEL_SDS * sigma, -b + KERNEL_SDS * sigma) : span(grid, b - KERNEL_SDS * sigma, b + KERNEL_SDS * sigma);
      let d = 0;
      for (let j = from; j <= to; j++) {
        const u = mirror ? -grid.x[j] : grid.x[j];
        d += grid.w[j] * density[j] * phi((u - b) / sigma);
      }
      return (-d * rootInfo) / sigma;
    };
    const solve = (target: number, mirror: boolean): number => {
      if (!(target > 0)) return Infinity;
      let lo = -10;
      let hi = 40;
      let c = normalUpperQuantile(Math.min(target, 0.5));
      for (let it = 0; it < 100 && hi - lo > 1e-12; it++) {
        const excess = crossing(c, mirror) - target;
        if (Math.abs(excess) <= 1e-15 * target) return c;
        if (excess > 0) lo = c;
        else hi = c;
        const step = c - excess / slope(c, mirror);
        c = step > lo && step < hi ? step : (lo + hi) / 2;
      }
      return c;
    };
    const harm = solve(harmAlpha - this.spentHarm, false);
    const benefitZ = benefitAlpha === null ? Infinity : solve(benefitAlpha - this.spentBenefit, true);
    if (Number.isFinite(harm)) this.spentHarm += crossing(harm, false);
    if (Number.isFinite(benefitZ)) this.spentBenefit += crossing(benefitZ, true);
    // Carry the continuation density forward, on a grid fine relative to this increment's spread.
    const top = Math.min(harm, OPEN_SIDE_SDS) * rootInfo;
    const bottom = -Math.min(benefitZ, OPEN_SIDE_SDS) * rootInfo;
    const points = Math.min(MAX_POINTS, Math.max(101, 2 * Math.ceil(((top - bottom) / sigma) * (POINTS_PER_SD / 2)) + 1));
    const next = simpsonGrid(bottom, top, points);
    const f = new Float64Array(points);
    for (let i = 0; i < points; i++) {
      if (!grid || !density) {
        f[i] = phi(next.x[i] / sigma) / sigma;
        continue;
      }
      let s = 0;
      const [from, to] = span(grid, next.x[i] - KERNEL_SDS * sigma, next.x[i] + KERNEL_SDS * sigma);
      for (let j = from; j <= to; j++) s += grid.w[j] * density[j] * phi((next.x[i] - grid.x[j]) / sigma);
      f[i] = s / sigma;
    }
    this.grid = next;
    this.density = f;
    this.lastInfo = info;
    return { harm, benefit: benefitAlpha === null ? null : -benefitZ };
  }
}

/** The monitor's design, fixed before the first look. */
export interface MonitorDesign {
  /** Date of the first look (YYYY-MM-DD); later looks follow every `everyMonths` months. */
  firstLook: string;
  everyMonths: number;
  /** Looks continue for this many years from the first; alpha is spent by the fraction of looks taken. */
  horizonYears: number;
  spending: SpendingFunction;
  sides: 'one' | 'two';
  /** One-sided error rate for declaring harm under no effect. */
  harmAlpha: number;
  /** One-sided error rate for declaring benefit (two-sided designs only). */
  benefitAlpha: number | null;
}

/**
 * The design chosen by bench/monitor.ts (see bench/RESULTS.md): Pocock-type spending and a one-sided harm
 * boundary at 5% flag a harmful programme soonest while keeping false alarms within 5%. A benefit boundary
 * would take its own alpha out of the same 5%.
 */
export const DEFAULT_DESIGN: Omit<MonitorDesign, 'firstLook'> = {
  everyMonths: 12,
  horizonYears: 10,
  spending: 'pocock',
  sides: 'one',
  harmAlpha: 0.05,
  benefitAlpha: null,
};

/** Propensity strata (quantiles of the treated men's scores) within which the arms are compared. */
export const STRATA = 10;
/** Fewer treated men than this per stratum and the strata are merged (down to one: the plain log-rank test). */
const MIN_TREATED_PER_STRATUM = 5;

export type Decision = 'continue' | 'harm' | 'benefit';

export interface MonitorLook {
  /** 1-based look number. */
  look: number;
  date: string;
  treated: number;
  comparison: number;
  treatedEvents: number;
  comparisonEvents: number;
  /** Stratified log-rank Z (observed − expected events among treated men, over its SD): positive means harm. */
  statistic: number;
  /** Variance of observed − expected: the information the boundaries are computed from. */
  information: number;
  boundary: LookBoundary;
  decision: Decision;
}

export interface MonitorResult {
  looks: MonitorLook[];
  /** The first look whose decision is not `continue`, or null. */
  flag: { decision: Exclude<Decision, 'continue'>; date: string } | null;
}

const DAY_MS = 86_400_000;
const isoOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const dayOf = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

/** `months` calendar months after an ISO date, on the same day of the month or the month's last day. */
export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return isoOf(Math.round(Date.UTC(year, month, Math.min(d, last)) / DAY_MS));
}

/** Number of looks the design plans: one every `everyMonths` months over the horizon. */
export function plannedLooks(design: Pick<MonitorDesign, 'everyMonths' | 'horizonYears'>): number {
  return Math.max(1, Math.floor((design.horizonYears * 12) / design.everyMonths));
}

/** Dates of every planned look, in order. */
export function lookDates(design: MonitorDesign): string[] {
  return Array.from({ length: plannedLooks(design) }, (_, k) => addMonths(design.firstLook, k * design.everyMonths));
}

/**
 * Boundaries for looks with the given information, in order. Alpha is spent by the fraction of planned looks
 * taken (calendar time): the looks are fixed in advance, whereas the information by the last look is not known
 * when monitoring starts. The observed information still sets the correlation between looks.
 */
export function boundariesFor(design: MonitorDesign, information: readonly number[]): LookBoundary[] {
  const boundaries = new GroupSequentialBoundaries();
  let most = 0;
  return information.map((info, i) => {
    // Information never falls: a look with less (a smaller pool refitted) is treated as adding none.
    most = Math.max(most, info);
    return nextBoundary(boundaries, design, i, most);
  });
}

function nextBoundary(boundaries: GroupSequentialBoundaries, design: MonitorDesign, index: number, information: number): LookBoundary {
  const t = (index + 1) / plannedLooks(design);
  return boundaries.next(
    spending(design.spending, t, design.harmAlpha),
    design.sides === 'two' ? spending(design.spending, t, design.benefitAlpha ?? 0) : null,
    information,
  );
}

export function decide(statistic: number, boundary: LookBoundary): Decision {
  if (statistic >= boundary.harm) return 'harm';
  if (boundary.benefit !== null && statistic <= boundary.benefit) return 'benefit';
  return 'continue';
}

/** Follow-up as it stood on `day`: time and event cut at the look (men released later are not used). */
export function followupAsOf(cohort: Cohort, day: number): { time: Float64Array; event: Uint8Array } {
  const time = new Float64Array(cohort.rows);
  const event = new Uint8Array(cohort.rows);
  for (let i = 0; i < cohort.rows; i++) {
    const horizon = day - cohort.releaseDay[i];
    const seen = cohort.event[i] === 1 && cohort.time[i] <= horizon;
    event[i] = seen ? 1 : 0;
    time[i] = seen ? cohort.time[i] : Math.max(0, Math.min(cohort.time[i], horizon));
  }
  return { time, event };
}

export interface LookStatistic {
  treated: number;
  comparison: number;
  treatedEvents: number;
  comparisonEvents: number;
  statistic: number;
  information: number;
}

/**
 * The comparison at one look: every man released before `day`, followed up to it; a propensity model of
 * treatment on the covariates refitted on those men, and a log-rank test stratified by tenths of the treated
 * men's propensity scores (Rosenbaum & Rubin's subclassification). Every comparison man counts, including a
 * historical pool released before the programme began, whose long follow-up adds information from the first
 * look; stratifying removes most of the confounding that matching would. The score statistic needs one pass
 * over the men (times are whole days), so looks are cheap enough to simulate thousands of times.
 */
export function lookStatistic(cohort: Cohort, day: number): LookStatistic {
  return stratifiedLogRank(cohort, day, propensityStrata(cohort, day));
}

/** Who is in the look (men released before its day) and each man's propensity stratum. */
export interface LookStrata {
  released: Int32Array;
  stratum: Uint8Array;
  strata: number;
}

export function propensityStrata(cohort: Cohort, day: number, strata = STRATA): LookStrata {
  const list: number[] = [];
  for (let i = 0; i < cohort.rows; i++) if (cohort.releaseDay[i] < day) list.push(i);
  const released = Int32Array.from(list);
  const n = released.length;
  const y = Uint8Array.from(released, (i) => cohort.treated[i]);
  let nTreated = 0;
  for (let j = 0; j < n; j++) nTreated += y[j];
  const stratum = new Uint8Array(n);
  if (nTreated === 0 || nTreated === n) return { released, stratum, strata: 1 };
  const columns = cohort.covariates.map((c) => Float64Array.from(released, (i) => c[i]));
  let lp: Float64Array;
  try {
    lp = fitLogistic(columns, y).linearPredictor;
  } catch (error) {
    if (!(error instanceof SingularModel) || error.column === 0) throw error;
    throw new CohortNotAnalysable(
      'covariates',
      `Covariate ${cohort.covariateNames[error.column - 1]} cannot enter the propensity model at this look: leave it out`,
    );
  }
  const treatedScores = lp.filter((_, j) => y[j] === 1).sort();
  // A stratum needs a few treated men to compare: with too few, the top stratum holds little beyond its own.
  strata = Math.max(1, Math.min(strata, Math.floor(nTreated / MIN_TREATED_PER_STRATUM)));
  const cuts = Array.from({ length: strata - 1 }, (_, s) => treatedScores[Math.floor(((s + 1) * nTreated) / strata)]);
  for (let j = 0; j < n; j++) {
    let s = 0;
    while (s < cuts.length && lp[j] >= cuts[s]) s++;
    stratum[j] = s;
  }
  return { released, stratum, strata };
}

/** The log-rank score statistic within strata, summed over them, with follow-up cut at the look. */
export function stratifiedLogRank(cohort: Cohort, day: number, { released, stratum, strata }: LookStrata): LookStatistic {
  const n = released.length;
  const y = Uint8Array.from(released, (i) => cohort.treated[i]);
  let nTreated = 0;
  for (let j = 0; j < n; j++) nTreated += y[j];
  // Per day and stratum: events and exits in each arm (counting sort: times are whole days).
  let maxTime = 0;
  const time = new Int32Array(n);
  const event = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const i = released[j];
    const horizon = day - cohort.releaseDay[i];
    const seen = cohort.event[i] === 1 && cohort.time[i] <= horizon;
    event[j] = seen ? 1 : 0;
    time[j] = Math.round(seen ? cohort.time[i] : Math.max(0, Math.min(cohort.time[i], horizon)));
    if (time[j] > maxTime) maxTime = time[j];
  }
  const cells = (maxTime + 1) * strata;
  const events1 = new Float64Array(cells);
  const events0 = new Float64Array(cells);
  const exits1 = new Float64Array(cells);
  const exits0 = new Float64Array(cells);
  const atRisk1 = new Float64Array(strata);
  const atRisk0 = new Float64Array(strata);
  let treatedEvents = 0;
  let comparisonEvents = 0;
  for (let j = 0; j < n; j++) {
    const cell = time[j] * strata + stratum[j];
    if (y[j]) {
      exits1[cell]++;
      events1[cell] += event[j];
      atRisk1[stratum[j]]++;
      treatedEvents += event[j];
    } else {
      exits0[cell]++;
      events0[cell] += event[j];
      atRisk0[stratum[j]]++;
      comparisonEvents += event[j];
    }
  }
  let observedMinusExpected = 0;
  let variance = 0;
  for (let t = 0; t <= maxTime; t++) {
    for (let s = 0; s < strata; s++) {
      const cell = t * strata + s;
      const d = events1[cell] + events0[cell];
      const n1 = atRisk1[s];
      const m = n1 + atRisk0[s];
      if (d > 0 && m > 1) {
        observedMinusExpected += events1[cell] - (d * n1) / m;
        variance += (d * n1 * (m - n1) * (m - d)) / (m * m * (m - 1));
      }
      atRisk1[s] -= exits1[cell];
      atRisk0[s] -= exits0[cell];
    }
  }
  return {
    treated: nTreated,
    comparison: n - nTreated,
    treatedEvents,
    comparisonEvents,
    statistic: variance > 0 ? observedMinusExpected / Math.sqrt(variance) : 0,
    information: variance,
  };
}

/**
 * The looks of a design whose dates have come by `until` (the last day the data cover), each from the data as
 * they stood on its date. `stopAtFlag` ends at the first flag (simulations do; a live monitor reports every look).
 */
export function monitorCohort(cohort: Cohort, design: MonitorDesign, options: { until: string; stopAtFlag?: boolean }): MonitorResult {
  const boundaries = new GroupSequentialBoundaries();
  const looks: MonitorLook[] = [];
  let flag: MonitorResult['flag'] = null;
  let information = 0;
  for (const [i, date] of lookDates(design).entries()) {
    if (date > options.until) break;
    const stat = lookStatistic(cohort, dayOf(date));
    information = Math.max(information, stat.information);
    const boundary = nextBoundary(boundaries, design, i, information);
    const decision = decide(stat.statistic, boundary);
    looks.push({ look: i + 1, date, ...stat, information, boundary, decision });
    if (decision !== 'continue' && !flag) {
      flag = { decision, date };
      if (options.stopAtFlag) break;
    }
  }
  return { looks, flag };
}

export interface MatchedLook {
  look: number;
  day: number;
  /** Men in the matched sample so far. */
  men: number;
  events: number;
  /** Cox z = log HR / se, treated vs comparison: positive means treated men reoffend more. */
  z: number;
  hazardRatio: number;
  information: number;
  boundary: number;
}

export interface MatchedMonitorResult {
  looks: MatchedLook[];
  /** First look at which |z| crossed its boundary, or null. */
  flagged: { look: number; direction: 'harm' | 'benefit' } | null;
}

export interface MatchedMonitorOptions {
  /** Calendar days of the looks, in order. */
  lookDays: number[];
  /** Planned number of looks: look k spends alpha at calendar fraction k/plannedLooks. */
  plannedLooks: number;
  /** Two-sided alpha, spent O'Brien–Fleming-type, half on each side. */
  alpha?: number;
  /** Matching options (caliper, ratio, replacement, or none). */
  evaluate: EvaluateOptions;
  stopAtFlag?: boolean;
}

/**
 * The first monitor, kept as the benchmark's baseline: each year's releases are matched 1:1 among themselves
 * when they enter, and every look re-runs the Cox analysis on all matched men so far. Keeping the matched
 * sample nested gives the statistics the independent-increments structure the boundaries assume; but it
 * leaves most comparison men unused, which is why it flags harm late (bench/RESULTS.md).
 */
export function harmMonitor(cohort: Cohort, options: MatchedMonitorOptions): MatchedMonitorResult {
  const half = (options.alpha ?? 0.05) / 2;
  const looks: MatchedLook[] = [];
  const sequential = new GroupSequentialBoundaries();
  const include = new Uint8Array(cohort.rows);
  let flagged: MatchedMonitorResult['flagged'] = null;
  let info = 0;
  let previous = -Infinity;
  for (let k = 0; k < options.lookDays.length; k++) {
    const day = options.lookDays[k];
    const entering: number[] = [];
    for (let i = 0; i < cohort.rows; i++) if (cohort.releaseDay[i] >= previous && cohort.releaseDay[i] < day) entering.push(i);
    const enteringSet = new Set(entering);
    previous = day;
    try {
      const sample = matchedSample(
        subsetCohort(cohort, (i) => enteringSet.has(i)),
        options.evaluate,
      );
      entering.forEach((i, j) => (include[i] = sample.inSample[j]));
    } catch (error) {
      // A year with no treated men (or too few to model) adds nobody to the matched sample.
      if (!(error instanceof CohortNotAnalysable)) throw error;
    }
    const { time, event } = followupAsOf(cohort, day);
    const table = timeTable(time, event, cohort.treated, include);
    let men = 0;
    let events = 0;
    for (let i = 0; i < cohort.rows; i++) {
      men += include[i];
      events += include[i] & event[i];
    }
    let z = 0;
    let hazardRatio = NaN;
    if (table.events1.some((d) => d > 0) || table.events0.some((d) => d > 0)) {
      const cox = coxTreatment(table);
      if (Number.isFinite(cox.se) && cox.se > 0 && Number.isFinite(cox.coefficient)) {
        z = cox.coefficient / cox.se;
        hazardRatio = cox.hazardRatio;
        info = Math.max(info, 1 / (cox.se * cox.se));
      }
    }
    const alpha = spending('obrien_fleming', (k + 1) / options.plannedLooks, half);
    const boundary = sequential.next(alpha, alpha, info).harm;
    looks.push({ look: k + 1, day, men, events, z, hazardRatio, information: info, boundary });
    if (!flagged && Math.abs(z) >= boundary) {
      flagged = { look: k + 1, direction: z > 0 ? 'harm' : 'benefit' };
      if (options.stopAtFlag) break;
    }
  }
  return { looks, flagged };
}
