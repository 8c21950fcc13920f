import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nearestNeighbourMatch, stableOrder } from '../../../src/domain/evaluation/matching.js';
import { parseCohort } from '../../../src/domain/evaluation/cohort.js';
import { analyse, DEFAULT_OPTIONS, evaluateCohort, subsetCohort } from '../../../src/domain/evaluation/evaluate.js';
import { SYNTH_COVARIATES, synthCohort, synthCsv } from '../../../src/domain/evaluation/synth.js';

/** The greedy rule written the slow way: each pass, treated by descending distance, nearest unused control within the caliper. */
function bruteForce(d: number[], treated: number[], caliper: number, ratio: number): number[][] {
  const controls = d.map((_, i) => i).filter((i) => !treated[i]);
  const used = new Set<number>();
  const order = d
    .map((_, i) => i)
    .filter((i) => treated[i])
    .sort((a, b) => d[b] - d[a] || a - b);
  const matches = new Map<number, number[]>(order.map((t) => [t, []]));
  for (let pass = 0; pass < ratio; pass++) {
    for (const t of order) {
      let best = -1;
      for (const c of controls) {
        if (used.has(c) || Math.abs(d[c] - d[t]) > caliper) continue;
        const gap = Math.abs(d[c] - d[t]);
        const bestGap = best < 0 ? Infinity : Math.abs(d[best] - d[t]);
        // An equal gap on both sides goes to the lower distance.
        if (gap < bestGap || (gap === bestGap && d[c] < d[best])) best = c;
      }
      if (best >= 0) {
        used.add(best);
        matches.get(t)!.push(best);
      }
    }
  }
  return d
    .map((_, i) => i)
    .filter((i) => treated[i])
    .map((t) => matches.get(t)!);
}

test('matching equals the brute-force greedy rule (1:k, calipers, equal gaps on both sides going to the lower distance)', () => {
  fc.assert(
    fc.property(
      // Multiples of 1/16 keep every difference exact, so gaps tie only when they are truly equal.
      fc.uniqueArray(fc.integer({ min: -80, max: 80 }), { minLength: 2, maxLength: 60 }).map((xs) => xs.map((x) => x / 16)),
      fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
      fc.integer({ min: 1, max: 48 }).map((c) => c / 16),
      fc.integer({ min: 1, max: 3 }),
      (d, flags, caliper, ratio) => {
        const treated = d.map((_, i) => (flags[i] ? 1 : 0));
        const m = nearestNeighbourMatch(Float64Array.from(d), Uint8Array.from(treated), { caliper, ratio, replace: false });
        const ours = Array.from(m.treatedIndex, (_, r) => Array.from(m.matches.subarray(r * ratio, (r + 1) * ratio)).filter((c) => c >= 0));
        assert.deepEqual(ours, bruteForce(d, treated, caliper, ratio));
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});

test('with replacement a control may serve several treated men but never fills two slots of the same man', () => {
  const d = Float64Array.from([0, 0.1, 0.2, 5, 5.1]);
  const treated = Uint8Array.from([1, 1, 0, 0, 0]);
  const m = nearestNeighbourMatch(d, treated, { caliper: null, ratio: 2, replace: true });
  // Both treated men take control 2 (nearest) first, then the next nearest distinct control, 3.
  assert.deepEqual(Array.from(m.matches), [2, 3, 2, 3]);
  assert.equal(m.matchedComparison, 2);
});

test('equal distances on both sides go to the lower-distance (left) control, as MatchIt', () => {
  const d = Float64Array.from([1, 0.5, 1.5]);
  const m = nearestNeighbourMatch(d, Uint8Array.from([1, 0, 0]), { caliper: null, ratio: 1, replace: false });
  assert.deepEqual(Array.from(m.matches), [1]);
});

test('stable order sorts numerically, ties in index order, both directions, with −0 equal to +0', () => {
  const key = Float64Array.from([3, -1, 2, -1, -0, 0, 1e300, -1e-300]);
  assert.deepEqual(Array.from(stableOrder(key)), [1, 3, 7, 4, 5, 2, 0, 6]);
  assert.deepEqual(Array.from(stableOrder(key, true)), [6, 0, 2, 4, 5, 7, 1, 3]);
});

test('--by-risk-band repeats the whole analysis within each band: each band equals the analysis of its men alone', () => {
  const s = synthCohort({ preset: 'mews2017', seed: 8, rows: 6000 });
  const cohort = parseCohort(synthCsv(s), { covariates: ['age_at_release', 'prior_violent', 'sentence_years'], outcome: 'sexual' });
  const result = evaluateCohort(cohort, { rows: cohort.rows, sha256: 'x' }, { ...DEFAULT_OPTIONS, byRiskBand: true });
  const medium = analyse(
    subsetCohort(cohort, (i) => cohort.riskBand[i] === 1),
    DEFAULT_OPTIONS,
  );
  assert.deepEqual(result.byRiskBand?.medium, medium);
  const bandTotal = Object.values(result.byRiskBand ?? {}).reduce((n, a) => n + ('counts' in a ? a.counts.treated + a.counts.comparison : 0), 0);
  assert.equal(bandTotal, cohort.rows);
  assert.equal(SYNTH_COVARIATES.length, 5);
});
