import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS } from '../../../src/domain/evaluation/evaluate.js';
import {
  addMonths,
  decide,
  DEFAULT_DESIGN,
  followupAsOf,
  GroupSequentialBoundaries,
  harmMonitor,
  lookDates,
  lookStatistic,
  propensityStrata,
  stratifiedLogRank,
  monitorCohort,
  spending,
  type MonitorDesign,
  type SpendingFunction,
} from '../../../src/domain/evaluation/monitor.js';
import { dayNumber, Rng, synthAsCohort, synthCohort } from '../../../src/domain/evaluation/synth.js';
import { logRank, timeTable } from '../../../src/domain/evaluation/survival.js';

const equal = (k: number) => Array.from({ length: k }, (_, i) => (i + 1) / k);

/** Boundaries for equally spaced looks; `twoSided` spends the same alpha on the benefit side. */
function boundaries(fn: SpendingFunction, k: number, alpha: number, twoSided: boolean): number[] {
  const b = new GroupSequentialBoundaries();
  return equal(k).map((t) => {
    const a = spending(fn, t, alpha);
    return b.next(a, twoSided ? a : null, t).harm;
  });
}

test('Lan–DeMets spending functions spend exactly alpha at the end, nothing at the start, and more each look', () => {
  for (const fn of ['obrien_fleming', 'pocock'] as const) {
    assert.ok(Math.abs(spending(fn, 1, 0.025) - 0.025) < 1e-12);
    assert.equal(spending(fn, 0, 0.025), 0);
    const spent = equal(5).map((t) => spending(fn, t, 0.025));
    for (let k = 1; k < 5; k++) assert.ok(spent[k] > spent[k - 1]);
  }
  // O'Brien–Fleming-type spends almost nothing at the first of five looks; Pocock-type spends much more.
  assert.ok(spending('obrien_fleming', 0.2, 0.025) < 1e-5);
  assert.ok(Math.abs(spending('pocock', 0.2, 0.025) - 0.025 * Math.log(1 + (Math.E - 1) * 0.2)) < 1e-15);
});

// Published Lan–DeMets boundaries for equally spaced looks, two-sided α = 0.05 (0.025 each side). K = 5: DeMets &
// Lan (1994), Statistics in Medicine 13:1341–52, Table I. Every row, K = 2–5, was also recomputed independently in R
// with scripts/r/lan-demets-boundaries.R (mvtnorm; one- and two-sided alike), to 3 decimals.
const PUBLISHED: Array<{ fn: SpendingFunction; k: number; upper: number[] }> = [
  { fn: 'obrien_fleming', k: 2, upper: [2.963, 1.969] },
  { fn: 'obrien_fleming', k: 3, upper: [3.71, 2.511, 1.993] },
  { fn: 'obrien_fleming', k: 4, upper: [4.333, 2.963, 2.359, 2.014] },
  { fn: 'obrien_fleming', k: 5, upper: [4.877, 3.357, 2.68, 2.29, 2.031] },
  { fn: 'pocock', k: 2, upper: [2.157, 2.201] },
  { fn: 'pocock', k: 3, upper: [2.279, 2.295, 2.296] },
  { fn: 'pocock', k: 4, upper: [2.368, 2.368, 2.358, 2.35] },
  { fn: 'pocock', k: 5, upper: [2.438, 2.427, 2.41, 2.397, 2.386] },
];

for (const { fn, k, upper } of PUBLISHED) {
  test(`${k} equally spaced looks give the published Lan–DeMets ${fn === 'pocock' ? 'Pocock' : 'O’Brien–Fleming'}-type boundaries ${upper.join(', ')} (two-sided 5%)`, () => {
    const twoSided = boundaries(fn, k, 0.025, true);
    upper.forEach((expected, look) => assert.ok(Math.abs(twoSided[look] - expected) < 5e-4, `look ${look + 1}: ${twoSided[look]}`));
  });
}

test('a one-sided design at 2.5% has the upper boundaries of the symmetric two-sided 5% design to 3 decimals', () => {
  for (const fn of ['obrien_fleming', 'pocock'] as const) {
    const one = boundaries(fn, 5, 0.025, false);
    const two = boundaries(fn, 5, 0.025, true);
    one.forEach((c, k) => assert.ok(Math.abs(c - two[k]) < 5e-4, `${fn} look ${k + 1}: ${c} vs ${two[k]}`));
  }
  // With one look the boundary is the fixed-sample one-sided 1.645 at 5%.
  assert.ok(Math.abs(new GroupSequentialBoundaries().next(0.05, null, 1).harm - 1.644854) < 1e-5);
});

