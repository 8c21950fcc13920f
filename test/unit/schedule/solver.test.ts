import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findSwapCandidates, replanGroup, solve, type PlannedSession, type Scenario } from '../../../src/domain/schedule/solver.js';
import { checkTimetable } from '../../../src/domain/schedule/check.js';
import { calendarLowerBound, facilitatorDaysLowerBound } from '../../../src/domain/schedule/bounds.js';
import { arbitraryScenario, facilitator, rules, smallSite, weekdaySlots } from './scenarios.js';

const sessionsOf = (sessions: PlannedSession[], group: string) => sessions.filter((s) => s.group === group);

test('three groups with six full-time facilitators all finish on the calendar bound, Tuesday 4 May 2027', () => {
  const scenario = smallSite();
  const solution = solve(scenario, rules);
  assert.deepEqual(solution.unscheduled, []);
  assert.deepEqual(
    solution.groups.map((g) => g.lastDate),
    ['2027-05-04', '2027-05-04', '2027-05-04'],
  );
  assert.deepEqual(checkTimetable(scenario, rules, solution), []);
});

test('a group keeps the same facilitator pair throughout when nothing forces a change', () => {
  const solution = solve(smallSite(), rules);
  for (const group of ['g1', 'g2', 'g3']) {
    const pairs = new Set(sessionsOf(solution.sessions, group).map((s) => s.facilitators.join('+')));
    assert.equal(pairs.size, 1, group);
  }
});

test('only team members accredited for the programme facilitate: never the outsider or the unaccredited one', () => {
  const solution = solve(smallSite(), rules);
  const used = new Set(solution.sessions.flatMap((s) => s.facilitators));
  assert.ok(!used.has('outsider') && !used.has('unaccredited'));
});

test('with four facilitators for three groups only two sessions run a day, so the last group finishes later than the calendar allows', () => {
  const scenario = smallSite();
  scenario.facilitators = ['f1', 'f2', 'f3', 'f4'].map((id) => facilitator(id));
  scenario.groups = scenario.groups.map((g) => ({ ...g, team: ['f1', 'f2', 'f3', 'f4'] }));
  const solution = solve(scenario, rules);
  assert.deepEqual(checkTimetable(scenario, rules, solution), []);
  const last = solution.groups
    .map((g) => g.lastDate)
    .sort()
    .at(-1) as string;
  // 252 sessions at 2 a day need 126 working days; 4 Jan 2027 plus 126 working days (3 bank holidays skipped) is past June.
  assert.ok(last > '2027-06-30', last);
  assert.equal(last >= (facilitatorDaysLowerBound(scenario, rules, 'A') as string), true);
});

test('a team with one accredited facilitator is unscheduled, naming the accreditation', () => {
  const scenario = smallSite();
  scenario.groups[0].team = ['f1', 'unaccredited'];
  const solution = solve(scenario, rules);
  assert.deepEqual(solution.unscheduled, [{ group: 'g1', reason: 'team has fewer than 2 facilitators accredited for core-sotp' }]);
  assert.equal(sessionsOf(solution.sessions, 'g1').length, 0);
  assert.deepEqual(checkTimetable(scenario, rules, solution), []);
});

test('a site without slots leaves its groups unscheduled with "site A has no slots"', () => {
  const scenario = smallSite();
  scenario.sites[0].slots = [];
  const solution = solve(scenario, rules);
  assert.deepEqual(
    solution.unscheduled.map((u) => u.reason),
    Array(3).fill('site A has no slots'),
  );
});

test('a group whose facilitators are never both free gives up at the horizon and says why', () => {
  const scenario = smallSite();
  const everyDayOf2027And2028 = Array.from({ length: 731 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10));
  scenario.facilitators.push(facilitator('x1'), facilitator('x2', { unavailable: everyDayOf2027And2028 }));
  scenario.groups = [{ id: 'g9', site: 'A', earliestStart: '2027-01-04', team: ['x1', 'x2'] }];
  const solution = solve(scenario, rules, { horizonYears: 1 });
  assert.equal(solution.unscheduled.length, 1);
  assert.match(solution.unscheduled[0].reason, /not finished by 2028-01-04.*0 of 84.*fewer than 2 of the team free/);
});

test('a facilitator on leave is not used that day, and the group switches pair rather than losing the day', () => {
  const scenario = smallSite();
  scenario.facilitators.push(facilitator('f7'));
  scenario.groups = scenario.groups.map((g) => ({ ...g, team: [...g.team, 'f7'] }));
  scenario.facilitators[0].unavailable = ['2027-01-06'];
  const solution = solve(scenario, rules);
  assert.ok(!solution.sessions.some((s) => s.date === '2027-01-06' && s.facilitators.includes('f1')));
  assert.deepEqual(
    solution.groups.map((g) => g.lastDate),
    ['2027-05-04', '2027-05-04', '2027-05-04'],
  );
});

