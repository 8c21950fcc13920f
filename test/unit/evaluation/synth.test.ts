import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCohort } from '../../../src/domain/evaluation/cohort.js';
import { analyse, DEFAULT_OPTIONS } from '../../../src/domain/evaluation/evaluate.js';
import { Rng, SYNTH_COVARIATES, synthCohort, synthCsv } from '../../../src/domain/evaluation/synth.js';

test('the same seed gives the same cohort, byte for byte; another seed gives another', () => {
  const a = synthCsv(synthCohort({ preset: 'mews2017', seed: 42, rows: 2000 }));
  const b = synthCsv(synthCohort({ preset: 'mews2017', seed: 42, rows: 2000 }));
  const c = synthCsv(synthCohort({ preset: 'mews2017', seed: 43, rows: 2000 }));
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('presets have the published sizes, and --rows keeps the treated fraction', () => {
  const f = synthCohort({ preset: 'friendship2003', seed: 1 });
  assert.deepEqual([f.truth.treated, f.truth.comparison], [647, 1910]);
  const m = synthCohort({ preset: 'mews2017', seed: 1 });
  assert.deepEqual([m.truth.treated, m.truth.comparison], [2562, 13219]);
  const scaled = synthCohort({ preset: 'mews2017', seed: 1, rows: 100_000 });
  assert.equal(scaled.truth.treated, Math.round((100_000 * 2562) / 15781));
});

test('the truth is calibrated to the published naive rates (mews2017: 10% vs 8% over follow-up averaging about 8.2 years)', () => {
  const m = synthCohort({ preset: 'mews2017', seed: 3 });
  const sexual = m.truth.outcomes.find((o) => o.name === 'sexual')!;
  assert.ok(Math.abs(sexual.expectedTreatedRate - 0.1) < 1e-9);
  assert.ok(Math.abs(sexual.expectedComparisonRate - 0.08) < 1e-9);
  let followupYears = 0;
  for (let i = 0; i < m.endDay.length; i++) followupYears += (m.endDay[i] - m.releaseDay[i]) / 365.25;
  followupYears /= m.endDay.length;
  assert.ok(followupYears > 7.7 && followupYears < 8.6, `mean follow-up ${followupYears}`);
  const f = synthCohort({ preset: 'friendship2003', seed: 3 }).truth.outcomes[0];
  assert.equal(f.name, 'sexual_violent');
  assert.ok(Math.abs(f.expectedTreatedRate - 0.046) < 1e-9 && Math.abs(f.expectedComparisonRate - 0.081) < 1e-9);
});

test('uniform draws lie in (0, 1) with mean ½ and the normal has variance 1 (loose, fixed seed)', () => {
  const rng = new Rng(9);
  let s = 0;
  let s2 = 0;
  let min = 1;
  let max = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    min = Math.min(min, u);
    max = Math.max(max, u);
    s += u;
    const z = rng.normal();
    s2 += z * z;
  }
  assert.ok(min > 0 && max < 1);
  assert.ok(Math.abs(s / n - 0.5) < 0.005);
  assert.ok(Math.abs(s2 / n - 1) < 0.02);
});

for (const [preset, outcome, seed] of [
  ['friendship2003', 'sexual_violent', 3],
  ['mews2017', 'sexual', 2],
] as const) {
  test(`${preset}: the naive hazard ratio is biased but the matched one is near the true effect (seed ${seed}, 40,000 men)`, () => {
    const s = synthCohort({ preset, seed, rows: 40_000 });
    const truth = s.truth.outcomes.find((o) => o.name === outcome)!.trueHazardRatio;
    const cohort = parseCohort(synthCsv(s), { covariates: [...SYNTH_COVARIATES], outcome });
    const matched = analyse(cohort, DEFAULT_OPTIONS).survival.cox;
    const naive = analyse(cohort, { ...DEFAULT_OPTIONS, match: false }).survival.cox;
    assert.ok(matched.ci95[0] < truth && truth < matched.ci95[1], `matched CI ${matched.ci95} misses ${truth}`);
    assert.ok(!(naive.ci95[0] < truth && truth < naive.ci95[1]), `naive CI ${naive.ci95} covers ${truth}`);
    const error = (hr: number) => Math.abs(Math.log(hr) - Math.log(truth));
    assert.ok(error(naive.hazardRatio) > 3 * error(matched.hazardRatio));
  });
}
