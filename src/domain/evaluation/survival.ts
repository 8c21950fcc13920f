// Time-to-reoffence in two arms: per-time event and risk-set counts (the sufficient statistics for
// Kaplan–Meier, the log-rank test and a Cox model of treatment alone), Kaplan–Meier with Greenwood
// standard errors and log-scale intervals as R's survfit, and the log-rank test as R's survdiff.
import { chiSquare1Upper, Z975 } from './distributions.js';

/** Counts at each distinct time (ascending) among the men analysed; arm 1 is treated, arm 0 comparison. */
export interface TimeTable {
  times: Float64Array;
  events1: Float64Array;
  events0: Float64Array;
  /** Men leaving at each time (event or censoring). */
  exits1: Float64Array;
  exits0: Float64Array;
  /** At risk just before each time. */
  atRisk1: Float64Array;
  atRisk0: Float64Array;
}

/** Builds the table over the men with include[i] = 1 (all men when include is null). One sort of the times. */
export function timeTable(time: Float64Array, event: Uint8Array, treated: Uint8Array, include: Uint8Array | null): TimeTable {
  let m = 0;
  for (let i = 0; i < time.length; i++) if (!include || include[i]) m++;
  const sorted = new Float64Array(m);
  for (let i = 0, j = 0; i < time.length; i++) if (!include || include[i]) sorted[j++] = time[i];
  sorted.sort();
  let u = 0;
  for (let j = 0; j < m; j++) if (j === 0 || sorted[j] !== sorted[j - 1]) sorted[u++] = sorted[j];
  const times = sorted.slice(0, u);
  const events1 = new Float64Array(u);
  const events0 = new Float64Array(u);
  const exits1 = new Float64Array(u);
  const exits0 = new Float64Array(u);
  for (let i = 0; i < time.length; i++) {
    if (include && !include[i]) continue;
    const t = time[i];
    let lo = 0;
    let hi = u - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    if (treated[i]) {
      exits1[lo]++;
      events1[lo] += event[i];
    } else {
      exits0[lo]++;
      events0[lo] += event[i];
    }
  }
  const atRisk1 = new Float64Array(u);
  const atRisk0 = new Float64Array(u);
  let r1 = 0;
  let r0 = 0;
  for (let j = u - 1; j >= 0; j--) {
    r1 += exits1[j];
    r0 += exits0[j];
    atRisk1[j] = r1;
    atRisk0[j] = r0;
  }
  return { times, events1, events0, exits1, exits0, atRisk1, atRisk0 };
}

export interface KmRow {
  time: number;
  atRisk: number;
  events: number;
  survival: number;
  /** Greenwood standard error of −log S (survfit's std.err). */
  stdErr: number;
  lower: number | null;
  upper: number | null;
}

/** Kaplan–Meier for one arm at every time at which a man of that arm had an event or was censored. */
export function kaplanMeier(table: TimeTable, arm: 0 | 1): KmRow[] {
  const events = arm ? table.events1 : table.events0;
  const exits = arm ? table.exits1 : table.exits0;
  const atRisk = arm ? table.atRisk1 : table.atRisk0;
  const rows: KmRow[] = [];
  let s = 1;
  let varHazard = 0;
  for (let j = 0; j < table.times.length; j++) {
    if (exits[j] === 0) continue;
    const n = atRisk[j];
    const d = events[j];
    s *= 1 - d / n;
    varHazard += d === 0 ? 0 : d / (n * (n - d));
    const se = Math.sqrt(varHazard);
    // R's conf.type = "log": exp(log S ± z·se), the upper bound capped at 1, none once S is 0.
    const ok = s > 0 && Number.isFinite(se);
    rows.push({
      time: table.times[j],
      atRisk: n,
      events: d,
      survival: s,
      stdErr: se,
      lower: ok ? Math.exp(Math.log(s) - Z975 * se) : null,
      upper: ok ? Math.min(1, Math.exp(Math.log(s) + Z975 * se)) : null,
    });
  }
  return rows;
}

export interface LogRank {
  chisq: number;
  df: 1;
  p: number;
  observedTreated: number;
  expectedTreated: number;
}

/** Two-group log-rank test with the hypergeometric variance, as survdiff(rho = 0). */
export function logRank(table: TimeTable): LogRank {
  let observed = 0;
  let expected = 0;
  let variance = 0;
  for (let j = 0; j < table.times.length; j++) {
    const d = table.events1[j] + table.events0[j];
    if (d === 0) continue;
    const n1 = table.atRisk1[j];
    const n = n1 + table.atRisk0[j];
    observed += table.events1[j];
    expected += (d * n1) / n;
    if (n > 1) variance += (d * n1 * (n - n1) * (n - d)) / (n * n * (n - 1));
  }
  const chisq = ((observed - expected) * (observed - expected)) / variance;
  return { chisq, df: 1, p: chiSquare1Upper(chisq), observedTreated: observed, expectedTreated: expected };
}
