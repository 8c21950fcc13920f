import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarLowerBound, facilitatorDaysLowerBound } from '../../../src/domain/schedule/bounds.js';
import { solve } from '../../../src/domain/schedule/solver.js';
import { facilitator, rules, smallSite } from './scenarios.js';

const lastFinish = (dates: string[]) => [...dates].sort().at(-1);

test('the calendar bound for a weekday site from 4 January 2027 is Tuesday 4 May (Easter and early May skipped)', () => {
  const scenario = smallSite();
  assert.equal(calendarLowerBound(scenario, rules, scenario.groups[0]), '2027-05-04');
});

test('the calendar bound skips site closures: two closed days push it to Thursday 6 May', () => {
  const scenario = smallSite();
  scenario.closures = [
    { site: 'A', date: '2027-02-15' },
    { site: 'A', date: '2027-02-16' },
  ];
  assert.equal(calendarLowerBound(scenario, rules, scenario.groups[0]), '2027-05-06');
});

test('with six facilitators and no leave the facilitator bound is the calendar bound', () => {
  assert.equal(facilitatorDaysLowerBound(smallSite(), rules, 'A'), '2027-05-04');
});

// 252 sessions at 2 a day need 126 working days. The 25 weeks to 25 June hold 125 weekdays less 4 bank
// holidays (26 and 29 March, 3 and 31 May) = 121, so the last 5 fall on 28 June - 2 July.
test('four facilitators for three groups: the site cannot finish before Friday 2 July 2027', () => {
  const scenario = smallSite();
  scenario.facilitators = ['f1', 'f2', 'f3', 'f4'].map((id) => facilitator(id));
  scenario.groups = scenario.groups.map((g) => ({ ...g, team: ['f1', 'f2', 'f3', 'f4'] }));
  assert.equal(facilitatorDaysLowerBound(scenario, rules, 'A'), '2027-07-02');
});

// Every group's finish counts: two groups on their calendar bound and the third after them (ratios 1, 1 and about 2)
// beat all three finishing together on 2 July (about 1.49 each), though the site's last finish is later.
test('four facilitators for three groups: the mean ratio counts every finish, so two groups run first and finish on their calendar bound', () => {
  const scenario = smallSite();
  scenario.facilitators = ['f1', 'f2', 'f3', 'f4'].map((id) => facilitator(id));
  scenario.groups = scenario.groups.map((g) => ({ ...g, team: ['f1', 'f2', 'f3', 'f4'] }));
  const finishes = solve(scenario, rules)
    .groups.map((g) => g.lastDate)
    .sort();
  assert.deepEqual(finishes.slice(0, 2), ['2027-05-04', '2027-05-04']);
  assert.ok((finishes[2] as string) > '2027-07-02');
});

test('one facilitator away one day with six for three groups costs the site one session: bound and solver both Wednesday 5 May', () => {
  const scenario = smallSite();
  scenario.facilitators[0].unavailable = ['2027-01-06'];
  assert.equal(facilitatorDaysLowerBound(scenario, rules, 'A'), '2027-05-05');
  assert.equal(lastFinish(solve(scenario, rules).groups.map((g) => g.lastDate)), '2027-05-05');
});

test("facilitators' weekly limit caps the site: six at 4 a week give 12 sessions a week, so not before Thursday 27 May", () => {
  const scenario = smallSite();
  scenario.facilitators = scenario.facilitators.map((f) => ({ ...f, maxSessionsPerWeek: 4 }));
  // 6 × 4 / 2 = 12 sessions a week instead of 15: 252 / 12 = 21 weeks from 4 January. Bank holiday weeks still
  // have four days × 3 = 12, and in week 21 (from Monday 24 May) three a day reach 12 on the Thursday.
  assert.equal(facilitatorDaysLowerBound(scenario, rules, 'A'), '2027-05-27');
});
