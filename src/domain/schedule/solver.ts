// Plans many groups at once across sites, rooms and facilitators: a day-by-day greedy that serves the
// group furthest behind first, so the latest finish stays early. Also re-planning and facilitator swaps.
import {
  dayNumber,
  isBankHoliday,
  isoDate,
  minutesOfTime,
  timeOfMinutes,
  weekStart,
  weekdayName,
  type DayNumber,
  type IsoDate,
  type WeekdayName,
} from './calendar.js';
import type { ProgrammeRules } from './planner.js';

export interface Slot {
  weekday: WeekdayName;
  start: string;
}

export interface Site {
  id: string;
  rooms: string[];
  slots: Slot[];
}

export interface Facilitator {
  id: string;
  sites: string[];
  programmes: string[];
  unavailable: IsoDate[];
  maxSessionsPerDay: number;
  maxSessionsPerWeek: number;
}

export interface Group {
  id: string;
  site: string;
  earliestStart: IsoDate;
  team: string[];
}

export interface Closure {
  site: string;
  date: IsoDate;
}

export interface PlannedSession {
  group: string;
  number: number;
  block: number;
  date: IsoDate;
  start: string;
  end: string;
  room: string;
  facilitators: string[];
}

export interface Scenario {
  programme: string;
  closures: Closure[];
  sites: Site[];
  facilitators: Facilitator[];
  groups: Group[];
  /** Sessions already decided (kept, or another plan's): they hold their rooms and facilitators and count towards limits. */
  fixedSessions?: PlannedSession[];
}

export interface Unscheduled {
  group: string;
  reason: string;
}

export interface GroupSpan {
  id: string;
  firstDate: IsoDate;
  lastDate: IsoDate;
}

export interface Solution {
  sessions: PlannedSession[];
  groups: GroupSpan[];
  unscheduled: Unscheduled[];
}

export interface SolveOptions {
  /** How many years after a group's earliest start the solver keeps trying before giving up. */
  horizonYears?: number;
  /** Plan only these groups; the rest are known (for their sites) but left as they are. */
  onlyGroups?: string[];
}

interface Interval {
  start: number;
  end: number;
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

function sessionInterval(session: Pick<PlannedSession, 'start' | 'end'>): Interval {
  return { start: minutesOfTime(session.start) ?? 0, end: minutesOfTime(session.end) ?? 0 };
}

/** Who and what is booked when: rooms and facilitators by day, facilitators' weekly counts. */
class Occupancy {
  private readonly rooms = new Map<string, Interval[]>();
  private readonly facilitatorDays = new Map<string, Interval[]>();
  private readonly facilitatorWeeks = new Map<string, number>();

  constructor(private readonly siteOfGroup: Map<string, string>) {}

  book(session: PlannedSession): void {
    const day = dayNumber(session.date);
    const interval = sessionInterval(session);
    push(this.rooms, this.roomKey(this.siteOfGroup.get(session.group) ?? '', session.room, day), interval);
    for (const f of session.facilitators) {
      push(this.facilitatorDays, `${f}|${day}`, interval);
      const weekKey = `${f}|${weekStart(day)}`;
      this.facilitatorWeeks.set(weekKey, (this.facilitatorWeeks.get(weekKey) ?? 0) + 1);
    }
  }

  roomFree(site: string, room: string, day: DayNumber, interval: Interval): boolean {
    return !(this.rooms.get(this.roomKey(site, room, day)) ?? []).some((b) => overlaps(b, interval));
  }

  /** Free of overlaps and under the facilitator's own daily and weekly limits. */
  facilitatorFree(f: Facilitator, day: DayNumber, interval: Interval): boolean {
    const booked = this.facilitatorDays.get(`${f.id}|${day}`) ?? [];
    if (booked.length >= f.maxSessionsPerDay || booked.some((b) => overlaps(b, interval))) return false;
    return this.weekCount(f.id, day) < f.maxSessionsPerWeek;
  }

  weekCount(facilitator: string, day: DayNumber): number {
    return this.facilitatorWeeks.get(`${facilitator}|${weekStart(day)}`) ?? 0;
  }

