import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCohort } from '../../../src/domain/evaluation/cohort.js';
import { analyse, CohortNotAnalysable, DEFAULT_OPTIONS, evaluateCohort } from '../../../src/domain/evaluation/evaluate.js';
import { harmMonitor } from '../../../src/domain/evaluation/monitor.js';
import { dayNumber, isoDate } from '../../../src/domain/evaluation/synth.js';

const header = 'person_ref,treated,release_date,end_of_followup,risk_band,age,prior_sexual,region,sexual_reoffence_date';
const csv = (rows: string[]) => [header, ...rows].join('\n') + '\n';
const covariates = { covariates: ['age', 'prior_sexual'], outcome: 'sexual' };

// Twelve men, ages overlapping between the arms: [ref, treated, band, age, prior_sexual, day of reoffence or null].
const men: Array<[string, 0 | 1, string, number, number, number | null]> = [
  ['T1', 1, 'low', 25, 1, 151],
  ['T2', 1, 'low', 31, 0, null],
  ['T3', 1, 'medium', 38, 2, null],
  ['T4', 1, 'medium', 44, 1, 424],
  ['T5', 1, 'high', 52, 0, null],
  ['T6', 1, 'high', 29, 3, null],
  ['C1', 0, 'low', 27, 0, 243],
  ['C2', 0, 'low', 33, 2, null],
  ['C3', 0, 'medium', 41, 1, 485],
  ['C4', 0, 'medium', 47, 0, null],
  ['C5', 0, 'high', 55, 1, 638],
  ['C6', 0, 'high', 36, 2, null],
];
/** The twelve men released on `release` and followed for 730 days; region is 1 for all. */
function cohortRows(release: string, prefix = ''): string[] {
  const r = dayNumber(release);
  return men.map(([ref, treated, band, age, prior, event]) =>
    [`${prefix}${ref}`, treated, release, isoDate(r + 730), band, age, prior, 1, event === null ? '' : isoDate(r + event)].join(','),
  );
}
const wholeWindow = cohortRows('2010-01-01');
const noMatch = { ...DEFAULT_OPTIONS, match: false, windowDays: 365 };

test('a man followed for less than the window is excluded from the window table even when he reoffended within it', () => {
  // T7 left observation after 100 days, having reoffended on day 50; C7 was followed 364 days and reoffended too.
  const rows = [...wholeWindow, 'T7,1,2010-01-01,2010-04-11,low,30,1,1,2010-02-20', 'C7,0,2010-01-01,2010-12-31,low,30,1,1,2010-03-01'];
  const { window } = analyse(parseCohort(csv(rows), covariates), noMatch);
  // Within 365 days: T1 (day 151) of T1–T6, and C1 (day 243) of C1–C6; C3 and C5 reoffended after day 365.
  assert.deepEqual([window.treated.events, window.treated.n], [1, 6]);
  assert.deepEqual([window.comparison.events, window.comparison.n], [1, 6]);
});

test('a man followed for exactly the window is in the window table', () => {
  // 2010-01-01 to 2011-01-01 is 365 days: the whole window, though not a day more.
  const rows = [...wholeWindow, 'T7,1,2010-01-01,2011-01-01,low,30,1,1,'];
  const { window } = analyse(parseCohort(csv(rows), covariates), noMatch);
  assert.equal(window.treated.n, 7);
});

function refusal(run: () => unknown): CohortNotAnalysable {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CohortNotAnalysable, `${(error as Error).name}: ${(error as Error).message}`);
    return error;
  }
  assert.fail('the cohort was analysed');
}

test('a covariate with the same value for every man is refused naming the covariate, not its position', () => {
  const cohort = parseCohort(csv(wholeWindow), { covariates: ['age', 'region', 'prior_sexual'], outcome: 'sexual' });
  const error = refusal(() => evaluateCohort(cohort, { rows: cohort.rows, sha256: '' }, DEFAULT_OPTIONS));
  assert.equal(error.field, 'covariates');
  assert.match(error.message, /Covariate region has the same value \(1\) for every man/);
});

test('a covariate that is a combination of the others is refused naming it', () => {
  const rows = wholeWindow.map((r) => {
    const f = r.split(',');
    f[7] = String(Number(f[5]) + 2 * Number(f[6]));
    return f.join(',');
  });
  const cohort = parseCohort(csv(rows), { covariates: ['age', 'prior_sexual', 'region'], outcome: 'sexual' });
  const error = refusal(() => evaluateCohort(cohort, { rows: cohort.rows, sha256: '' }, DEFAULT_OPTIONS));
  assert.equal(error.field, 'covariates');
  assert.match(error.message, /Covariate region is a combination of age, prior_sexual/);
});

test('a cohort with only one arm is refused naming the missing arm', () => {
  const treatedOnly = parseCohort(csv(wholeWindow.filter((r) => r.startsWith('T'))), covariates);
  const noComparison = refusal(() => evaluateCohort(treatedOnly, { rows: treatedOnly.rows, sha256: '' }, DEFAULT_OPTIONS));
  assert.equal(noComparison.field, 'treated');
  assert.match(noComparison.message, /no comparison men \(treated = 0\)/);
  const comparisonOnly = parseCohort(csv(wholeWindow.filter((r) => r.startsWith('C'))), covariates);
  assert.match(
    refusal(() => evaluateCohort(comparisonOnly, { rows: comparisonOnly.rows, sha256: '' }, DEFAULT_OPTIONS)).message,
    /no treated men \(treated = 1\)/,
  );
});

test('a risk band that cannot be analysed is reported within the evaluation, and the other bands are analysed', () => {
  // Without T1 and T2 the low band has comparison men only.
  const cohort = parseCohort(csv(wholeWindow.filter((r) => !/^T[12],/.test(r))), covariates);
  const result = evaluateCohort(cohort, { rows: cohort.rows, sha256: '' }, { ...DEFAULT_OPTIONS, match: false, byRiskBand: true });
  const { low, medium } = result.byRiskBand!;
  assert.ok(low && 'error' in low);
  assert.match(low.error, /no treated men/);
  assert.ok(medium && !('error' in medium));
});

test('the harm monitor adds nobody from a year whose releases cannot be analysed, and goes on to the next look', () => {
  // The first year's releases are comparison men only; the second year's are both arms.
  const year1 = ['X1,0,2010-02-01,2013-01-01,low,30,1,1,', 'X2,0,2010-03-01,2013-01-01,low,40,0,1,'];
  const cohort = parseCohort(csv([...year1, ...cohortRows('2011-01-01', 'Y')]), covariates);
  const result = harmMonitor(cohort, {
    lookDays: [dayNumber('2011-01-01'), dayNumber('2012-01-01')],
    plannedLooks: 2,
    evaluate: { ...DEFAULT_OPTIONS, match: false },
  });
  assert.equal(result.looks[0].men, 0);
  assert.equal(result.looks[1].men, 12);
});