test('a facilitator who works at two sites is never in two places at once', () => {
  const scenario: Scenario = {
    programme: 'core-sotp',
    closures: [],
    sites: ['A', 'B'].map((id) => ({ id, rooms: [`${id}1`], slots: weekdaySlots(['09:00']) })),
    facilitators: [facilitator('shared', { sites: ['A', 'B'] }), facilitator('a1'), facilitator('b1', { sites: ['B'] })],
    groups: [
      { id: 'ga', site: 'A', earliestStart: '2027-01-04', team: ['shared', 'a1'] },
      { id: 'gb', site: 'B', earliestStart: '2027-01-04', team: ['shared', 'b1'] },
    ],
  };
  const solution = solve(scenario, rules);
  assert.deepEqual(checkTimetable(scenario, rules, solution), []);
  const sharedDates = solution.sessions.filter((s) => s.facilitators.includes('shared')).map((s) => s.date);
  assert.equal(new Set(sharedDates).size, sharedDates.length);
  assert.equal(sharedDates.length, 168);
});

test('re-planning a group from a date keeps its earlier sessions and every other group exactly, and stays valid', () => {
  const scenario = smallSite();
  const first = solve(scenario, rules);
  // Session 20 of g2 is cancelled: the site is closed that day for g2's purposes, so re-plan from the next day.
  const cancelled = sessionsOf(first.sessions, 'g2')[19];
  const from = new Date(Date.parse(`${cancelled.date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const replanned = replanGroup(
    scenario,
    rules,
    first.sessions.filter((s) => s !== cancelled),
    'g2',
    from,
  );
  assert.deepEqual(checkTimetable(scenario, rules, replanned), []);
  assert.deepEqual(sessionsOf(replanned.sessions, 'g1'), sessionsOf(first.sessions, 'g1'));
  assert.deepEqual(sessionsOf(replanned.sessions, 'g2').slice(0, 19), sessionsOf(first.sessions, 'g2').slice(0, 19));
  const newTwentieth = sessionsOf(replanned.sessions, 'g2')[19];
  assert.equal(newTwentieth.number, 20);
  assert.ok(newTwentieth.date >= from);
  assert.ok((replanned.groups.find((g) => g.id === 'g2')?.lastDate as string) > (first.groups.find((g) => g.id === 'g2')?.lastDate as string));
});

test('swap candidates: a free team member qualifies; one on leave, busy at that time or not in the team does not', () => {
  const scenario = smallSite();
  scenario.facilitators.push(facilitator('f7'), facilitator('f8'));
  scenario.groups = scenario.groups.map((g) => ({ ...g, team: [...g.team, 'f7', 'f8'] }));
  const solution = solve(scenario, rules);
  const target = solution.sessions.find((s) => s.group === 'g1' && s.number === 10) as PlannedSession;
  scenario.facilitators.find((f) => f.id === 'f8')?.unavailable.push(target.date);
  const candidates = findSwapCandidates(scenario, rules, solution.sessions, { group: 'g1', number: 10 }, target.facilitators[0]);
  // f1-f6 each run one session that day (the daily limit), f8 is on leave, outsider is not in the team.
  assert.deepEqual(candidates, ['f7']);
});

test('every generated estate is solved with no broken rule, and no group beats its lower bounds', () => {
  fc.assert(
    fc.property(arbitraryScenario, (scenario) => {
      const solution = solve(scenario, rules, { horizonYears: 2 });
      assert.deepEqual(checkTimetable(scenario, rules, solution), []);
      for (const span of solution.groups) {
        const group = scenario.groups.find((g) => g.id === span.id);
        assert.ok(group && span.lastDate >= calendarLowerBound(scenario, rules, group));
      }
      for (const site of scenario.sites) {
        const ids = scenario.groups.filter((g) => g.site === site.id).map((g) => g.id);
        const finishes = solution.groups.filter((g) => ids.includes(g.id)).map((g) => g.lastDate);
        if (ids.length === 0 || finishes.length < ids.length) continue;
        assert.ok((finishes.sort().at(-1) as string) >= (facilitatorDaysLowerBound(scenario, rules, site.id) as string));
      }
    }),
    // Each run plans a whole estate with the full solver (several orders and an improvement phase): 30 a run.
    { numRuns: 30 },
  );
});

test('a group given up at the horizon does not keep the room it used: the other group still finishes on its calendar bound', () => {
  const mondaysOnly = Array.from({ length: 800 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10)).filter(
    (d) => new Date(`${d}T00:00:00Z`).getUTCDay() !== 1,
  );
  const scenario: Scenario = {
    programme: 'core-sotp',
    closures: [],
    sites: [{ id: 'A', rooms: ['A1'], slots: weekdaySlots(['09:00']) }],
    facilitators: [facilitator('a'), facilitator('b', { unavailable: mondaysOnly }), facilitator('c'), facilitator('d')],
    groups: [
      { id: 'hopeless', site: 'A', earliestStart: '2027-01-04', team: ['a', 'b'] },
      { id: 'ok', site: 'A', earliestStart: '2027-01-04', team: ['c', 'd'] },
    ],
  };
  const solution = solve(scenario, rules, { horizonYears: 1 });
  assert.deepEqual(
    solution.unscheduled.map((u) => u.group),
    ['hopeless'],
  );
  assert.equal(solution.groups.find((g) => g.id === 'ok')?.lastDate, calendarLowerBound(scenario, rules, scenario.groups[1]));
  assert.equal(solution.groups.find((g) => g.id === 'ok')?.lastDate, '2027-05-04');
  assert.deepEqual(checkTimetable(scenario, rules, solution), []);
});

test('a facilitator staffs a session only while accredited with supervision current on that session’s date', () => {
  const scenario = smallSite();
  // f1's supervision is current until Friday 26 February 2027: the group keeps meeting after it with f3.
  scenario.facilitators[0].accreditations = [{ programme: 'core-sotp', accreditedOn: '2025-01-01', supervisionCurrentUntil: '2027-02-26' }];
  scenario.groups = [{ id: 'g1', site: 'A', earliestStart: '2027-01-04', team: ['f1', 'f2', 'f3'] }];
  const solution = solve(scenario, rules);
  assert.deepEqual(solution.unscheduled, []);
  const withF1 = solution.sessions.filter((s) => s.facilitators.includes('f1')).map((s) => s.date);
  assert.ok(withF1.length > 0 && withF1.every((d) => d <= '2027-02-26'), withF1.at(-1));
  assert.ok(solution.sessions.some((s) => s.date > '2027-02-26'));
  assert.deepEqual(checkTimetable(scenario, rules, solution), []);
});

test('when supervision runs out for all but one of the team the group is unscheduled, naming supervision and the date', () => {
  const scenario = smallSite();
  scenario.facilitators[0].accreditations = [{ programme: 'core-sotp', accreditedOn: '2025-01-01', supervisionCurrentUntil: '2027-02-26' }];
  scenario.groups = [{ id: 'g1', site: 'A', earliestStart: '2027-01-04', team: ['f1', 'f2'] }];
  const solution = solve(scenario, rules);
  assert.deepEqual(solution.sessions, []);
  assert.equal(solution.unscheduled.length, 1);
  assert.match(
    solution.unscheduled[0].reason,
    /after 2027-02-26 fewer than 2 of the team are accredited for core-sotp with supervision current, so only \d+ of 84 sessions could be placed/,
  );
});

test('a team whose supervision lapsed before the earliest start is unscheduled at once, naming supervision', () => {
  const scenario = smallSite();
  scenario.facilitators[0].accreditations = [{ programme: 'core-sotp', accreditedOn: '2025-01-01', supervisionCurrentUntil: '2026-06-30' }];
  scenario.groups = [{ id: 'g1', site: 'A', earliestStart: '2027-01-04', team: ['f1', 'f2'] }];
  assert.deepEqual(solve(scenario, rules).unscheduled, [
    { group: 'g1', reason: 'team has fewer than 2 facilitators accredited for core-sotp with supervision current on or after 2027-01-04' },
  ]);
});

test('the lead and co-facilitator staff every session they can; the cover facilitator stands in only when one is unavailable, saying why', () => {
  const scenario = smallSite();
  // Ids chosen so the cover sorts first: without roles the solver's tie-break would pick the cover every time.
  scenario.facilitators = [facilitator('lead', { unavailable: ['2027-01-06', '2027-02-10'] }), facilitator('co'), facilitator('a-cover')];
  scenario.groups = [{ id: 'g1', site: 'A', earliestStart: '2027-01-04', team: ['lead', 'co', 'a-cover'], cover: ['a-cover'] }];
  const solution = solve(scenario, rules);
  assert.equal(solution.sessions.length, 84);
  const withCover = solution.sessions.filter((s) => s.facilitators.includes('a-cover'));
  assert.deepEqual(
    withCover.map((s) => s.date),
    ['2027-01-06', '2027-02-10'],
  );
  for (const s of withCover) assert.deepEqual(s.standIns, [{ cover: 'a-cover', for: 'lead', obstacle: { kind: 'unavailable', facilitator: 'lead' } }]);
  assert.ok(solution.sessions.filter((s) => !withCover.includes(s)).every((s) => s.facilitators.join() === 'co,lead' && s.standIns === undefined));
  assert.deepEqual(checkTimetable(scenario, rules, solution), []);
});

test('a cover facilitator stands in for a named one who is in another group’s session at that time, naming that group', () => {
  const scenario = smallSite();
  scenario.sites[0].slots = weekdaySlots(['09:00']);
  scenario.facilitators = [facilitator('lead'), facilitator('co'), facilitator('a-cover')];
  scenario.groups = [{ id: 'g1', site: 'A', earliestStart: '2027-01-04', team: ['lead', 'co', 'a-cover'], cover: ['a-cover'] }];
  scenario.fixedSessions = [{ group: 'other', number: 1, block: 1, date: '2027-01-05', start: '09:00', end: '11:30', room: 'A2', facilitators: ['co', 'x'] }];
  scenario.groups.push({ id: 'other', site: 'A', earliestStart: '2027-01-04', team: ['co', 'x'] });
  const solution = solve(scenario, rules, { onlyGroups: ['g1'] });
  const second = solution.sessions.find((s) => s.group === 'g1' && s.date === '2027-01-05');
  assert.deepEqual(second?.standIns, [{ cover: 'a-cover', for: 'co', obstacle: { kind: 'booked', facilitator: 'co', by: 'other' } }]);
});

test('when the first session is later than the earliest start the solver says which obstacles took the lost days', () => {
  const scenario = smallSite();
  scenario.sites[0].rooms = ['A1'];
  scenario.sites[0].slots = weekdaySlots(['09:00']);
  // Friday 1 January 2027 is New Year's Day; f1 is away 4-6 January; the site is closed on the 7th; another group has the room on the 8th.
  scenario.facilitators = [facilitator('f1', { unavailable: ['2027-01-04', '2027-01-05', '2027-01-06'] }), facilitator('f2')];
  scenario.closures = [{ site: 'A', date: '2027-01-07' }];
  scenario.groups = [
    { id: 'g1', site: 'A', earliestStart: '2027-01-01', team: ['f1', 'f2'] },
    { id: 'g0', site: 'A', earliestStart: '2027-01-01', team: [] },
  ];
  scenario.fixedSessions = [{ group: 'g0', number: 1, block: 1, date: '2027-01-08', start: '09:00', end: '11:30', room: 'A1', facilitators: [] }];
  const solution = solve(scenario, rules, { onlyGroups: ['g1'] });
  assert.equal(solution.groups.find((g) => g.id === 'g1')?.firstDate, '2027-01-11');
  const [delay] = solution.delays;
  assert.equal(delay.group, 'g1');
  assert.deepEqual(
    [...delay.reasons].sort((a, b) => a.first.localeCompare(b.first)),
    [
      { obstacle: { kind: 'bank-holiday', title: "New Year's Day" }, days: 1, first: '2027-01-01', last: '2027-01-01' },
      { obstacle: { kind: 'unavailable', facilitator: 'f1' }, days: 3, first: '2027-01-04', last: '2027-01-06' },
      { obstacle: { kind: 'closure' }, days: 1, first: '2027-01-07', last: '2027-01-07' },
      { obstacle: { kind: 'room-taken', room: 'A1', by: 'g0' }, days: 1, first: '2027-01-08', last: '2027-01-08' },
    ],
  );
});

test('a group that starts on its earliest start has no delay to explain', () => {
  const solution = solve(smallSite(), rules);
  assert.deepEqual(solution.delays, []);
});

test('a group with its own room and weekly slots meets only there and then, and its bound counts only its own slot weekdays', () => {
  const scenario = smallSite();
  // g1 keeps to room A2 on Monday, Wednesday and Friday afternoons; the others may use the whole site.
  const ownSlots = (['mon', 'wed', 'fri'] as const).map((weekday) => ({ weekday, start: '13:30' }));
  scenario.groups[0] = { ...scenario.groups[0], rooms: ['A2'], slots: ownSlots };
  const solution = solve(scenario, rules);
  assert.deepEqual(solution.unscheduled, []);
  const own = solution.sessions.filter((s) => s.group === 'g1');
  assert.equal(own.length, rules.blocks.length);
  for (const s of own) {
    assert.equal(s.room, 'A2');
    assert.equal(s.start, '13:30');
    assert.ok([1, 3, 5].includes(new Date(`${s.date}T12:00:00Z`).getUTCDay()), `${s.date} is a Monday, Wednesday or Friday`);
  }
  const gap = solution.gaps.find((g) => g.group === 'g1')!;
  // Three days a week from Monday 4 January 2027: the bound is later than with the site's five.
  assert.equal(gap.bound, calendarLowerBound(scenario, rules, scenario.groups[0]));
  assert.ok(gap.bound > calendarLowerBound(scenario, rules, scenario.groups[1]));
  assert.deepEqual(checkTimetable(scenario, rules, solution), []);
});