  private roomKey(site: string, room: string, day: DayNumber): string {
    return `${site}|${room}|${day}`;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface TimedSlot extends Interval {
  startText: string;
  endText: string;
}

/** A group's progress while the solver walks the days. */
interface GroupState {
  group: Group;
  team: Facilitator[];
  earliest: DayNumber;
  horizon: DayNumber;
  lastDay: DayNumber;
  placed: number;
  weekCounts: Map<DayNumber, number>;
  previous?: PlannedSession;
  sessions: PlannedSession[];
  lostDays: Map<string, number>;
  failure?: string;
}

/** The scenario's lookups, built once. */
class Estate {
  readonly sites = new Map<string, Site>();
  readonly facilitators = new Map<string, Facilitator>();
  readonly unavailable = new Set<string>();
  readonly closures = new Set<string>();
  readonly slotsBySiteDay = new Map<string, TimedSlot[]>();

  constructor(
    scenario: Scenario,
    readonly rules: ProgrammeRules,
  ) {
    for (const site of scenario.sites) this.sites.set(site.id, site);
    for (const f of scenario.facilitators) {
      this.facilitators.set(f.id, f);
      for (const date of f.unavailable) this.unavailable.add(`${f.id}|${dayNumber(date)}`);
    }
    for (const c of scenario.closures) this.closures.add(`${c.site}|${dayNumber(c.date)}`);
    for (const site of scenario.sites) {
      for (const slot of site.slots) {
        const start = minutesOfTime(slot.start) ?? 0;
        const end = start + rules.sessionMinutes;
        push(this.slotsBySiteDay, `${site.id}|${slot.weekday}`, { start, end, startText: slot.start, endText: timeOfMinutes(end) });
      }
    }
    for (const slots of this.slotsBySiteDay.values()) slots.sort((a, b) => a.start - b.start);
  }

  slotsOn(site: string, day: DayNumber): TimedSlot[] {
    return this.slotsBySiteDay.get(`${site}|${weekdayName(day)}`) ?? [];
  }

  isAway(f: Facilitator, day: DayNumber): boolean {
    return this.unavailable.has(`${f.id}|${day}`);
  }

  isClosed(site: string, day: DayNumber): boolean {
    return this.closures.has(`${site}|${day}`);
  }

  /** Team members who may run this programme at the group's site. */
  eligibleTeam(group: Group): Facilitator[] {
    return group.team
      .map((id) => this.facilitators.get(id))
      .filter((f): f is Facilitator => f !== undefined && f.programmes.includes(this.rules.id) && f.sites.includes(group.site));
  }
}

/** Why a group can never be scheduled, whatever the dates; undefined when it might be. */
function structuralObstacle(estate: Estate, group: Group): string | undefined {
  const site = estate.sites.get(group.site);
  const k = estate.rules.facilitatorsPerSession;
  const programme = estate.rules.id;
  if (!site) return `site ${group.site} does not exist`;
  if (site.slots.length === 0) return `site ${site.id} has no slots`;
  if (site.rooms.length === 0) return `site ${site.id} has no rooms`;
  const accredited = group.team.filter((id) => estate.facilitators.get(id)?.programmes.includes(programme));
  if (accredited.length < k) return `team has fewer than ${k} facilitators accredited for ${programme}`;
  if (estate.eligibleTeam(group).length < k) {
    return `team has fewer than ${k} facilitators accredited for ${programme} who work at site ${site.id}`;
  }
  return undefined;
}

function addYears(date: IsoDate, years: number): DayNumber {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y + years, m - 1, d) / 86_400_000;
}

function initialState(estate: Estate, group: Group, fixed: PlannedSession[], horizonYears: number): GroupState {
  const own = fixed.filter((s) => s.group === group.id).sort((a, b) => a.number - b.number);
  const weekCounts = new Map<DayNumber, number>();
  for (const s of own) {
    const week = weekStart(dayNumber(s.date));
    weekCounts.set(week, (weekCounts.get(week) ?? 0) + 1);
  }
  const previous = own[own.length - 1];
  return {
    group,
    team: estate.eligibleTeam(group),
    earliest: dayNumber(group.earliestStart),
    horizon: addYears(group.earliestStart, horizonYears),
    lastDay: previous ? dayNumber(previous.date) : -Infinity,
    placed: own.length,
    weekCounts,
    previous,
    sessions: [],
    lostDays: new Map(),
  };
}

const total = (estate: Estate) => estate.rules.blocks.length;

function waiting(estate: Estate, state: GroupState): boolean {
  return state.failure === undefined && state.placed < total(estate);
}

/** Can the group meet today as far as its own calendar goes (start, order, slots, closures, weekly maximum)? */
function mayMeet(estate: Estate, state: GroupState, day: DayNumber): boolean {
  if (day < state.earliest || day <= state.lastDay) return false;
  if (estate.slotsOn(state.group.site, day).length === 0) return false;
  if (estate.isClosed(state.group.site, day)) return false;
  return (state.weekCounts.get(weekStart(day)) ?? 0) < estate.rules.maxSessionsPerWeek;
}

/** Facilitators who could take a session at this time, best first: the group's last pair, then the least contested and least used. */
function freeFacilitators(
  estate: Estate,
  occupancy: Occupancy,
  state: GroupState,
  day: DayNumber,
  slot: TimedSlot,
  contention: Map<string, number>,
): Facilitator[] {
  const previous = new Set(state.previous?.facilitators ?? []);
  return state.team
    .filter((f) => !estate.isAway(f, day) && occupancy.facilitatorFree(f, day, slot))
    .sort(
      (a, b) =>
        Number(previous.has(b.id)) - Number(previous.has(a.id)) ||
        (contention.get(a.id) ?? 0) - (contention.get(b.id) ?? 0) ||
        occupancy.weekCount(a.id, day) - occupancy.weekCount(b.id, day) ||
        a.id.localeCompare(b.id),
    );
}

/** Slots in preference order: the group's usual time first, so its timetable stays regular. */
function preferredSlots(estate: Estate, state: GroupState, day: DayNumber): TimedSlot[] {
  const slots = estate.slotsOn(state.group.site, day);
  const usual = state.previous?.start;
  return usual ? [...slots.filter((s) => s.startText === usual), ...slots.filter((s) => s.startText !== usual)] : slots;
}

function preferredRooms(site: Site, state: GroupState): string[] {
  const usual = state.previous?.room;
  return usual && site.rooms.includes(usual) ? [usual, ...site.rooms.filter((r) => r !== usual)] : site.rooms;
}

/** Places the group's next session today if a slot, a room and enough facilitators are free together. */
function tryPlace(estate: Estate, occupancy: Occupancy, state: GroupState, day: DayNumber, contention: Map<string, number>): PlannedSession | string {
  const k = estate.rules.facilitatorsPerSession;
  const site = estate.sites.get(state.group.site) as Site;
  let reason = 'no room free';
  for (const slot of preferredSlots(estate, state, day)) {
    const room = preferredRooms(site, state).find((r) => occupancy.roomFree(site.id, r, day, slot));
    if (!room) continue;
    const facilitators = freeFacilitators(estate, occupancy, state, day, slot, contention);
    if (facilitators.length < k) {
      reason = `fewer than ${k} of the team free`;
      continue;
    }
    const number = state.placed + 1;
    return {
      group: state.group.id,
      number,
      block: estate.rules.blocks[number - 1],
      date: isoDate(day),
      start: slot.startText,
      end: slot.endText,
      room,
      facilitators: facilitators.slice(0, k).map((f) => f.id).sort(),
    };
  }
  return reason;
}

function record(state: GroupState, session: PlannedSession, occupancy: Occupancy): void {
  occupancy.book(session);
  const day = dayNumber(session.date);
  const week = weekStart(day);
  state.weekCounts.set(week, (state.weekCounts.get(week) ?? 0) + 1);
  state.lastDay = day;
  state.placed++;
  state.previous = session;
  state.sessions.push(session);
}

function giveUp(estate: Estate, state: GroupState): string {
  const worst = [...state.lostDays.entries()].sort((a, b) => b[1] - a[1])[0];
  const why = worst ? `; most days were lost because ${worst[0]} (${worst[1]} days)` : '';
  return `not finished by ${isoDate(state.horizon)} (the planning horizon): only ${state.placed} of ${total(estate)} sessions could be placed${why}`;
}

/** Furthest behind first: most sessions still to run, then the earliest start, then id for a stable order. */
function byUrgency(a: GroupState, b: GroupState): number {
  return a.placed - b.placed || a.earliest - b.earliest || a.group.id.localeCompare(b.group.id);
}

function planDay(estate: Estate, occupancy: Occupancy, states: GroupState[], day: DayNumber): void {
  const today = states.filter((s) => waiting(estate, s) && mayMeet(estate, s, day)).sort(byUrgency);
  const contention = new Map<string, number>();
  for (const s of today) for (const f of s.team) contention.set(f.id, (contention.get(f.id) ?? 0) + 1);
  for (const state of today) {
    for (const f of state.team) contention.set(f.id, (contention.get(f.id) ?? 0) - 1);
    const outcome = tryPlace(estate, occupancy, state, day, contention);
    if (typeof outcome === 'string') state.lostDays.set(outcome, (state.lostDays.get(outcome) ?? 0) + 1);
    else record(state, outcome, occupancy);
  }
}

/** First and last date of each listed group that has any session. */
function spans(sessions: PlannedSession[], groupIds: string[]): GroupSpan[] {
  const dates = new Map<string, IsoDate[]>();
  for (const s of sessions) push(dates, s.group, s.date);
  return groupIds
    .filter((id) => dates.has(id))
    .map((id) => {
      const sorted = (dates.get(id) as IsoDate[]).sort();
      return { id, firstDate: sorted[0], lastDate: sorted[sorted.length - 1] };
    });
}

/**
 * Plans every group's remaining sessions. A group that cannot be finished gets no sessions and a reason.
 * Fixed sessions are not repeated in the result.
 */
export function solve(scenario: Scenario, rules: ProgrammeRules, options: SolveOptions = {}): Solution {
  const attempt = walkDays(scenario, rules, options);
  const givenUp = attempt.unscheduled.filter((u) => u.reason.startsWith('not finished')).map((u) => u.group);
  if (givenUp.length === 0) return attempt;
  // The sessions a given-up group did get held facilitators and rooms that others could have used: plan again without it.
  const rest = (options.onlyGroups ?? scenario.groups.map((g) => g.id)).filter((id) => !givenUp.includes(id));
  const retry = solve(scenario, rules, { ...options, onlyGroups: rest });
  const retryUnscheduled = new Set(retry.unscheduled.map((u) => u.group));
  return { ...retry, unscheduled: [...attempt.unscheduled.filter((u) => !retryUnscheduled.has(u.group)), ...retry.unscheduled] };
}

function walkDays(scenario: Scenario, rules: ProgrammeRules, options: SolveOptions): Solution {
  const estate = new Estate(scenario, rules);
  const fixed = scenario.fixedSessions ?? [];
  const occupancy = new Occupancy(new Map(scenario.groups.map((g) => [g.id, g.site])));
  for (const s of fixed) occupancy.book(s);
  const planned = options.onlyGroups ? scenario.groups.filter((g) => options.onlyGroups?.includes(g.id)) : scenario.groups;
  const states = planned.map((g) => initialState(estate, g, fixed, options.horizonYears ?? 3));
  for (const state of states) state.failure = structuralObstacle(estate, state.group);
  const active = () => states.filter((s) => waiting(estate, s));
  let pending = active();
  if (pending.length > 0) {
    const firstDay = Math.min(...pending.map((s) => Math.max(s.earliest, s.lastDay + 1)));
    for (let day = firstDay; pending.length > 0; day++) {
      if (!isBankHoliday(day)) planDay(estate, occupancy, pending, day);
      for (const s of pending) if (day >= s.horizon && s.placed < total(estate)) s.failure = giveUp(estate, s);
      pending = active();
    }
  }
  const done = states.filter((s) => s.failure === undefined);
  return {
    sessions: done.flatMap((s) => s.sessions),
    groups: spans([...fixed, ...done.flatMap((s) => s.sessions)], done.map((s) => s.group.id)),
    unscheduled: states.filter((s) => s.failure !== undefined).map((s) => ({ group: s.group.id, reason: s.failure as string })),
  };
}

/**
 * Re-plans one group from a date (e.g. after a cancelled session): its sessions before the date and every
 * other group's sessions stay as they are and keep their rooms and facilitators.
 */
export function replanGroup(
  scenario: Scenario,
  rules: ProgrammeRules,
  current: PlannedSession[],
  groupId: string,
  from: IsoDate,
  options: SolveOptions = {},
): Solution {
  const group = scenario.groups.find((g) => g.id === groupId);
  if (!group) throw new RangeError(`unknown group "${groupId}"`);
  const kept = current.filter((s) => s.group !== groupId || s.date < from);
  const earliestStart = from > group.earliestStart ? from : group.earliestStart;
  const groups = scenario.groups.map((g) => (g.id === groupId ? { ...group, earliestStart } : g));
  const fixedSessions = [...(scenario.fixedSessions ?? []), ...kept];
  const partial = solve({ ...scenario, groups, fixedSessions }, rules, { ...options, onlyGroups: [groupId] });
  const sessions = [...kept, ...partial.sessions].sort((a, b) => a.group.localeCompare(b.group) || a.number - b.number);
  const others = scenario.groups.map((g) => g.id).filter((id) => id !== groupId);
  return { sessions, groups: [...spans(kept, others), ...partial.groups], unscheduled: partial.unscheduled };
}

/**
 * Facilitators who could replace `replaced` in one session without breaking a rule: in the group's team,
 * accredited, working at the site, not away, free at that time and under their daily and weekly limits.
 */
export function findSwapCandidates(
  scenario: Scenario,
  rules: ProgrammeRules,
  sessions: PlannedSession[],
  target: { group: string; number: number },
  replaced: string,
): string[] {
  const estate = new Estate(scenario, rules);
  const session = sessions.find((s) => s.group === target.group && s.number === target.number);
  const group = scenario.groups.find((g) => g.id === target.group);
  if (!session || !group) throw new RangeError(`no session ${target.number} of group "${target.group}"`);
  const occupancy = new Occupancy(new Map(scenario.groups.map((g) => [g.id, g.site])));
  for (const s of [...(scenario.fixedSessions ?? []), ...sessions]) if (s !== session) occupancy.book(s);
  const day = dayNumber(session.date);
  const interval = sessionInterval(session);
  return estate
    .eligibleTeam(group)
    .filter((f) => f.id !== replaced && !session.facilitators.includes(f.id))
    .filter((f) => !estate.isAway(f, day) && occupancy.facilitatorFree(f, day, interval))
    .map((f) => f.id);
}
