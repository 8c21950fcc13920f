// Harm monitoring: the matched analysis re-run at yearly looks as cohorts accrue, judged against a
// group-sequential boundary (Lan–DeMets O'Brien–Fleming-type alpha spending, two-sided 5%), so that looking
// every year does not inflate the chance of a false alarm.
import type { Cohort } from './cohort.js';
import { coxTreatment } from './cox.js';
import { CohortNotAnalysable, matchedSample, subsetCohort, type EvaluateOptions } from './evaluate.js';
import { timeTable } from './survival.js';
import { normalCdf, normalUpper, normalUpperQuantile } from './distributions.js';

/**
 * Cumulative two-sided alpha spent at information fraction t. Each side spends α/2 with the
 * O'Brien–Fleming-type function α'(t) = 2 − 2Φ(z_{α'/2}/√t), α' = α/2, as gsDesign (sfLDOF) and ldbounds
 * do for a symmetric two-sided test; this gives the published K = 5 boundaries 4.877, 3.357, 2.680, 2.290,
 * 2.031. (Reading α in that formula as the two-sided total instead would spend more early: 4.38 at look 1.)
 */
export function obrienFlemingSpending(t: number, alpha = 0.05): number {
  if (t <= 0) return 0;
  const z = normalUpperQuantile(alpha / 4);
  return 2 * 2 * normalUpper(z / Math.sqrt(Math.min(t, 1)));
}

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** Simpson weights on an odd number of equally spaced points from a to b. */
function simpsonGrid(a: number, b: number, points: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(points);
  const w = new Float64Array(points);
  const h = (b - a) / (points - 1);
  for (let i = 0; i < points; i++) {
    x[i] = a + i * h;
    w[i] = (h / 3) * (i === 0 || i === points - 1 ? 1 : i % 2 ? 4 : 2);
  }
  return { x, w };
}

/**
 * Two-sided symmetric boundaries |Z_k| ≥ c_k computed look by look, each look spending cumulative alpha
 * minus what has been spent. Information may be in any units: only ratios matter, via
 * corr(Z_j, Z_k) = √(I_j/I_k). Armitage–McPherson–Rowe recursion: the sub-density of the score S = Z√I
 * among paths not yet stopped is carried from look to look by numerical convolution (Simpson's rule).
 * A look with no new information gets an infinite boundary and its alpha waits for the next.
 */
export class SequentialBoundary {
  private grid: { x: Float64Array; w: Float64Array } | null = null;
  private density: Float64Array | null = null;
  private spent = 0;
  private lastInfo = 0;

  next(cumulativeAlpha: number, info: number): number {
    const target = cumulativeAlpha - this.spent;
    const delta = info - this.lastInfo;
    if (!(delta > 0) || !(target > 0)) return Infinity;
    const { grid, density } = this;
    const sigma = Math.sqrt(delta);
    const rootInfo = Math.sqrt(info);
    // Probability of crossing ±c at this look without having crossed before.
    const crossing = (c: number): number => {
      if (!grid || !density) return 2 * normalUpper(c);
      let p = 0;
      const b = c * rootInfo;
      for (let j = 0; j < grid.x.length; j++) {
        const u = grid.x[j];
        p += grid.w[j] * density[j] * (normalCdf((-b - u) / sigma) + normalCdf((u - b) / sigma));
      }
      return p;
    };
    let lo = 0;
    let hi = 40;
    for (let it = 0; it < 100; it++) {
      const mid = (lo + hi) / 2;
      if (crossing(mid) > target) lo = mid;
      else hi = mid;
    }
    const c = (lo + hi) / 2;
    this.spent += crossing(c);
    // Carry the continuation density forward, on a grid fine relative to this increment's spread.
    const b = c * rootInfo;
    const points = Math.min(4001, Math.max(201, 2 * Math.ceil((2 * b) / (sigma / 12) / 2) + 1));
    const next = simpsonGrid(-b, b, points);
    const f = new Float64Array(points);
    for (let i = 0; i < points; i++) {
      if (!grid || !density) {
        f[i] = phi(next.x[i] / sigma) / sigma;
        continue;
      }
      let s = 0;
      for (let j = 0; j < grid.x.length; j++) s += grid.w[j] * density[j] * phi((next.x[i] - grid.x[j]) / sigma);
      f[i] = s / sigma;
    }
    this.grid = next;
    this.density = f;
    this.lastInfo = info;
    return c;
  }
}

