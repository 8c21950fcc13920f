// The exact best timetable of one small site, to measure the solver against: a dynamic programme over the sessions
// each group has run so far, day by day, minimising the solver's objective (the mean ratio to the calendar bound).
// It holds only where a day's choice is just which groups meet: see `exactnessObstacle` for the conditions.
import { dayNumber, isBankHoliday, isoDate, minutesOfTime, timeOfMinutes, weekdayName, type DayNumber, type IsoDate } from './calendar.js';
import { calendarLowerBound } from './bounds.js';
import type { ProgrammeRules } from './planner.js';
import type { Facilitator, PlannedSession, Scenario } from './solver.js';

export interface ExactSite {
  /** The least mean over the site's groups of (finish − earliest start + 1) / (bound − earliest start + 1). */
  meanRatio: number;
  finishes: Map<string, IsoDate>;
  /** A timetable that reaches it, for the independent checker. */
  sessions: PlannedSession[];
}

const maxGroups = 4;

/**
 * Why the day-by-day model would not be exact for this site, or undefined when it is: each facilitator and group
 * meets at most once a day, weekly limits cannot bind (no more slot weekdays than the limits), rooms and slots
 * never run out, nobody works elsewhere, and there is no cover rule and nothing fixed.
 */
export function exactnessObstacle(scenario: Scenario, rules: ProgrammeRules, siteId: string): string | undefined {
  const site = scenario.sites.find((s) => s.id === siteId);
  const groups = scenario.groups.filter((g) => g.site === siteId);
  if (!site) return `no site ${siteId}`;
  if (groups.length === 0 || groups.length > maxGroups) return `the model takes 1 to ${maxGroups} groups, the site has ${groups.length}`;
  if (scenario.fixedSessions?.length) return 'fixed sessions';
  if (groups.some((g) => g.cover?.length)) return 'cover facilitators';
  if (groups.some((g) => g.rooms || g.slots)) return 'groups with their own rooms or slots';
  const weekdays = new Set(site.slots.map((s) => s.weekday));
  if (rules.maxSessionsPerDay !== 1 || rules.maxSessionsPerWeek < weekdays.size) return 'the programme limits sessions a week below the slot weekdays';
  for (const weekday of weekdays) {
    if (site.slots.filter((s) => s.weekday === weekday).length * site.rooms.length < groups.length) return `rooms can run out on ${weekday}`;
  }
  const team = new Set(groups.flatMap((g) => g.team));
  for (const f of scenario.facilitators.filter((x) => team.has(x.id))) {
    if (f.maxSessionsPerDay !== 1 || f.maxSessionsPerWeek < weekdays.size) return `facilitator ${f.id}'s limits`;
    if (scenario.groups.some((g) => g.site !== siteId && g.team.includes(f.id))) return `facilitator ${f.id} also works elsewhere`;
  }
  return undefined;
}

interface SiteDay {
  day: DayNumber;
  /** Maximal sets of groups (bit masks) that can all meet that day; empty when none can. */
  sets: number[];
  /** For each maximal set, the facilitators of each group in it. */
  staffing: Map<number, string[][]>;
}

/** Team members of each group who could staff a session that day. */
function availableTeams(teams: Facilitator[][], day: DayNumber, rules: ProgrammeRules): string[][] {
  const date = isoDate(day);
  return teams.map((team) =>
    team
      .filter((f) => !f.unavailable.includes(date))
      .filter((f) => {
        const a = f.accreditations?.find((x) => x.programme === rules.id);
        return !a || (date >= a.accreditedOn && date <= a.supervisionCurrentUntil);
      })
      .map((f) => f.id),
  );
}

/** Facilitators for every group of the set, all different, or undefined when there are not enough. */
function staff(members: number[], free: string[][], k: number, taken = new Set<string>()): string[][] | undefined {
  if (members.length === 0) return [];
  const [first, ...rest] = members;
  const options = free[first].filter((f) => !taken.has(f));
  const choose = (from: number, picked: string[]): string[][] | undefined => {
    if (picked.length === k) {
      const after = new Set([...taken, ...picked]);
      const others = staff(rest, free, k, after);
      return others && [picked, ...others];
    }
    for (let i = from; i < options.length; i++) {
      const found = choose(i + 1, [...picked, options[i]]);
      if (found) return found;
    }
    return undefined;
  };
  return choose(0, []);
}

function bitsOf(mask: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
}

/**
 * The exact optimum for one site's groups, or undefined when `exactnessObstacle` names a reason or no timetable
 * finishes within the horizon. States are the sessions each group has run; a state with more sessions is never
 * worse, so each day only the maximal sets of groups that can meet together are tried.
 */
