import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS } from '../../../src/domain/evaluation/evaluate.js';
import { followupAsOf, harmMonitor, obrienFlemingSpending, sequentialBoundaries } from '../../../src/domain/evaluation/monitor.js';
import { dayNumber, Rng, synthAsCohort, synthCohort } from '../../../src/domain/evaluation/synth.js';

const equal = (k: number) => Array.from({ length: k }, (_, i) => (i + 1) / k);

test('O’Brien–Fleming-type spending spends exactly 0.05 at the final look and little early on', () => {
  assert.ok(Math.abs(obrienFlemingSpending(1) - 0.05) < 1e-12);
  assert.equal(obrienFlemingSpending(0), 0);
  const t = equal(5);
  const spent = t.map((x) => obrienFlemingSpending(x));
  for (let k = 1; k < 5; k++) assert.ok(spent[k] > spent[k - 1]);
  assert.ok(spent[0] < 1e-5);
});

test('5 equally spaced looks give the published Lan–DeMets O’Brien–Fleming boundaries 4.877, 3.357, 2.680, 2.290, 2.031', () => {
  const t = equal(5);
  const c = sequentialBoundaries(
    t.map((x) => obrienFlemingSpending(x)),
    t,
  );
  [4.877, 3.357, 2.68, 2.29, 2.031].forEach((expected, k) => assert.ok(Math.abs(c[k] - expected) < 1e-3, `look ${k + 1}: ${c[k]}`));
  for (let k = 1; k < 5; k++) assert.ok(c[k] < c[k - 1], 'boundaries decrease');
  // With one look the boundary is the fixed-sample 1.96.
  assert.ok(Math.abs(sequentialBoundaries([0.05], [1])[0] - 1.959964) < 1e-5);
});

test('under no effect, Brownian score paths cross the boundaries with total probability 0.05 (unequal looks, fixed seed)', () => {
  const info = [0.08, 0.2, 0.45, 0.6, 0.9, 1];
  const c = sequentialBoundaries(
    info.map((t) => obrienFlemingSpending(t)),
    info,
  );
  const rng = new Rng(2024);
  const reps = 200_000;
  let alarms = 0;
  for (let r = 0; r < reps; r++) {
    let s = 0;
    let last = 0;
    for (let k = 0; k < info.length; k++) {
      s += Math.sqrt(info[k] - last) * rng.normal();
      last = info[k];
      if (Math.abs(s / Math.sqrt(info[k])) >= c[k]) {
        alarms++;
        break;
      }
    }
  }
  // Binomial sd at 200,000 replications is 0.00049: allow 4 sd.
  assert.ok(Math.abs(alarms / reps - 0.05) < 0.002, `false alarm rate ${alarms / reps}`);
});

test('a look with no new information gets no boundary and its alpha waits for the next look', () => {
  const c = sequentialBoundaries([0.01, 0.03, 0.05], [1, 1, 2]);
  assert.equal(c[1], Infinity);
  const direct = sequentialBoundaries([0.01, 0.05], [1, 2]);
  assert.ok(Math.abs(c[2] - direct[1]) < 1e-9);
});

test('follow-up as of a look is cut at the look: no time beyond it, and events after it not yet seen', () => {
  const cohort = synthAsCohort(synthCohort({ preset: 'mews2017', seed: 4, rows: 3000 }), 'sexual');
  const day = dayNumber('2006-01-01');
  const { time, event } = followupAsOf(cohort, day);
  let cut = 0;
  for (let i = 0; i < cohort.rows; i++) {
    if (cohort.releaseDay[i] >= day) continue;
    assert.ok(cohort.releaseDay[i] + time[i] <= day);
    assert.ok(time[i] <= cohort.time[i]);
    if (event[i]) assert.equal(time[i], cohort.time[i]);
    if (cohort.event[i] && !event[i]) cut++;
  }
  assert.ok(cut > 0, 'some later events are not yet seen');
});

test('a strongly harmful programme is flagged as harm, and the flag is the first look whose |z| reaches its boundary', () => {
  const start = dayNumber('2000-01-01');
  const base = synthCohort({ preset: 'mews2017', seed: 5 }).truth.outcomes[0].baselineHazardPerDay;
  const s = synthCohort({
    preset: 'mews2017',
    seed: 6,
    rows: 30_000,
    releaseFrom: '2000-01-01',
    releaseTo: '2004-12-31',
    endOfStudy: '2006-01-01',
    hazardRatio: { sexual: 2.5, violent: 1 },
    baselineHazard: { sexual: base * 3, violent: base },
  });
  const lookDays = [1, 2, 3, 4, 5, 6].map((y) => start + Math.round(365.25 * y));
  const result = harmMonitor(synthAsCohort(s, 'sexual'), { lookDays, plannedLooks: 6, evaluate: DEFAULT_OPTIONS, stopAtFlag: true });
  assert.equal(result.flagged?.direction, 'harm');
  const k = result.flagged!.look;
  assert.ok(result.looks[k - 1].z >= result.looks[k - 1].boundary);
  for (const look of result.looks.slice(0, k - 1)) assert.ok(Math.abs(look.z) < look.boundary);
});
