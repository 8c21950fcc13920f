// Covariate balance: standardised mean differences before and after matching, always over the unmatched
// sample's pooled standard deviation so that "after" is not flattered by a shrunken denominator.

export const SMD_THRESHOLD = 0.1;

export interface BalanceRow {
  covariate: string;
  smdBefore: number;
  smdAfter: number;
  /** |smdAfter| > 0.1, the usual threshold for meaningful imbalance. */
  exceedsThreshold: boolean;
}

function weightedMean(x: Float64Array, treated: Uint8Array, arm: number, weights: Float64Array | null): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < x.length; i++) {
    if (treated[i] !== arm) continue;
    const wi = weights ? weights[i] : 1;
    s += wi * x[i];
    w += wi;
  }
  return s / w;
}

function variance(x: Float64Array, treated: Uint8Array, arm: number, mean: number): number {
  let ss = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    if (treated[i] !== arm) continue;
    ss += (x[i] - mean) * (x[i] - mean);
    n++;
  }
  return ss / (n - 1);
}

/**
 * `after` weights the matched sample: 1 for men in it and 0 otherwise without replacement, MatchIt's
 * weights with replacement.
 */
export function balanceTable(names: string[], covariates: Float64Array[], treated: Uint8Array, after: Float64Array): BalanceRow[] {
  return names.map((covariate, k) => {
    const x = covariates[k];
    const m1 = weightedMean(x, treated, 1, null);
    const m0 = weightedMean(x, treated, 0, null);
    const sd = Math.sqrt((variance(x, treated, 1, m1) + variance(x, treated, 0, m0)) / 2);
    const smdBefore = (m1 - m0) / sd;
    const smdAfter = (weightedMean(x, treated, 1, after) - weightedMean(x, treated, 0, after)) / sd;
    return { covariate, smdBefore, smdAfter, exceedsThreshold: Math.abs(smdAfter) > SMD_THRESHOLD };
  });
}