export function exactSiteOptimum(scenario: Scenario, rules: ProgrammeRules, siteId: string, horizonDays = 3 * 366): ExactSite | undefined {
  if (exactnessObstacle(scenario, rules, siteId) !== undefined) return undefined;
  const site = scenario.sites.find((s) => s.id === siteId) as Scenario['sites'][number];
  const groups = scenario.groups.filter((g) => g.site === siteId);
  const n = groups.length;
  const need = rules.blocks.length;
  const k = rules.facilitatorsPerSession;
  const byId = new Map(scenario.facilitators.map((f) => [f.id, f]));
  const teams = groups.map((g) =>
    g.team.map((id) => byId.get(id)).filter((f): f is Facilitator => f !== undefined && f.programmes.includes(rules.id) && f.sites.includes(siteId)),
  );
  const closed = new Set(scenario.closures.filter((c) => c.site === siteId).map((c) => dayNumber(c.date)));
  const weekdays = new Set(site.slots.map((s) => s.weekday));
  const earliest = groups.map((g) => dayNumber(g.earliestStart));
  const boundDays = groups.map((g, i) => dayNumber(calendarLowerBound(scenario, rules, g)) - earliest[i] + 1);
  const weight = boundDays.map((d) => 1 / d);
  const first = Math.min(...earliest);

  const siteDay = (day: DayNumber): SiteDay => {
    const open = !isBankHoliday(day) && !closed.has(day) && weekdays.has(weekdayName(day));
    const free = availableTeams(teams, day, rules);
    const feasible = new Map<number, string[][]>();
    if (open) {
      for (let mask = (1 << n) - 1; mask > 0; mask--) {
        const members = bitsOf(mask, n);
        if (members.some((g) => day < earliest[g])) continue;
        const staffing = staff(members, free, k);
        if (staffing) feasible.set(mask, staffing);
      }
    }
    const masks = [...feasible.keys()];
    const sets = masks.filter((m) => !masks.some((other) => other !== m && (other & m) === m));
    return { day, sets, staffing: feasible };
  };

  // A state is the sessions run by each group, packed base (need + 1).
  const base = need + 1;
  const countsOf = (state: number) => Array.from({ length: n }, (_, i) => Math.floor(state / base ** i) % base);
  const done = base ** n - 1;
  let layer = new Map<number, number>([[0, 0]]);
  const history: Array<{ day: SiteDay; from: Map<number, { parent: number; set: number }> }> = [];
  let best: { cost: number; history: number } | undefined;
  for (let day = first; day < first + horizonDays && layer.size > 0; day++) {
    const today = siteDay(day);
    const next = new Map<number, number>();
    const from = new Map<number, { parent: number; set: number }>();
    for (const [state, cost] of layer) {
      const counts = countsOf(state);
      let accrued = cost;
      for (let g = 0; g < n; g++) if (counts[g] < need && day >= earliest[g]) accrued += weight[g];
      const remainingBound = counts.reduce((sum, c, g) => sum + (need - c - 1 > 0 ? (need - c - 1) * weight[g] : 0), accrued);
      if (best && remainingBound >= best.cost) continue;
      for (const set of today.sets.length ? today.sets : [0]) {
        let after = 0;
        for (let g = n - 1; g >= 0; g--) after = after * base + Math.min(need, counts[g] + (set & (1 << g) ? 1 : 0));
        if (!(next.has(after) && (next.get(after) as number) <= accrued)) {
          next.set(after, accrued);
          from.set(after, { parent: state, set });
        }
      }
    }
    history.push({ day: today, from });
    const finished = next.get(done);
    if (finished !== undefined && (!best || finished < best.cost)) best = { cost: finished, history: history.length - 1 };
    next.delete(done);
    layer = next;
  }
  if (!best) return undefined;

  const sessions: PlannedSession[] = [];
  const finishes = new Map<string, IsoDate>();
  let state = done;
  for (let h = best.history; h >= 0; h--) {
    const { day, from } = history[h];
    const step = from.get(state) as { parent: number; set: number };
    const before = countsOf(step.parent);
    const after = countsOf(state);
    const staffing = day.staffing.get(step.set) ?? [];
    const members = bitsOf(step.set, n);
    const slots = site.slots.filter((s) => s.weekday === weekdayName(day.day)).sort((a, b) => a.start.localeCompare(b.start));
    members.forEach((g, i) => {
      if (after[g] === before[g]) return;
      const number = after[g];
      if (number === need) finishes.set(groups[g].id, isoDate(day.day));
      const slot = slots[Math.floor(i / site.rooms.length)];
      sessions.push({
        group: groups[g].id,
        number,
        block: rules.blocks[number - 1],
        date: isoDate(day.day),
        start: slot.start,
        end: timeOfMinutes((minutesOfTime(slot.start) ?? 0) + rules.sessionMinutes),
        room: site.rooms[i % site.rooms.length],
        facilitators: [...staffing[i]].sort(),
      });
    });
    state = step.parent;
  }
  return { meanRatio: best.cost / n, finishes, sessions: sessions.reverse() };
}