export function sequentialBoundaries(cumulativeAlpha: number[], information: number[]): number[] {
  const boundary = new SequentialBoundary();
  return information.map((info, k) => boundary.next(cumulativeAlpha[k], info));
}

export interface Look {
  /** 1-based look number. */
  look: number;
  /** Calendar day (days since 1970-01-01) of the look: men released before it, followed up to it. */
  day: number;
  /** Men in the matched sample so far. */
  men: number;
  events: number;
  /** Cox z = log HR / se, treated vs comparison: positive means treated men reoffend more. */
  z: number;
  hazardRatio: number;
  information: number;
  spent: number;
  boundary: number;
}

export interface MonitorResult {
  looks: Look[];
  /** First look at which |z| crossed its boundary, or null. */
  flagged: { look: number; direction: 'harm' | 'benefit' } | null;
}

export interface MonitorOptions {
  /** Calendar days of the looks, in order. */
  lookDays: number[];
  /** Planned number of looks: look k spends alpha at calendar fraction k/plannedLooks. */
  plannedLooks: number;
  alpha?: number;
  /** Matching options (caliper, ratio, replacement, or none). */
  evaluate: EvaluateOptions;
  /** Stop at the first flag (simulations do; a live monitor reports every look). */
  stopAtFlag?: boolean;
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

/**
 * Each year's releases (the men released since the previous look) are matched once, among themselves, when
 * they enter; every look then re-runs the Cox analysis on all matched men so far, followed up to the look.
 * Keeping the matched sample nested across looks (rather than re-matching everyone every year, which swaps
 * comparison men between looks) is what gives the sequence of statistics the independent-increments
 * structure the boundaries assume; matching within release year also compares men released at the same time.
 *
 * Alpha is spent by calendar time (look k of K spends α(k/K)): the looks are yearly and fixed in advance,
 * whereas the number of events by the last look is not known when monitoring starts, so an events-based
 * fraction could not be computed at early looks. The boundaries still use the observed information
 * (1/se² of the Cox coefficient) for the correlation between looks.
 */
export function harmMonitor(cohort: Cohort, options: MonitorOptions): MonitorResult {
  const alpha = options.alpha ?? 0.05;
  const looks: Look[] = [];
  const sequential = new SequentialBoundary();
  const include = new Uint8Array(cohort.rows);
  let flagged: MonitorResult['flagged'] = null;
  let info = 0;
  let previous = -Infinity;
  for (let k = 0; k < options.lookDays.length; k++) {
    const day = options.lookDays[k];
    const entering = subsetIndices(cohort, (i) => cohort.releaseDay[i] >= previous && cohort.releaseDay[i] < day);
    previous = day;
    try {
      const sample = matchedSample(
        subsetCohort(cohort, (i) => entering.has(i)),
        options.evaluate,
      );
      let j = 0;
      for (const i of entering) include[i] = sample.inSample[j++];
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
    const spent = obrienFlemingSpending((k + 1) / options.plannedLooks, alpha);
    const boundary = sequential.next(spent, info);
    looks.push({ look: k + 1, day, men, events, z, hazardRatio, information: info, spent, boundary });
    if (!flagged && Math.abs(z) >= boundary) {
      flagged = { look: k + 1, direction: z > 0 ? 'harm' : 'benefit' };
      if (options.stopAtFlag) break;
    }
  }
  return { looks, flagged };
}

function subsetIndices(cohort: Cohort, keep: (i: number) => boolean): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < cohort.rows; i++) if (keep(i)) out.add(i);
  return out;
}
