// The solver's objective against the exact optimum: an exhaustive search over which groups meet each day (written
// here, apart from the solver and from exact.ts) on small sites, and the dynamic programme in exact.ts against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { calendarLowerBound } from '../../../src/domain/schedule/bounds.js';
import { dayNumber, isBankHoliday } from '../../../src/domain/schedule/calendar.js';
import { checkTimetable } from '../../../src/domain/schedule/check.js';
import { exactSiteOptimum } from '../../../src/domain/schedule/exact.js';
import type { ProgrammeRules } from '../../../src/domain/schedule/planner.js';
import { objectiveOf, solve, type Scenario } from '../../../src/domain/schedule/solver.js';
import { facilitator, weekdaySlots } from './scenarios.js';

/** A programme of six sessions, so that an exhaustive search over a few weeks stays small. */
const shortRules: ProgrammeRules = {
  id: 'core-sotp',
  version: 1,
  blocks: [1, 1, 2, 2, 3, 3],
  sessionMinutes: 150,
  maxSessionsPerWeek: 5,
  maxSessionsPerDay: 1,
  facilitatorsPerSession: 2,
};

const isoOf = (day: number) => new Date(Date.UTC(2027, 0, 4 + day)).toISOString().slice(0, 10);

/** One site, 2 rooms, two slots every weekday; 3 or 4 facilitators with some days away; 2 or 3 groups with teams of 2 to 4. */
const smallSite: fc.Arbitrary<Scenario> = fc
  .record({
    staff: fc.integer({ min: 3, max: 4 }),
    leave: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { maxLength: 6 }), { minLength: 4, maxLength: 4 }),
    groups: fc.array(fc.record({ start: fc.integer({ min: 0, max: 7 }), team: fc.uniqueArray(fc.nat(3), { minLength: 2, maxLength: 4 }) }), {
      minLength: 2,
      maxLength: 3,
    }),
    closures: fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { maxLength: 2 }),
  })
  .map(({ staff, leave, groups, closures }) => {
    const ids = Array.from({ length: staff }, (_, i) => `f${i}`);
    return {
      programme: 'core-sotp',
      closures: closures.map((d) => ({ site: 'A', date: isoOf(d) })),
      sites: [{ id: 'A', rooms: ['A1', 'A2'], slots: weekdaySlots(['09:00', '13:30']) }],
      facilitators: ids.map((id, i) => facilitator(id, { unavailable: leave[i].map(isoOf) })),
      groups: groups.map((g, i) => ({ id: `g${i}`, site: 'A', earliestStart: isoOf(g.start), team: [...new Set(g.team.map((t) => `f${t % staff}`))] })),
    };
  })
  .filter((s) => s.groups.every((g) => g.team.length >= 2));

/** Whether every group of the set can have two facilitators of its own team at work that day, none shared. */
function canMeetTogether(scenario: Scenario, members: number[], date: string, taken: Set<string> = new Set()): boolean {
  if (members.length === 0) return true;
  const [first, ...rest] = members;
  const free = scenario.groups[first].team.filter((id) => !taken.has(id) && !scenario.facilitators.find((f) => f.id === id)?.unavailable.includes(date));
  for (let i = 0; i < free.length; i++) {
    for (let j = i + 1; j < free.length; j++) {
      if (canMeetTogether(scenario, rest, date, new Set([...taken, free[i], free[j]]))) return true;
    }
  }
  return false;
}

/** The least mean ratio over every choice of which groups meet on each day (memoised on the sessions run so far). */
function exhaustiveOptimum(scenario: Scenario, rules: ProgrammeRules): number {
  const groups = scenario.groups;
  const need = rules.blocks.length;
  const start = groups.map((g) => dayNumber(g.earliestStart));
  const boundDays = groups.map((g, i) => dayNumber(calendarLowerBound(scenario, rules, g)) - start[i] + 1);
  const closed = new Set(scenario.closures.map((c) => dayNumber(c.date)));
  const first = Math.min(...start);
  const memo = new Map<string, number>();
  const best = (day: number, counts: number[]): number => {
    if (counts.every((c) => c === need)) return 0;
    if (day > first + 60) return Infinity;
    const key = `${day} ${counts.join(',')}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const weekday = new Date(day * 86_400_000).getUTCDay();
    const open = weekday >= 1 && weekday <= 5 && !isBankHoliday(day) && !closed.has(day);
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    let result = Infinity;
    for (let mask = 0; mask < 1 << groups.length; mask++) {
      const members = groups.map((_, g) => g).filter((g) => mask & (1 << g));
      if (members.some((g) => counts[g] === need || day < start[g])) continue;
      if (mask !== 0 && (!open || !canMeetTogether(scenario, members, date))) continue;
      const after = counts.map((c, g) => (mask & (1 << g) ? c + 1 : c));
      // A group finishing today adds its ratio: the days from its earliest start to today over its bound's.
      const finished = after.reduce((sum, c, g) => sum + (c === need && counts[g] < need ? (day - start[g] + 1) / boundDays[g] : 0), 0);
      result = Math.min(result, finished + best(day + 1, after));
    }
    memo.set(key, result);
    return result;
  };
  return (
    best(
      first,
      groups.map(() => 0),
    ) / groups.length
  );
}

test('on small sites the solver reaches the least mean ratio an exhaustive search over the days finds', () => {
  fc.assert(
    fc.property(smallSite, (scenario) => {
      const optimum = exhaustiveOptimum(scenario, shortRules);
      const solution = solve(scenario, shortRules);
      assert.deepEqual(checkTimetable(scenario, shortRules, solution), []);
      assert.ok(Math.abs(objectiveOf(solution).meanRatio - optimum) < 1e-9, `solver ${objectiveOf(solution).meanRatio}, optimum ${optimum}`);
    }),
    { numRuns: 25, seed: 15 },
  );
});

test('the exact per-site model finds the same optimum as the exhaustive search, with a timetable the checker accepts', () => {
  fc.assert(
    fc.property(smallSite, (scenario) => {
      const exact = exactSiteOptimum(scenario, shortRules, 'A');
      assert.ok(exact, 'the small site meets the exact model’s conditions');
      assert.ok(Math.abs(exact.meanRatio - exhaustiveOptimum(scenario, shortRules)) < 1e-9);
      assert.deepEqual(checkTimetable(scenario, shortRules, { sessions: exact.sessions, unscheduled: [] }), []);
    }),
    { numRuns: 25, seed: 16 },
  );
});
