// Plans many groups at once across sites, rooms and facilitators, then re-plans each independent part (a site and
// whoever shares its staff) under other priority orders and keeps the timetable with the best objective (below).
// Also re-planning and facilitator swaps.
// Every session it places says why a cover facilitator stood in, and every group why its first session
// is later than its earliest start (the obstacles of each day lost), so that no choice goes unexplained.
import {
  bankHolidays,
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
import { calendarLowerBound } from './bounds.js';
import { exactSiteOptimum } from './exact.js';
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

/** The days a facilitator may staff one programme: from accreditation until supervision is no longer current. */
export interface Accreditation {
  programme: string;
  accreditedOn: IsoDate;
  supervisionCurrentUntil: IsoDate;
}

export interface Facilitator {
  id: string;
  sites: string[];
  /** Programmes the facilitator is accredited for. */
  programmes: string[];
  /** Date limits of those accreditations; a programme with no entry here is not limited by date. */
  accreditations?: Accreditation[];
  unavailable: IsoDate[];
  maxSessionsPerDay: number;
  maxSessionsPerWeek: number;
}

export interface Group {
  id: string;
  site: string;
  earliestStart: IsoDate;
  team: string[];
  /** Team members who only stand in when a named (lead or co-) facilitator cannot take a session. */
  cover?: string[];
  /** The group's own rooms and weekly slots (a group in the app has one room and chosen slots); by default its site's. */
  rooms?: string[];
  slots?: Slot[];
}

/** Why a group could not meet on a day, or why a facilitator could not take a session. Ids are the scenario's. */
export type Obstacle =
  | { kind: 'bank-holiday'; title: string }
  | { kind: 'closure' }
  | { kind: 'room-taken'; room: string; by: string }
  | { kind: 'unavailable'; facilitator: string }
  | { kind: 'not-supervised'; facilitator: string }
  | { kind: 'booked'; facilitator: string; by: string }
  | { kind: 'day-limit'; facilitator: string }
  | { kind: 'week-limit'; facilitator: string };

/** A cover facilitator in a session in place of a named one, and what kept the named one out. */
export interface StandIn {
  cover: string;
  for: string;
  obstacle: Obstacle;
}

/** One reason a group's first session is later than its earliest start: on how many of the lost days, and when. */
export interface LostDays {
  obstacle: Obstacle;
  days: number;
  first: IsoDate;
  last: IsoDate;
}

export interface GroupDelay {
  group: string;
  reasons: LostDays[];
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
  /** Present when a cover facilitator stands in for a named one. */
  standIns?: StandIn[];
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

/**
 * How far a planned group finishes from its calendar bound and why: each obstacle with the meeting days it took
 * (days the group's own calendar allowed a session but none could be placed), from the earliest start to the finish.
 */
export interface GroupGap {
  group: string;
  earliestStart: IsoDate;
  /** The calendar bound: the finish with every slot weekday of the site and nothing else in the way. */
  bound: IsoDate;
  finish: IsoDate;
  /** (finish − earliest start + 1) / (bound − earliest start + 1), in days: 1 on the bound. */
  ratio: number;
  /** Meeting days lost to anything but the calendar (bank holidays and closures are in the bound already). */
  daysLost: number;
  reasons: LostDays[];
}

export interface Solution {
  sessions: PlannedSession[];
  groups: GroupSpan[];
  unscheduled: Unscheduled[];
  /** Planned groups whose first session is later than their earliest start, with the obstacles of the days lost. */
  delays: GroupDelay[];
  /** Every planned group's bound, finish and the obstacles of the meeting days it lost. */
  gaps: GroupGap[];
}

export interface SolveOptions {
  /** How many years after a group's earliest start the solver keeps trying before giving up. */
  horizonYears?: number;
  /** Plan only these groups; the rest are known (for their sites) but left as they are. */
  onlyGroups?: string[];
  /** Seeds the random priority orders tried after the fixed ones, so the same scenario always gives the same timetable. */
  seed?: number;
  /** Random priority orders tried per independent part beyond the fixed ones (default 12). */
  randomOrders?: number;
  /** Re-plans per part in the improvement phase, each giving one left-out group its day (default 10). */
  improvementMoves?: number;
}

interface Interval {
  start: number;
  end: number;
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

function sessionInterval(session: Pick<PlannedSession, 'start' | 'end'>): Interval {
  return { start: minutesOfTime(session.start) ?? 0, end: minutesOfTime(session.end) ?? 0 };
}

interface Booking extends Interval {
  group: string;
}

/** Who and what is booked when (and by which group): rooms and facilitators by day, facilitators' weekly counts. */
class Occupancy {
  private readonly rooms = new Map<string, Booking[]>();
  private readonly facilitatorDays = new Map<string, Booking[]>();
  private readonly facilitatorWeeks = new Map<string, number>();

  constructor(private readonly siteOfGroup: Map<string, string>) {}

  book(session: PlannedSession, day: DayNumber = dayNumber(session.date)): void {
    const booking = { ...sessionInterval(session), group: session.group };
    push(this.rooms, this.roomKey(this.siteOfGroup.get(session.group) ?? '', session.room, day), booking);
    for (const f of session.facilitators) {
      push(this.facilitatorDays, `${f}|${day}`, booking);
      const weekKey = `${f}|${weekStart(day)}`;
      this.facilitatorWeeks.set(weekKey, (this.facilitatorWeeks.get(weekKey) ?? 0) + 1);
    }
  }

  /** Takes back a booking made by `book` (a day's trial placements that were not kept). */
  unbook(session: PlannedSession, day: DayNumber): void {
    const interval = sessionInterval(session);
    const same = (b: Booking) => b.group === session.group && b.start === interval.start && b.end === interval.end;
    removeOne(this.rooms.get(this.roomKey(this.siteOfGroup.get(session.group) ?? '', session.room, day)), same);
    for (const f of session.facilitators) {
      removeOne(this.facilitatorDays.get(`${f}|${day}`), same);
      const weekKey = `${f}|${weekStart(day)}`;
      this.facilitatorWeeks.set(weekKey, (this.facilitatorWeeks.get(weekKey) ?? 0) - 1);
    }
  }

  /** The booking that holds the room at that time, if any. */
  roomHolder(site: string, room: string, day: DayNumber, interval: Interval): Booking | undefined {
    return (this.rooms.get(this.roomKey(site, room, day)) ?? []).find((b) => overlaps(b, interval));
  }

  roomFree(site: string, room: string, day: DayNumber, interval: Interval): boolean {
    return this.roomHolder(site, room, day, interval) === undefined;
  }

  /** Why the facilitator's bookings and own limits keep them from a session at this time; undefined when they do not. */
  facilitatorObstacle(f: Facilitator, day: DayNumber, interval: Interval): Obstacle | undefined {
    const booked = this.facilitatorDays.get(`${f.id}|${day}`) ?? [];
    const clash = booked.find((b) => overlaps(b, interval));
    if (clash) return { kind: 'booked', facilitator: f.id, by: clash.group };
    if (booked.length >= f.maxSessionsPerDay) return { kind: 'day-limit', facilitator: f.id };
    if (this.weekCount(f.id, day) >= f.maxSessionsPerWeek) return { kind: 'week-limit', facilitator: f.id };
    return undefined;
  }

  /** Free of overlaps and under the facilitator's own daily and weekly limits. */
  facilitatorFree(f: Facilitator, day: DayNumber, interval: Interval): boolean {
    const booked = this.facilitatorDays.get(`${f.id}|${day}`) ?? [];
    if (booked.length >= f.maxSessionsPerDay || booked.some((b) => overlaps(b, interval))) return false;
    return this.weekCount(f.id, day) < f.maxSessionsPerWeek;
  }

  /** Sessions the facilitator may still take on the day under their daily and weekly limits. */
  sessionsLeft(f: Facilitator, day: DayNumber): number {
    const today = f.maxSessionsPerDay - (this.facilitatorDays.get(`${f.id}|${day}`)?.length ?? 0);
    return Math.max(0, Math.min(today, f.maxSessionsPerWeek - this.weekCount(f.id, day)));
  }

  weekCount(facilitator: string, day: DayNumber): number {
    return this.facilitatorWeeks.get(`${facilitator}|${weekStart(day)}`) ?? 0;
  }

  private roomKey(site: string, room: string, day: DayNumber): string {
    return `${site}|${room}|${day}`;
  }
}

function push<K, T>(map: Map<K, T[]>, key: K, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function removeOne<T>(list: T[] | undefined, match: (item: T) => boolean): void {
  const i = list?.findIndex(match) ?? -1;
  if (i >= 0) list?.splice(i, 1);
}

interface TimedSlot extends Interval {
  startText: string;
  endText: string;
}

/** A group's progress while the solver walks the days. */
interface GroupState {
  group: Group;
  team: Facilitator[];
  /** Team members who are not cover: they take every session they can. */
  named: Set<string>;
  earliest: DayNumber;
  horizon: DayNumber;
  /** After this day fewer of the team than a session needs are accredited with current supervision. */
  lastStaffable: DayNumber;
  lastDay: DayNumber;
  placed: number;
  weekCounts: Map<DayNumber, number>;
  previous?: PlannedSession;
  sessions: PlannedSession[];
  lostDays: Map<string, number>;
  /** Obstacles of the days lost before the first session, keyed by the obstacle. */
  delay: Map<string, LostDays>;
  /** Obstacles of every meeting day lost, keyed by the obstacle, and how many such days. */
  lost: Map<string, LostDays>;
  daysLost: number;
  /** Calendar days from the earliest start to the calendar bound, both included: the ratio's denominator. */
  boundDays: number;
  bound: IsoDate;
  failure?: string;
}

interface DayRange {
  from: DayNumber;
  until: DayNumber;
}

/** The scenario's lookups, built once. */
class Estate {
  readonly sites = new Map<string, Site>();
  readonly facilitators = new Map<string, Facilitator>();
  readonly unavailable = new Set<string>();
  readonly closures = new Set<string>();
  readonly slotsBySiteDay = new Map<string, TimedSlot[]>();
  /** Slots by group and weekday, for the groups that have their own. */
  private readonly slotsByGroupDay = new Map<string, TimedSlot[]>();
  /** Accreditation with current supervision for the planned programme, as days; absent when not limited by date. */
  private readonly qualified = new Map<string, DayRange>();

  private readonly bounds = new Map<string, IsoDate>();

  constructor(
    private readonly scenario: Scenario,
    readonly rules: ProgrammeRules,
  ) {
    for (const site of scenario.sites) this.sites.set(site.id, site);
    for (const f of scenario.facilitators) {
      this.facilitators.set(f.id, f);
      for (const date of f.unavailable) this.unavailable.add(`${f.id}|${dayNumber(date)}`);
      const accreditation = f.accreditations?.find((a) => a.programme === rules.id);
      if (accreditation) {
        this.qualified.set(f.id, { from: dayNumber(accreditation.accreditedOn), until: dayNumber(accreditation.supervisionCurrentUntil) });
      }
    }
    for (const c of scenario.closures) this.closures.add(`${c.site}|${dayNumber(c.date)}`);
    const timed = (slot: Slot): TimedSlot => {
      const start = minutesOfTime(slot.start) ?? 0;
      const end = start + rules.sessionMinutes;
      return { start, end, startText: slot.start, endText: timeOfMinutes(end) };
    };
    for (const site of scenario.sites) for (const slot of site.slots) push(this.slotsBySiteDay, `${site.id}|${slot.weekday}`, timed(slot));
    for (const group of scenario.groups) for (const slot of group.slots ?? []) push(this.slotsByGroupDay, `${group.id}|${slot.weekday}`, timed(slot));
    for (const slots of [...this.slotsBySiteDay.values(), ...this.slotsByGroupDay.values()]) slots.sort((a, b) => a.start - b.start);
  }

  /** The group's calendar bound (every slot weekday of its site, nothing else in the way), worked out once. */
  bound(group: Group): IsoDate {
    let bound = this.bounds.get(group.id);
    if (bound === undefined) {
      bound = (group.slots ?? this.sites.get(group.site)?.slots)?.length ? calendarLowerBound(this.scenario, this.rules, group) : group.earliestStart;
      this.bounds.set(group.id, bound);
    }
    return bound;
  }

  /** The slots the group may meet in on the day: its own when it has them, otherwise its site's. */
  slotsOn(group: Group, day: DayNumber): TimedSlot[] {
    const key = group.slots ? `${group.id}|${weekdayName(day)}` : `${group.site}|${weekdayName(day)}`;
    return (group.slots ? this.slotsByGroupDay : this.slotsBySiteDay).get(key) ?? [];
  }

  /** The rooms the group may meet in: its own when it has them, otherwise its site's. */
  roomsOf(group: Group): string[] {
    return group.rooms ?? this.sites.get(group.site)?.rooms ?? [];
  }

  isAway(f: Facilitator, day: DayNumber): boolean {
    return this.unavailable.has(`${f.id}|${day}`);
  }

  /** Accredited for the programme with supervision current on the day. */
  isQualified(f: Facilitator, day: DayNumber): boolean {
    const range = this.qualified.get(f.id);
    return range === undefined || (day >= range.from && day <= range.until);
  }

  /** The last day the facilitator may staff the programme (Infinity when not limited by date). */
  qualifiedUntil(f: Facilitator): DayNumber {
    return this.qualified.get(f.id)?.until ?? Infinity;
  }

  isClosed(site: string, day: DayNumber): boolean {
    return this.closures.has(`${site}|${day}`);
  }

  /** Why the facilitator cannot take a session at this time, the solver's rules in order; undefined when they can. */
  obstacleFor(f: Facilitator, occupancy: Occupancy, day: DayNumber, interval: Interval): Obstacle | undefined {
    if (this.isAway(f, day)) return { kind: 'unavailable', facilitator: f.id };
    if (!this.isQualified(f, day)) return { kind: 'not-supervised', facilitator: f.id };
    return occupancy.facilitatorObstacle(f, day, interval);
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
  if ((group.slots ?? site.slots).length === 0) return group.slots ? 'the group has no slots' : `site ${site.id} has no slots`;
  if (estate.roomsOf(group).length === 0) return group.rooms ? 'the group has no room' : `site ${site.id} has no rooms`;
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
  const team = estate.eligibleTeam(group);
  const cover = new Set(group.cover ?? []);
  const untilDays = team.map((f) => estate.qualifiedUntil(f)).sort((a, b) => b - a);
  return {
    group,
    team,
    named: new Set(team.filter((f) => !cover.has(f.id)).map((f) => f.id)),
    earliest: dayNumber(group.earliestStart),
    horizon: addYears(group.earliestStart, horizonYears),
    lastStaffable: untilDays[estate.rules.facilitatorsPerSession - 1] ?? -Infinity,
    lastDay: previous ? dayNumber(previous.date) : -Infinity,
    placed: own.length,
    weekCounts,
    previous,
    sessions: [],
    lostDays: new Map(),
    delay: new Map(),
    lost: new Map(),
    daysLost: 0,
    bound: estate.bound(group),
    boundDays: dayNumber(estate.bound(group)) - dayNumber(group.earliestStart) + 1,
  };
}

const total = (estate: Estate) => estate.rules.blocks.length;

function waiting(estate: Estate, state: GroupState): boolean {
  return state.failure === undefined && state.placed < total(estate);
}

/** Can the group meet today as far as its own calendar goes (start, order, slots, closures, weekly maximum)? */
function mayMeet(estate: Estate, state: GroupState, day: DayNumber): boolean {
  if (day < state.earliest || day <= state.lastDay) return false;
  if (estate.slotsOn(state.group, day).length === 0) return false;
  if (estate.isClosed(state.group.site, day)) return false;
  return (state.weekCounts.get(weekStart(day)) ?? 0) < estate.rules.maxSessionsPerWeek;
}

/**
 * Facilitators who could take a session at this time, best first: named facilitators before cover, then the
 * group's last pair, then the least contested and least used.
 */
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
    .filter((f) => !estate.isAway(f, day) && estate.isQualified(f, day) && occupancy.facilitatorFree(f, day, slot))
    .sort(
      (a, b) =>
        Number(state.named.has(b.id)) - Number(state.named.has(a.id)) ||
        Number(previous.has(b.id)) - Number(previous.has(a.id)) ||
        (contention.get(a.id) ?? 0) - (contention.get(b.id) ?? 0) ||
        occupancy.weekCount(a.id, day) - occupancy.weekCount(b.id, day) ||
        a.id.localeCompare(b.id),
    );
}

/** Slots in preference order: the group's usual time first, so its timetable stays regular. */
function preferredSlots(estate: Estate, state: GroupState, day: DayNumber): TimedSlot[] {
  const slots = estate.slotsOn(state.group, day);
  const usual = state.previous?.start;
  return usual ? [...slots.filter((s) => s.startText === usual), ...slots.filter((s) => s.startText !== usual)] : slots;
}

function preferredRooms(estate: Estate, state: GroupState): string[] {
  const rooms = estate.roomsOf(state.group);
  const usual = state.previous?.room;
  return usual && rooms.includes(usual) ? [usual, ...rooms.filter((r) => r !== usual)] : rooms;
}

/** The cover facilitators chosen, each paired with a named facilitator left out and what kept them out. */
function standInsFor(estate: Estate, occupancy: Occupancy, state: GroupState, chosen: Facilitator[], day: DayNumber, slot: TimedSlot): StandIn[] {
  const covers = chosen.filter((f) => !state.named.has(f.id));
  if (covers.length === 0) return [];
  const chosenIds = new Set(chosen.map((f) => f.id));
  const missing = state.team.filter((f) => state.named.has(f.id) && !chosenIds.has(f.id));
  return covers.flatMap((cover, i) => {
    const named = missing[i];
    const obstacle = named ? estate.obstacleFor(named, occupancy, day, slot) : undefined;
    return named && obstacle ? [{ cover: cover.id, for: named.id, obstacle }] : [];
  });
}

/**
 * Places the group's next session today if a slot, a room and enough facilitators are free together; of the
 * slots that work, the first needing the fewest cover facilitators, so named facilitators take every session they can.
 */
function tryPlace(estate: Estate, occupancy: Occupancy, state: GroupState, day: DayNumber, contention: Map<string, number>): PlannedSession | string {
  const k = estate.rules.facilitatorsPerSession;
  const site = state.group.site;
  let reason = 'no room free';
  let best: { slot: TimedSlot; room: string; chosen: Facilitator[]; covers: number } | undefined;
  for (const slot of preferredSlots(estate, state, day)) {
    const room = preferredRooms(estate, state).find((r) => occupancy.roomFree(site, r, day, slot));
    if (!room) continue;
    const facilitators = freeFacilitators(estate, occupancy, state, day, slot, contention);
    if (facilitators.length < k) {
      reason = `fewer than ${k} of the team free`;
      continue;
    }
    const chosen = facilitators.slice(0, k);
    const covers = chosen.filter((f) => !state.named.has(f.id)).length;
    if (!best || covers < best.covers) best = { slot, room, chosen, covers };
    if (covers === 0) break;
  }
  if (!best) return reason;
  const { slot, room, chosen } = best;
  const number = state.placed + 1;
  const standIns = standInsFor(estate, occupancy, state, chosen, day, slot);
  return {
    group: state.group.id,
    number,
    block: estate.rules.blocks[number - 1],
    date: dateOf(day),
    start: slot.startText,
    end: slot.endText,
    room,
    facilitators: chosen.map((f) => f.id).sort(),
    ...(standIns.length ? { standIns } : {}),
  };
}

/** What stopped the group on a day it could otherwise meet: per slot, the rooms taken or the team members kept out. */
function obstaclesOfDay(estate: Estate, occupancy: Occupancy, state: GroupState, day: DayNumber): Obstacle[] {
  const site = state.group.site;
  const found: Obstacle[] = [];
  for (const slot of estate.slotsOn(state.group, day)) {
    const holders = estate.roomsOf(state.group).map((room) => ({ room, holder: occupancy.roomHolder(site, room, day, slot) }));
    if (holders.every((h) => h.holder)) {
      for (const { room, holder } of holders) found.push({ kind: 'room-taken', room, by: (holder as Booking).group });
      continue;
    }
    for (const f of state.team) {
      const obstacle = estate.obstacleFor(f, occupancy, day, slot);
      if (obstacle) found.push(obstacle);
    }
  }
  return found;
}

const dates = new Map<DayNumber, IsoDate>();

/** The day's date, worked out once: the solver names the same days many times over. */
function dateOf(day: DayNumber): IsoDate {
  let date = dates.get(day);
  if (date === undefined) dates.set(day, (date = isoDate(day)));
  return date;
}

/** Counts a lost day against each obstacle that stood in the way that day. */
function noteLostDay(tally: Map<string, LostDays>, day: DayNumber, obstacles: Obstacle[]): void {
  const date = dateOf(day);
  for (const key of new Set(obstacles.map((o) => JSON.stringify(o)))) {
    const entry = tally.get(key);
    if (entry) {
      entry.days++;
      entry.last = date;
    } else tally.set(key, { obstacle: JSON.parse(key) as Obstacle, days: 1, first: date, last: date });
  }
}

const notStarted = (state: GroupState) => state.placed === 0;

function record(state: GroupState, session: PlannedSession, occupancy: Occupancy, day: DayNumber): void {
  occupancy.book(session, day);
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

/** When too few of the team are supervised on any day from the group's next possible day, nothing can be placed. */
function supervisionBeforeStart(estate: Estate, state: GroupState): string | undefined {
  const from = Math.max(state.earliest, state.lastDay + 1);
  if (state.placed >= total(estate) || state.lastStaffable >= from) return undefined;
  const k = estate.rules.facilitatorsPerSession;
  return `team has fewer than ${k} facilitators accredited for ${estate.rules.id} with supervision current on or after ${isoDate(from)}`;
}

function supervisionRunsOut(estate: Estate, state: GroupState): string {
  const k = estate.rules.facilitatorsPerSession;
  return (
    `after ${isoDate(state.lastStaffable)} fewer than ${k} of the team are accredited for ${estate.rules.id} with supervision current, ` +
    `so only ${state.placed} of ${total(estate)} sessions could be placed`
  );
}

/** Furthest behind first: most sessions still to run, then the earliest start, then id for a stable order. */
function byUrgency(a: GroupState, b: GroupState): number {
  return a.placed - b.placed || a.earliest - b.earliest || a.group.id.localeCompare(b.group.id);
}

const holidayTitles = new Map<DayNumber, string>();

function bankHolidayTitle(day: DayNumber): string {
  if (!holidayTitles.has(day)) {
    for (const h of bankHolidays(new Date(day * 86_400_000).getUTCFullYear())) holidayTitles.set(dayNumber(h.date), h.title);
  }
  return holidayTitles.get(day) ?? 'bank holiday';
}

/** Days a group that has not started yet loses to the calendar: a bank holiday or a closure on one of its meeting days. */
function noteCalendarLosses(estate: Estate, states: GroupState[], day: DayNumber, holiday: boolean): void {
  for (const state of states) {
    if (!notStarted(state) || day < state.earliest || estate.slotsOn(state.group, day).length === 0) continue;
    if (holiday) noteLostDay(state.delay, day, [{ kind: 'bank-holiday', title: bankHolidayTitle(day) }]);
    else if (estate.isClosed(state.group.site, day)) noteLostDay(state.delay, day, [{ kind: 'closure' }]);
  }
}

/**
 * How the day's groups are ranked when not all of them can meet. 'nearest-finish' serves first the group with the
 * least work left for its weight (sessions to run × its bound's length: Smith's rule for the mean ratio);
 * 'furthest-behind' the group with most sessions to run (for the last finish); 'order' a fixed order of groups.
 */
interface Priority {
  rule: 'nearest-finish' | 'furthest-behind' | 'order';
  order?: Map<string, number>;
  /** Serve as many groups as possible before asking which ones (otherwise the higher-ranked first). */
  mostServed: boolean;
  /** Days on which one group is ranked first whatever the rule says: the improvement phase's moves. */
  firstOn?: Map<DayNumber, string>;
  /** Days on which these groups are ranked first: the exact model's choice, replayed. */
  servedOn?: Map<DayNumber, string[]>;
}

function comparator(priority: Priority, sessionsPerGroup: number): (a: GroupState, b: GroupState) => number {
  if (priority.rule === 'furthest-behind') return byUrgency;
  if (priority.rule === 'order') {
    const rank = (s: GroupState) => priority.order?.get(s.group.id) ?? Infinity;
    return (a, b) => rank(a) - rank(b) || a.group.id.localeCompare(b.group.id);
  }
  const work = (s: GroupState) => (sessionsPerGroup - s.placed) * s.boundDays;
  return (a, b) => work(a) - work(b) || b.placed - a.placed || a.group.id.localeCompare(b.group.id);
}

/** Days on which a group could have met but another was served instead. */
type Contested = Array<[DayNumber, string]>;

interface DayTrial {
  placed: Map<GroupState, PlannedSession>;
  refusals: Map<GroupState, string>;
}

/** Places the groups in this order (each in the room and time and with the facilitators the earlier ones left), then takes the bookings back. */
function trialInOrder(estate: Estate, occupancy: Occupancy, order: GroupState[], day: DayNumber): DayTrial {
  const contention = new Map<string, number>();
  for (const s of order) for (const f of s.team) contention.set(f.id, (contention.get(f.id) ?? 0) + 1);
  const trial: DayTrial = { placed: new Map(), refusals: new Map() };
  for (const state of order) {
    for (const f of state.team) contention.set(f.id, (contention.get(f.id) ?? 0) - 1);
    const outcome = tryPlace(estate, occupancy, state, day, contention);
    if (typeof outcome === 'string') trial.refusals.set(state, outcome);
    else {
      trial.placed.set(state, outcome);
      occupancy.book(outcome, day);
    }
  }
  for (const session of trial.placed.values()) occupancy.unbook(session, day);
  return trial;
}

/** Orders worth trying when the ranked order leaves a group out: every order for a few groups, each group first otherwise. */
function otherOrders(ranked: GroupState[]): GroupState[][] {
  if (ranked.length > 5) return ranked.slice(1).map((first) => [first, ...ranked.filter((s) => s !== first)]);
  const permutations = (rest: GroupState[]): GroupState[][] =>
    rest.length <= 1 ? [rest] : rest.flatMap((first) => permutations(rest.filter((s) => s !== first)).map((tail) => [first, ...tail]));
  return permutations(ranked).slice(1);
}

/** Better of two trials: the higher-ranked groups served (and, when asked, more groups first). */
function better(priority: Priority, ranked: GroupState[], a: DayTrial, b: DayTrial): boolean {
  if (priority.mostServed && a.placed.size !== b.placed.size) return a.placed.size > b.placed.size;
  for (const state of ranked) {
    if (a.placed.has(state) !== b.placed.has(state)) return a.placed.has(state);
  }
  return false;
}

/** Most sessions the groups' teams could staff today together: each free member's sessions left today, k to a session. */
function staffableToday(estate: Estate, occupancy: Occupancy, ranked: GroupState[], day: DayNumber): number {
  const members = new Map<string, Facilitator>();
  for (const state of ranked) for (const f of state.team) members.set(f.id, f);
  let sessions = 0;
  for (const f of members.values()) {
    if (!estate.isAway(f, day) && estate.isQualified(f, day)) sessions += occupancy.sessionsLeft(f, day);
  }
  return Math.floor(sessions / estate.rules.facilitatorsPerSession);
}

/** The ranked order's first n groups all placed: no other order can do better once n is all the staff allow. */
function servesTopRanked(trial: DayTrial, ranked: GroupState[]): boolean {
  return ranked.slice(0, trial.placed.size).every((state) => trial.placed.has(state));
}

/** The day's placements: the ranked order, or another order that serves more or higher-ranked groups. */
function bestTrial(estate: Estate, occupancy: Occupancy, ranked: GroupState[], day: DayNumber, priority: Priority): DayTrial {
  let best = trialInOrder(estate, occupancy, ranked, day);
  const most = Math.min(ranked.length, staffableToday(estate, occupancy, ranked, day));
  const enough = () => best.placed.size === ranked.length || (best.placed.size >= most && servesTopRanked(best, ranked));
  if (enough()) return best;
  for (const order of otherOrders(ranked)) {
    const trial = trialInOrder(estate, occupancy, order, day);
    if (better(priority, ranked, trial, best)) best = trial;
    if (enough()) break;
  }
  return best;
}

/** Plans the day; each group that could have met but was left out is added to `contested`. */
function planDay(estate: Estate, occupancy: Occupancy, states: GroupState[], day: DayNumber, priority: Priority, contested?: Contested): void {
  const holiday = isBankHoliday(day);
  noteCalendarLosses(estate, states, day, holiday);
  if (holiday) return;
  const ranked = states.filter((s) => waiting(estate, s) && mayMeet(estate, s, day)).sort(comparator(priority, total(estate)));
  for (const first of [...(priority.servedOn?.get(day) ?? []), priority.firstOn?.get(day)].reverse()) {
    const moved = ranked.findIndex((s) => s.group.id === first);
    if (moved > 0) ranked.unshift(...ranked.splice(moved, 1));
  }
  const trial = bestTrial(estate, occupancy, ranked, day, priority);
  for (const state of ranked) if (!trial.placed.has(state)) contested?.push([day, state.group.id]);
  for (const state of ranked) {
    const session = trial.placed.get(state);
    if (session) record(state, session, occupancy, day);
  }
  for (const [state, refusal] of trial.refusals) {
    if (trial.placed.has(state)) continue;
    state.lostDays.set(refusal, (state.lostDays.get(refusal) ?? 0) + 1);
    const obstacles = obstaclesOfDay(estate, occupancy, state, day);
    if (notStarted(state)) noteLostDay(state.delay, day, obstacles);
    noteLostDay(state.lost, day, obstacles);
    state.daysLost++;
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
 * The objective every timetable is judged by, best first: fewest groups left unscheduled; then the mean over the
 * planned groups of (finish − earliest start + 1) / (calendar bound − earliest start + 1), in days, so that every
 * group's finish counts and a week lost weighs the same share of any group's wait; then the last finish.
 */
export interface Objective {
  unscheduled: number;
  meanRatio: number;
  lastFinish: IsoDate | '';
}

export function objectiveOf(solution: Pick<Solution, 'unscheduled' | 'gaps'>): Objective {
  const ratios = solution.gaps.map((g) => g.ratio);
  return {
    unscheduled: solution.unscheduled.length,
    meanRatio: ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : 0,
    lastFinish: solution.gaps.map((g) => g.finish).reduce<IsoDate | ''>((a, b) => (b > a ? b : a), ''),
  };
}

/** Equal means within rounding are a tie, so that the last finish decides between them. */
const ratioTolerance = 1e-9;

function isBetter(a: Objective, b: Objective): boolean {
  if (a.unscheduled !== b.unscheduled) return a.unscheduled < b.unscheduled;
  if (Math.abs(a.meanRatio - b.meanRatio) > ratioTolerance) return a.meanRatio < b.meanRatio;
  return a.lastFinish < b.lastFinish;
}

/**
 * Plans every group's remaining sessions, choosing among priority orders by the objective above. Groups that share
 * no site and no facilitator cannot affect one another, so each such part is planned on its own.
 * A group that cannot be finished gets no sessions and a reason. Fixed sessions are not repeated in the result.
 */
export function solve(scenario: Scenario, rules: ProgrammeRules, options: SolveOptions = {}): Solution {
  const planned = options.onlyGroups ?? scenario.groups.map((g) => g.id);
  const estate = new Estate(scenario, rules);
  const parts = independentParts(scenario, planned).map((ids) => bestPlan(scenario, estate, { ...options, onlyGroups: ids }));
  return {
    sessions: parts.flatMap((p) => p.sessions),
    groups: parts.flatMap((p) => p.groups),
    unscheduled: parts.flatMap((p) => p.unscheduled),
    delays: parts.flatMap((p) => p.delays),
    gaps: parts.flatMap((p) => p.gaps),
  };
}

/** The planned groups split into parts that share no site and no team member, in the scenario's order. */
function independentParts(scenario: Scenario, planned: string[]): string[][] {
  const wanted = new Set(planned);
  const groups = scenario.groups.filter((g) => wanted.has(g.id));
  const parent = new Map(groups.map((g) => [g.id, g.id]));
  const root = (id: string): string => {
    const up = parent.get(id) as string;
    if (up === id) return id;
    const top = root(up);
    parent.set(id, top);
    return top;
  };
  const firstWith = new Map<string, string>();
  for (const g of groups) {
    for (const key of [`site ${g.site}`, ...g.team.map((f) => `facilitator ${f}`)]) {
      const other = firstWith.get(key);
      if (other === undefined) firstWith.set(key, g.id);
      else parent.set(root(g.id), root(other));
    }
  }
  const parts = new Map<string, string[]>();
  for (const g of groups) push(parts, root(g.id), g.id);
  return [...parts.values()];
}

/** mulberry32: a small seeded generator, so the random orders tried are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The priority orders tried for one part: the two ranking rules, then fixed orders of the groups (all of them for a
 * few groups, seeded random ones for more), each serving either the most groups a day or the higher-ranked first.
 */
function priorities(ids: string[], options: SolveOptions): Priority[] {
  const rules: Priority[] = [
    { rule: 'nearest-finish', mostServed: true },
    { rule: 'furthest-behind', mostServed: true },
  ];
  if (ids.length <= 1) return rules.slice(0, 1);
  let orders: string[][];
  if (ids.length <= 4) {
    const permutations = (rest: string[]): string[][] =>
      rest.length <= 1 ? [rest] : rest.flatMap((first) => permutations(rest.filter((id) => id !== first)).map((tail) => [first, ...tail]));
    orders = permutations(ids);
  } else {
    const random = seededRandom(options.seed ?? 1);
    orders = Array.from({ length: options.randomOrders ?? 12 }, () => {
      const order = [...ids];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      return order;
    });
  }
  const fixedOrders = orders.map((order): Priority => ({ rule: 'order', order: new Map(order.map((id, i) => [id, i])), mostServed: true }));
  return [...rules, ...fixedOrders];
}

interface Planned {
  solution: Solution;
  objective: Objective;
  priority: Priority;
  contested: Contested;
}

/**
 * The best timetable for one part: each priority order in turn, then an improvement phase (a local search over the
 * days' choices) that gives a group left out on a day that day instead, keeping each change that improves the objective.
 */
function bestPlan(scenario: Scenario, estate: Estate, options: SolveOptions): Solution {
  let best: Planned | undefined;
  const attempt = (priority: Priority): boolean => {
    const cutoff = best?.objective.unscheduled === 0 ? best.objective.meanRatio - ratioTolerance : Infinity;
    const contested: Contested = [];
    const solution = planWith(scenario, estate, options, priority, cutoff, contested);
    if (!solution) return false;
    const objective = objectiveOf(solution);
    if (best && !isBetter(objective, best.objective)) return false;
    best = { solution, objective, priority, contested };
    return true;
  };
  const exact = exactPriority(scenario, estate, options.onlyGroups ?? []);
  if (exact) attempt(exact);
  for (const priority of priorities(options.onlyGroups ?? [], options)) attempt(priority);
  // A group planned alone meets whenever it can: ranking it first on a day changes nothing.
  let moves = (options.onlyGroups ?? []).length > 1 ? (options.improvementMoves ?? 10) : 0;
  const tried = new Set<string>();
  for (let improved = true; improved && moves > 0;) {
    improved = false;
    const current = best as Planned;
    for (const [day, group] of current.contested) {
      const key = `${day} ${group}`;
      if (tried.has(key)) continue;
      tried.add(key);
      const firstOn = new Map(current.priority.firstOn);
      firstOn.set(day, group);
      improved = attempt({ ...current.priority, firstOn });
      if (improved || --moves <= 0) break;
    }
  }
  return (best as Planned).solution;
}

/** The exact model's state space (sessions run by each group) up to which it is worth solving a site exactly. */
const exactStates = 10_000;

/**
 * The exact per-site optimum's days as a priority to replay, when the part is a whole site the model holds for
 * (see exact.ts) and small enough; undefined otherwise.
 */
function exactPriority(scenario: Scenario, estate: Estate, ids: string[]): Priority | undefined {
  const groups = scenario.groups.filter((g) => ids.includes(g.id));
  const site = groups[0]?.site;
  if (groups.length < 2 || (estate.rules.blocks.length + 1) ** groups.length > exactStates) return undefined;
  if (scenario.groups.some((g) => g.site === site && !ids.includes(g.id))) return undefined;
  const optimum = exactSiteOptimum(scenario, estate.rules, site);
  if (!optimum) return undefined;
  const servedOn = new Map<DayNumber, string[]>();
  for (const session of optimum.sessions) push(servedOn, dayNumber(session.date), session.group);
  return { rule: 'nearest-finish', mostServed: true, servedOn };
}

/** The timetable this priority gives, or undefined once it is sure to be worse than `cutoff` (a mean ratio). */
function planWith(
  scenario: Scenario,
  estate: Estate,
  options: SolveOptions,
  priority: Priority,
  cutoff = Infinity,
  contested?: Contested,
): Solution | undefined {
  const walked = walkDays(scenario, estate, options, priority, cutoff, contested);
  if (!walked) return undefined;
  const { solution: attempt, givenUp } = walked;
  if (givenUp.length === 0) return attempt;
  // The sessions a given-up group did get held facilitators and rooms that others could have used: plan again without it.
  const rest = (options.onlyGroups ?? scenario.groups.map((g) => g.id)).filter((id) => !givenUp.includes(id));
  const retry = planWith(scenario, estate, { ...options, onlyGroups: rest }, priority) as Solution;
  const retryUnscheduled = new Set(retry.unscheduled.map((u) => u.group));
  return { ...retry, unscheduled: [...attempt.unscheduled.filter((u) => !retryUnscheduled.has(u.group)), ...retry.unscheduled] };
}

function gapOf(state: GroupState): GroupGap {
  const finish = isoDate(state.lastDay);
  return {
    group: state.group.id,
    earliestStart: state.group.earliestStart,
    bound: state.bound,
    finish,
    ratio: (state.lastDay - state.earliest + 1) / state.boundDays,
    daysLost: state.daysLost,
    reasons: [...state.lost.values()].sort((a, b) => b.days - a.days),
  };
}

/** The least mean ratio the groups can still reach at the end of the day: each unfinished one needs a day per session left. */
function meanRatioAtLeast(estate: Estate, states: GroupState[], day: DayNumber): number {
  let sum = 0;
  for (const s of states) {
    const finish = s.placed >= total(estate) ? s.lastDay : day + total(estate) - s.placed;
    sum += (finish - s.earliest + 1) / s.boundDays;
  }
  return sum / states.length;
}

function walkDays(
  scenario: Scenario,
  estate: Estate,
  options: SolveOptions,
  priority: Priority,
  cutoff = Infinity,
  contested?: Contested,
): { solution: Solution; givenUp: string[] } | undefined {
  const fixed = scenario.fixedSessions ?? [];
  const occupancy = new Occupancy(new Map(scenario.groups.map((g) => [g.id, g.site])));
  for (const s of fixed) occupancy.book(s);
  const only = options.onlyGroups ? new Set(options.onlyGroups) : undefined;
  const planned = only ? scenario.groups.filter((g) => only.has(g.id)) : scenario.groups;
  const states = planned.map((g) => initialState(estate, g, fixed, options.horizonYears ?? 3));
  for (const state of states) state.failure = structuralObstacle(estate, state.group) ?? supervisionBeforeStart(estate, state);
  const givenUp: string[] = [];
  const active = () => states.filter((s) => waiting(estate, s));
  let pending = active();
  if (pending.length > 0) {
    const firstDay = Math.min(...pending.map((s) => Math.max(s.earliest, s.lastDay + 1)));
    for (let day = firstDay; pending.length > 0; day++) {
      planDay(estate, occupancy, pending, day, priority, contested);
      for (const s of pending) {
        if (s.placed >= total(estate)) continue;
        if (day >= s.horizon) s.failure = giveUp(estate, s);
        else if (day >= s.lastStaffable) s.failure = supervisionRunsOut(estate, s);
        if (s.failure !== undefined && s.sessions.length > 0) givenUp.push(s.group.id);
      }
      pending = active();
      if (cutoff < Infinity && givenUp.length === 0 && meanRatioAtLeast(estate, states, day) > cutoff) return undefined;
    }
  }
  const done = states.filter((s) => s.failure === undefined);
  const solution = {
    sessions: done.flatMap((s) => s.sessions),
    groups: spans(
      [...fixed, ...done.flatMap((s) => s.sessions)],
      done.map((s) => s.group.id),
    ),
    unscheduled: states.filter((s) => s.failure !== undefined).map((s) => ({ group: s.group.id, reason: s.failure as string })),
    delays: done.filter((s) => s.delay.size > 0).map((s) => ({ group: s.group.id, reasons: [...s.delay.values()].sort((a, b) => b.days - a.days) })),
    gaps: done.filter((s) => s.lastDay > -Infinity).map(gapOf),
  };
  return { solution, givenUp };
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
  return { sessions, groups: [...spans(kept, others), ...partial.groups], unscheduled: partial.unscheduled, delays: partial.delays, gaps: partial.gaps };
}

/**
 * Facilitators who could replace `replaced` in one session without breaking a rule: in the group's team,
 * accredited with supervision current that day, working at the site, not away, free at that time and under
 * their daily and weekly limits.
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
    .filter((f) => estate.obstacleFor(f, occupancy, day, interval) === undefined)
    .map((f) => f.id);
}
