// Fixed-window reconviction: proportions with Wilson score intervals and the treated-vs-comparison contrasts
// (risk difference by Newcombe's hybrid score method 10, relative risk by the log method, odds ratio by Woolf).
import { Z975 } from './distributions.js';

export interface Proportion {
  n: number;
  events: number;
  rate: number;
  ci95: [number, number];
}

export interface Contrast {
  estimate: number;
  ci95: [number, number];
  /** True when a zero cell forced the 0.5 (Haldane–Anscombe) correction to every cell. */
  zeroCellCorrection?: boolean;
}

/** Wilson score interval for x events in n. */
export function wilson(x: number, n: number, z = Z975): [number, number] {
  if (n === 0) return [NaN, NaN];
  const p = x / n;
  const z2 = z * z;
  const centre = (x + z2 / 2) / (n + z2);
  const half = (z * Math.sqrt(p * (1 - p) * n + z2 / 4)) / (n + z2);
  // Clamp only rounding: at x = 0 or x = n the exact bound is 0 or 1.
  return [x === 0 ? 0 : centre - half, x === n ? 1 : centre + half];
}

export function proportion(x: number, n: number): Proportion {
  return { n, events: x, rate: n ? x / n : NaN, ci95: wilson(x, n) };
}

/** Newcombe (1998) method 10: difference of proportions p1 − p2 from the two Wilson intervals. */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number): Contrast {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [l1, u1] = wilson(x1, n1);
  const [l2, u2] = wilson(x2, n2);
  const d = p1 - p2;
  return {
    estimate: d,
    ci95: [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)],
  };
}

/** Treated (x1 of n1) over comparison (x2 of n2); a zero cell adds 0.5 to all four cells. */
export function relativeRisk(x1: number, n1: number, x2: number, n2: number): Contrast {
  const zero = x1 === 0 || x2 === 0 || x1 === n1 || x2 === n2;
  const c = zero ? 0.5 : 0;
  const a = x1 + c;
  const m1 = n1 + 2 * c;
  const b = x2 + c;
  const m2 = n2 + 2 * c;
  const rr = a / m1 / (b / m2);
  const se = Math.sqrt(1 / a - 1 / m1 + 1 / b - 1 / m2);
  return { estimate: rr, ci95: [rr * Math.exp(-Z975 * se), rr * Math.exp(Z975 * se)], ...(zero ? { zeroCellCorrection: true } : {}) };
}

/** Woolf's logit interval; a zero cell adds 0.5 to all four cells. */
export function oddsRatio(x1: number, n1: number, x2: number, n2: number): Contrast {
  const zero = x1 === 0 || x2 === 0 || x1 === n1 || x2 === n2;
  const c = zero ? 0.5 : 0;
  const a = x1 + c;
  const b = n1 - x1 + c;
  const cc = x2 + c;
  const d = n2 - x2 + c;
  const or = (a * d) / (b * cc);
  const se = Math.sqrt(1 / a + 1 / b + 1 / cc + 1 / d);
  return { estimate: or, ci95: [or * Math.exp(-Z975 * se), or * Math.exp(Z975 * se)], ...(zero ? { zeroCellCorrection: true } : {}) };
}
