import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findProgrammeDefinition } from '../../../src/programme-files.js';
import { planGroup, programmeRules, PlanRequestError, type GroupPlanRequest } from '../../../src/domain/schedule/planner.js';
import { dayNumber, isBankHoliday, isoWeekday, weekdayNames, weekStart } from '../../../src/domain/schedule/calendar.js';

const core = findProgrammeDefinition('core-sotp');
assert.ok(core);
const rules = programmeRules(core);
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const request = (overrides: Partial<GroupPlanRequest> = {}): GroupPlanRequest => ({
  start: '2027-01-04',
  weekdays: [...weekdays],
  time: '09:00',
  perWeek: 5,
  closures: [],
  ...overrides,
});

// 4 Jan to 30 Apr 2027 holds 85 weekdays; Good Friday 26 Mar and Easter Monday 29 Mar take two,
// so session 84 falls after the weekend, and Monday 3 May is the early May bank holiday.
test('84 sessions Monday to Friday from 4 January 2027 end on Tuesday 4 May, skipping Easter and early May', () => {
  const plan = planGroup(rules, request());
  assert.equal(plan.sessions.length, 84);
  assert.equal(plan.firstDate, '2027-01-04');
  assert.equal(plan.lastDate, '2027-05-04');
  assert.equal(plan.weeks, 18);
  const dates = plan.sessions.map((s) => s.date);
  for (const holiday of ['2027-03-26', '2027-03-29', '2027-05-03']) assert.ok(!dates.includes(holiday));
});

test('two closure days push the last session two weekdays later, to Thursday 6 May 2027', () => {
  const plan = planGroup(rules, request({ closures: ['2027-02-15', '2027-02-16'] }));
  assert.equal(plan.lastDate, '2027-05-06');
  assert.ok(!plan.sessions.some((s) => s.date === '2027-02-15' || s.date === '2027-02-16'));
});

// Three a week is 28 weeks; the Monday holidays only shift that week's three to Tuesday-Thursday.
test('three a week on weekdays takes 28 weeks and finishes on Wednesday 14 July 2027', () => {
  const plan = planGroup(rules, request({ perWeek: 3 }));
  assert.equal(plan.lastDate, '2027-07-14');
  assert.equal(plan.weeks, 28);
  const easterWeek = plan.sessions.filter((s) => s.date >= '2027-03-29' && s.date <= '2027-04-04').map((s) => s.date);
  assert.deepEqual(easterWeek, ['2027-03-30', '2027-03-31', '2027-04-01']);
});

test('each session lasts the programme session length: 09:00 start ends at 11:30', () => {
  const plan = planGroup(rules, request());
  assert.deepEqual(plan.sessions[0], { number: 1, block: 1, date: '2027-01-04', start: '09:00', end: '11:30' });
});

test('sessions follow the blocks of the definition in order', () => {
  const plan = planGroup(rules, request());
  assert.deepEqual(
    plan.sessions.map((s) => s.number),
    Array.from({ length: 84 }, (_, i) => i + 1),
  );
  const blockSizes = core.blocks.map((b) => b.sessions);
  const counted = core.blocks.map((b) => plan.sessions.filter((s) => s.block === b.number).length);
  assert.deepEqual(counted, blockSizes);
});

test('more a week than the programme allows, a time past midnight, or no weekdays are refused', () => {
  assert.throws(() => planGroup(rules, request({ perWeek: 6 })), PlanRequestError);
  assert.throws(() => planGroup(rules, request({ time: '22:00' })), PlanRequestError);
  assert.throws(() => planGroup(rules, request({ time: '9am' })), PlanRequestError);
  assert.throws(() => planGroup(rules, request({ weekdays: [] })), PlanRequestError);
});

test('any plan: chosen weekdays only, no bank holiday or closure, one a day, at most perWeek an ISO week, earliest dates', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: dayNumber('2019-01-01'), max: dayNumber('2032-12-31') }),
      fc.subarray([...weekdayNames], { minLength: 1 }),
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 10 }),
      (start, chosen, perWeek, closureOffsets) => {
        const startDate = new Date(start * 86_400_000).toISOString().slice(0, 10);
        const closures = closureOffsets.map((o) => new Date((start + o) * 86_400_000).toISOString().slice(0, 10));
        const plan = planGroup(rules, request({ start: startDate, weekdays: chosen, perWeek, closures }));
        const days = plan.sessions.map((s) => dayNumber(s.date));
        const perWeekCount = new Map<number, number>();
        days.forEach((day, i) => {
          assert.ok(i === 0 || day > days[i - 1]);
          assert.ok(chosen.includes(weekdayNames[isoWeekday(day) - 1]));
          assert.ok(!isBankHoliday(day));
          assert.ok(!closures.includes(plan.sessions[i].date));
          perWeekCount.set(weekStart(day), (perWeekCount.get(weekStart(day)) ?? 0) + 1);
        });
        for (const n of perWeekCount.values()) assert.ok(n <= perWeek);
        // Earliest: every allowed day skipped between start and the end must be in a full week.
        for (let day = start; day < days[days.length - 1]; day++) {
          const allowed =
            chosen.includes(weekdayNames[isoWeekday(day) - 1]) &&
            !isBankHoliday(day) &&
            !closures.includes(new Date(day * 86_400_000).toISOString().slice(0, 10));
          if (allowed && !days.includes(day)) assert.equal(perWeekCount.get(weekStart(day)), perWeek);
        }
      },
    ),
    { numRuns: 200 },
  );
});
