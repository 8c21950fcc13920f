// Change per scale by Jacobson & Truax (1991): the change score, the reliable change index and the
// clinical-significance cut-off c, read with the scale's direction (whether lower or higher scores are better).
import type { Better } from './instrument.js';

/** |RCI| must exceed this (the two-sided 5% point of the normal distribution) for the change to be reliable. */
export const reliableChangeThreshold = 1.96;

export const reliableChanges = ['improved', 'deteriorated', 'no_reliable_change'] as const;
export type ReliableChange = (typeof reliableChanges)[number];

export interface ChangeInput {
  pre: number;
  post: number;
  /** SD of the dysfunctional (pre-treatment) sample: the SD the RCI uses. */
  sd: number;
  /** Test–retest reliability r, in [0, 1). */
  reliability: number;
  better: Better;
  /** Both samples' means and the functional SD: without them there is no cut-off. */
  norms?: { dysfunctionalMean: number; functionalMean: number; functionalSd: number };
}

export interface ChangeResult {
  change: number;
  sDiff: number;
  rci: number;
  reliableChange: ReliableChange;
  cutoff: number | null;
  /** Reliable improvement that crosses c from the dysfunctional side to the functional side ("recovered"); null without norms. */
  clinicallySignificant: boolean | null;
}

/** What is wrong with a change input, by field, or null: SD must be more than 0, r in [0, 1), every number finite. */
export function changeInputProblem(
  input: ChangeInput,
): { field: keyof ChangeInput | 'functionalSd' | 'dysfunctionalMean' | 'functionalMean'; message: string } | null {
  for (const field of ['pre', 'post', 'sd', 'reliability'] as const) {
    if (!Number.isFinite(input[field])) return { field, message: 'must be a number' };
  }
  if (input.sd <= 0) return { field: 'sd', message: 'must be more than 0' };
  if (input.reliability < 0 || input.reliability >= 1) return { field: 'reliability', message: 'must be 0 or more and less than 1' };
  if (input.norms) {
    for (const field of ['dysfunctionalMean', 'functionalMean', 'functionalSd'] as const) {
      if (!Number.isFinite(input.norms[field])) return { field, message: 'must be a number' };
    }
    if (input.norms.functionalSd <= 0) return { field: 'functionalSd', message: 'must be more than 0' };
  }
  return null;
}

/** c = (SD_dysf · M_func + SD_func · M_dysf) / (SD_dysf + SD_func). */
export function clinicalCutoff(dysfunctionalSd: number, dysfunctionalMean: number, functionalSd: number, functionalMean: number): number {
  return (dysfunctionalSd * functionalMean + functionalSd * dysfunctionalMean) / (dysfunctionalSd + functionalSd);
}

/** Change, RCI and clinical significance for one scale; the caller has checked the input (changeInputProblem). */
export function reliableChange(input: ChangeInput): ChangeResult {
  const change = input.post - input.pre;
  // √2 · SD · √(1 − r), taken as SD · √(2(1 − r)) so that r = 0.5 gives exactly SD.
  const sDiff = input.sd * Math.sqrt(2 * (1 - input.reliability));
  const rci = change / sDiff;
  const improvedSign = input.better === 'lower' ? -1 : 1;
  const reliable = Math.abs(rci) > reliableChangeThreshold;
  const verdict: ReliableChange = !reliable ? 'no_reliable_change' : Math.sign(rci) === improvedSign ? 'improved' : 'deteriorated';
  if (!input.norms) return { change, sDiff, rci, reliableChange: verdict, cutoff: null, clinicallySignificant: null };
  const cutoff = clinicalCutoff(input.sd, input.norms.dysfunctionalMean, input.norms.functionalSd, input.norms.functionalMean);
  const crossed = input.better === 'lower' ? input.pre > cutoff && input.post < cutoff : input.pre < cutoff && input.post > cutoff;
  return { change, sDiff, rci, reliableChange: verdict, cutoff, clinicallySignificant: verdict === 'improved' && crossed };
}

export interface DomainSummary {
  domain: string;
  /** Scale results counted (a man counts once for each scale measuring the domain). */
  n: number;
  improved: number;
  unchanged: number;
  deteriorated: number;
  recovered: number;
}

/** Counts per risk domain of improved, unchanged, deteriorated and recovered (recovered men are among the improved). */
export function summariseByDomain(results: ReadonlyArray<{ domain: string; change: ChangeResult }>, domains: readonly string[]): DomainSummary[] {
  return domains.map((domain) => {
    const own = results.filter((r) => r.domain === domain).map((r) => r.change);
    return {
      domain,
      n: own.length,
      improved: own.filter((c) => c.reliableChange === 'improved').length,
      unchanged: own.filter((c) => c.reliableChange === 'no_reliable_change').length,
      deteriorated: own.filter((c) => c.reliableChange === 'deteriorated').length,
      recovered: own.filter((c) => c.clinicallySignificant === true).length,
    };
  });
}