test('under no effect, Brownian score paths cross a one-sided Pocock-type harm boundary with total probability 0.05 (unequal looks, fixed seed)', () => {
  const info = [0.08, 0.2, 0.45, 0.6, 0.9, 1];
  const b = new GroupSequentialBoundaries();
  const c = info.map((t, k) => b.next(spending('pocock', (k + 1) / info.length, 0.05), null, t).harm);
  const rng = new Rng(2024);
  const reps = 100_000;
  let alarms = 0;
  for (let r = 0; r < reps; r++) {
    let s = 0;
    let last = 0;
    for (let k = 0; k < info.length; k++) {
      s += Math.sqrt(info[k] - last) * rng.normal();
      last = info[k];
      if (s / Math.sqrt(info[k]) >= c[k]) {
        alarms++;
        break;
      }
    }
  }
  // Binomial sd at 100,000 replications is 0.00069: allow 4 sd.
  assert.ok(Math.abs(alarms / reps - 0.05) < 0.0028, `false alarm rate ${alarms / reps}`);
});

test('a look with no new information gets no boundary and its alpha waits for the next look', () => {
  const b = new GroupSequentialBoundaries();
  b.next(0.01, 0.01, 1);
  const none = b.next(0.03, 0.03, 1);
  assert.equal(none.harm, Infinity);
  assert.equal(none.benefit, -Infinity);
  const later = b.next(0.05, 0.05, 2);
  const direct = new GroupSequentialBoundaries();
  direct.next(0.01, 0.01, 1);
  const expected = direct.next(0.05, 0.05, 2);
  assert.ok(Math.abs(later.harm - expected.harm) < 1e-9);
  assert.ok(Math.abs(later.benefit! - expected.benefit!) < 1e-9);
});

test('the looks of a design fall every so many calendar months from the first, up to the horizon', () => {
  const design: MonitorDesign = { ...DEFAULT_DESIGN, firstLook: '2016-01-31', everyMonths: 3, horizonYears: 1 };
  assert.deepEqual(lookDates(design), ['2016-01-31', '2016-04-30', '2016-07-31', '2016-10-31']);
  assert.equal(addMonths('2016-02-29', 12), '2017-02-28');
});

test('a Z at or above the harm boundary is harm, at or below the benefit boundary is benefit, otherwise continue', () => {
  assert.equal(decide(2.5, { harm: 2.5, benefit: -2.5 }), 'harm');
  assert.equal(decide(-2.5, { harm: 2.5, benefit: -2.5 }), 'benefit');
  assert.equal(decide(-9, { harm: 2.5, benefit: null }), 'continue');
  assert.equal(decide(2.49, { harm: 2.5, benefit: -2.5 }), 'continue');
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

const harmful = () => {
  const base = synthCohort({ preset: 'mews2017', seed: 5 }).truth.outcomes[0].baselineHazardPerDay;
  return synthAsCohort(
    synthCohort({
      preset: 'mews2017',
      seed: 7,
      rows: 12_000,
      releaseFrom: '2000-01-01',
      releaseTo: '2004-12-31',
      endOfStudy: '2006-01-01',
      hazardRatio: { sexual: 2, violent: 1 },
      baselineHazard: { sexual: base * 3, violent: base },
    }),
    'sexual',
  );
};

test('with one stratum the look statistic is the log-rank test (as survdiff) on the men released by the look', () => {
  const cohort = harmful();
  const day = dayNumber('2003-01-01');
  const stat = stratifiedLogRank(cohort, day, { ...propensityStrata(cohort, day, 1), strata: 1 });
  const { time, event } = followupAsOf(cohort, day);
  const released = Uint8Array.from(cohort.releaseDay, (d) => (d < day ? 1 : 0));
  const lr = logRank(timeTable(time, event, cohort.treated, released));
  assert.ok(Math.abs(stat.statistic ** 2 - lr.chisq) < 1e-9 * lr.chisq);
  assert.equal(Math.sign(stat.statistic), Math.sign(lr.observedTreated - lr.expectedTreated));
});

test('a look uses only men released before its date, and events and follow-up known by it', () => {
  const cohort = harmful();
  const day = dayNumber('2003-01-01');
  const before = lookStatistic(cohort, day);
  // Rewrite everything the look must not see: later releases swap arms, later events vanish.
  const later = { ...cohort, treated: Uint8Array.from(cohort.treated), event: Uint8Array.from(cohort.event), time: Float64Array.from(cohort.time) };
  for (let i = 0; i < cohort.rows; i++) {
    if (cohort.releaseDay[i] >= day) later.treated[i] = 1 - cohort.treated[i];
    else if (cohort.releaseDay[i] + cohort.time[i] > day) {
      later.event[i] = 0;
      later.time[i] = day - cohort.releaseDay[i] + 30;
    }
  }
  assert.deepEqual(lookStatistic(later, day), before);
});

test('the default design flags a strongly harmful programme as harm at the first look whose Z reaches the harm boundary', () => {
  const result = monitorCohort(harmful(), { ...DEFAULT_DESIGN, firstLook: '2001-01-01', horizonYears: 5 }, { until: '2006-01-01' });
  assert.equal(result.flag?.decision, 'harm');
  const at = result.looks.findIndex((l) => l.date === result.flag!.date);
  assert.ok(result.looks[at].statistic >= result.looks[at].boundary.harm);
  for (const look of result.looks.slice(0, at)) assert.equal(look.decision, 'continue');
  assert.equal(result.looks.length, 5, 'a live monitor reports every look, not only up to the flag');
});
