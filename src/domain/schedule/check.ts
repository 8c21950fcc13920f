// Independent check of a multi-group timetable against every hard rule, written apart from the solver
// (only bank holidays are shared) so that a bug in one is unlikely to be repeated in the other.
import { isBankHoliday } from './calendar.js';

export interface CheckedProgramme {
  id: string;
  /** Block of each session, index 0 = session 1. */
  blocks: number[];
  sessionMinutes: number;
  maxSessionsPerWeek: number;
  maxSessionsPerDay: number;
  facilitatorsPerSession: number;
}

interface CheckedSession {
  group: string;
  number: number;
  block: number;
  date: string;
  start: string;
  end: string;
  room: string;
  facilitators: string[];
  /** Recorded stand-ins; one without an obstacle was a treatment manager's own swap, which the cover rule leaves to them. */
  standIns?: Array<{ cover: string; for: string; obstacle?: unknown }>;
}

export interface CheckedScenario {
  programme: string;
  closures: Array<{ site: string; date: string }>;
  sites: Array<{ id: string; rooms: string[]; slots: Array<{ weekday: string; start: string }> }>;
  facilitators: Array<{
    id: string;
    sites: string[];
    programmes: string[];
    /** Per programme, the days from accreditation to the end of current supervision; none listed: no date limit. */
    accreditations?: Array<{ programme: string; accreditedOn: string; supervisionCurrentUntil: string }>;
    unavailable: string[];
    maxSessionsPerDay: number;
    maxSessionsPerWeek: number;
  }>;
  /** `cover`: team members who may only stand in when a named facilitator cannot take the session. */
  groups: Array<{ id: string; site: string; earliestStart: string; team: string[]; cover?: string[] }>;
  fixedSessions?: CheckedSession[];
}

export interface CheckedSolution {
  sessions: CheckedSession[];
  unscheduled: Array<{ group: string; reason: string }>;
}

export type Rule =
  | 'unknown-group'
  | 'numbering'
  | 'block'
  | 'duration'
  | 'order'
  | 'before-earliest-start'
  | 'slot'
  | 'room'
  | 'room-double-booked'
  | 'bank-holiday'
  | 'closure'
  | 'group-day-limit'
  | 'group-week-limit'
  | 'facilitator-count'
  | 'facilitator-unknown'
  | 'facilitator-not-in-team'
  | 'facilitator-not-accredited'
  | 'facilitator-wrong-site'
  | 'facilitator-unavailable'
  | 'facilitator-not-supervised'
  | 'cover-while-named-free'
  | 'facilitator-double-booked'
  | 'facilitator-day-limit'
  | 'facilitator-week-limit'
  | 'incomplete'
  | 'unscheduled-with-sessions';

export interface Violation {
  rule: Rule;
  message: string;
}

const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function utcDate(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

function weekdayOf(date: string): string {
  return dayNames[utcDate(date).getUTCDay()];
}

/** The Monday of the date's ISO week, as YYYY-MM-DD. */
function mondayOf(date: string): string {
  const d = utcDate(date);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

function minutes(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

function label(s: CheckedSession): string {
  return `group ${s.group} session ${s.number} on ${s.date} ${s.start}`;
}

function clash(a: CheckedSession, b: CheckedSession): boolean {
  return a.date === b.date && minutes(a.start) < minutes(b.end) && minutes(b.start) < minutes(a.end);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function pairwiseClashes(sessions: CheckedSession[], report: (a: CheckedSession, b: CheckedSession) => void): void {
  for (let i = 0; i < sessions.length; i++) {
    for (let j = i + 1; j < sessions.length; j++) if (clash(sessions[i], sessions[j])) report(sessions[i], sessions[j]);
  }
}

class Checker {
  readonly violations: Violation[] = [];
  private readonly groups: Map<string, CheckedScenario['groups'][number]>;
  private readonly sites: Map<string, CheckedScenario['sites'][number]>;
  private readonly facilitators: Map<string, CheckedScenario['facilitators'][number]>;
  private readonly closures: Set<string>;

  constructor(
    private readonly scenario: CheckedScenario,
    private readonly programme: CheckedProgramme,
  ) {
    this.groups = new Map(scenario.groups.map((g) => [g.id, g]));
    this.sites = new Map(scenario.sites.map((s) => [s.id, s]));
    this.facilitators = new Map(scenario.facilitators.map((f) => [f.id, f]));
    this.closures = new Set(scenario.closures.map((c) => `${c.site} ${c.date}`));
  }

  add(rule: Rule, message: string): void {
    this.violations.push({ rule, message });
  }

  session(s: CheckedSession): void {
    const group = this.groups.get(s.group);
    if (!group) return this.add('unknown-group', `${label(s)}: no such group in the scenario`);
    const expectedBlock = this.programme.blocks[s.number - 1];
    if (expectedBlock !== undefined && s.block !== expectedBlock) {
      this.add('block', `${label(s)}: is in block ${s.block} but the programme puts session ${s.number} in block ${expectedBlock}`);
    }
    if (minutes(s.end) - minutes(s.start) !== this.programme.sessionMinutes) {
      this.add('duration', `${label(s)}: runs ${s.start}-${s.end}, not ${this.programme.sessionMinutes} minutes`);
    }
    if (s.date < group.earliestStart) this.add('before-earliest-start', `${label(s)}: before the group's earliest start ${group.earliestStart}`);
    if (isBankHoliday(Math.round(utcDate(s.date).getTime() / 86_400_000))) this.add('bank-holiday', `${label(s)}: ${s.date} is a bank holiday`);
    if (this.closures.has(`${group.site} ${s.date}`)) this.add('closure', `${label(s)}: site ${group.site} is closed on ${s.date}`);
    this.place(s, group.site);
    this.staffing(s, group);
  }

  private place(s: CheckedSession, siteId: string): void {
    const site = this.sites.get(siteId);
    const weekday = weekdayOf(s.date);
    if (!site?.slots.some((slot) => slot.weekday === weekday && slot.start === s.start)) {
      this.add('slot', `${label(s)}: site ${siteId} has no ${weekday} ${s.start} slot`);
    }
    if (!site?.rooms.includes(s.room)) this.add('room', `${label(s)}: room ${s.room} is not at site ${siteId}`);
  }

  private staffing(s: CheckedSession, group: CheckedScenario['groups'][number]): void {
    const k = this.programme.facilitatorsPerSession;
    if (new Set(s.facilitators).size !== k || s.facilitators.length !== k) {
      this.add('facilitator-count', `${label(s)}: has ${s.facilitators.join(', ') || 'no facilitators'}, needs ${k} different facilitators`);
    }
    for (const id of s.facilitators) {
      const f = this.facilitators.get(id);
      if (!f) {
        this.add('facilitator-unknown', `${label(s)}: facilitator ${id} is not in the scenario`);
        continue;
      }
      if (!group.team.includes(id)) this.add('facilitator-not-in-team', `${label(s)}: ${id} is not in group ${group.id}'s team`);
      if (!f.programmes.includes(this.scenario.programme)) {
        this.add('facilitator-not-accredited', `${label(s)}: ${id} is not accredited for ${this.scenario.programme}`);
      }
      if (!f.sites.includes(group.site)) this.add('facilitator-wrong-site', `${label(s)}: ${id} does not work at site ${group.site}`);
      if (f.unavailable.includes(s.date)) this.add('facilitator-unavailable', `${label(s)}: ${id} is unavailable on ${s.date}`);
      const accreditation = f.accreditations?.find((a) => a.programme === this.scenario.programme);
      if (accreditation && (s.date < accreditation.accreditedOn || s.date > accreditation.supervisionCurrentUntil)) {
        this.add(
          'facilitator-not-supervised',
          `${label(s)}: ${id} is accredited for ${this.scenario.programme} with supervision current only from ${accreditation.accreditedOn} to ${accreditation.supervisionCurrentUntil}`,
        );
      }
    }
  }

  /**
   * A cover facilitator may take a session only in place of a named one who could not: away, not supervised that day,
   * in another session at that time, or at their daily or weekly limit (judged on the whole timetable), or when the
   * team has too few named facilitators for a session.
   */
  covers(all: CheckedSession[]): void {
    const byPersonDay = groupBy(
      all.flatMap((s) => s.facilitators.map((f) => ({ f, s }))),
      (a) => `${a.f} ${a.s.date}`,
    );
    const byPersonWeek = groupBy(
      all.flatMap((s) => s.facilitators.map((f) => ({ f, s }))),
      (a) => `${a.f} ${mondayOf(a.s.date)}`,
    );
    const keptOut = (id: string, s: CheckedSession, group: CheckedScenario['groups'][number]): boolean => {
      const f = this.facilitators.get(id);
      if (!f || !f.programmes.includes(this.scenario.programme) || !f.sites.includes(group.site) || f.unavailable.includes(s.date)) return true;
      const accreditation = f.accreditations?.find((a) => a.programme === this.scenario.programme);
      if (accreditation && (s.date < accreditation.accreditedOn || s.date > accreditation.supervisionCurrentUntil)) return true;
      const sameDay = (byPersonDay.get(`${id} ${s.date}`) ?? []).map((a) => a.s);
      if (sameDay.some((other) => clash(other, s)) || sameDay.length >= f.maxSessionsPerDay) return true;
      return (byPersonWeek.get(`${id} ${mondayOf(s.date)}`) ?? []).length >= f.maxSessionsPerWeek;
    };
    for (const s of all) {
      const group = this.groups.get(s.group);
      const cover = new Set(group?.cover ?? []);
      const byHand = new Set((s.standIns ?? []).filter((x) => x.obstacle === undefined || x.obstacle === null).map((x) => x.cover));
      const covers = s.facilitators.filter((id) => cover.has(id) && !byHand.has(id));
      if (!group || covers.length === 0) continue;
      const named = group.team.filter((id) => !cover.has(id));
      const missing = named.filter((id) => !s.facilitators.includes(id));
      const excused = missing.filter((id) => keptOut(id, s, group));
      // A team with fewer named facilitators than a session needs always uses cover for the rest.
      if (covers.length > excused.length + Math.max(0, this.programme.facilitatorsPerSession - named.length)) {
        this.add(
          'cover-while-named-free',
          `${label(s)}: cover ${covers.join(', ')} is in the session while ${missing.filter((id) => !excused.includes(id)).join(', ')} could have taken it`,
        );
      }
    }
  }

  groupSessions(groupId: string, sessions: CheckedSession[]): void {
    const byNumber = [...sessions].sort((a, b) => a.number - b.number);
    byNumber.forEach((s, i) => {
      if (s.number !== i + 1) this.add('numbering', `group ${groupId}: session numbers should run 1, 2, 3 …; found ${s.number} in place ${i + 1}`);
      const next = byNumber[i + 1];
      if (next && next.date <= s.date)
        this.add('order', `group ${groupId}: session ${next.number} (${next.date}) is not after session ${s.number} (${s.date})`);
    });
    for (const [date, onDay] of groupBy(sessions, (s) => s.date)) {
      if (onDay.length > this.programme.maxSessionsPerDay) {
        this.add('group-day-limit', `group ${groupId}: ${onDay.length} sessions on ${date}`);
      }
    }
    for (const [monday, inWeek] of groupBy(sessions, (s) => mondayOf(s.date))) {
      if (inWeek.length > this.programme.maxSessionsPerWeek) {
        this.add('group-week-limit', `group ${groupId}: ${inWeek.length} sessions in the week of ${monday}, more than ${this.programme.maxSessionsPerWeek}`);
      }
    }
  }

  rooms(all: CheckedSession[]): void {
    const siteOf = (s: CheckedSession) => this.groups.get(s.group)?.site ?? '?';
    for (const [, inRoom] of groupBy(all, (s) => `${siteOf(s)} ${s.room} ${s.date}`)) {
      pairwiseClashes(inRoom, (a, b) => this.add('room-double-booked', `room ${a.room} at ${siteOf(a)}: ${label(a)} overlaps ${label(b)}`));
    }
  }

  facilitatorLoads(all: CheckedSession[]): void {
    const assignments = all.flatMap((s) => s.facilitators.map((f) => ({ f, s })));
    for (const [key, onDay] of groupBy(assignments, (a) => `${a.f} ${a.s.date}`)) {
      const f = this.facilitators.get(onDay[0].f);
      pairwiseClashes(
        onDay.map((a) => a.s),
        (a, b) => this.add('facilitator-double-booked', `${onDay[0].f}: ${label(a)} overlaps ${label(b)}`),
      );
      if (f && onDay.length > f.maxSessionsPerDay) {
        this.add('facilitator-day-limit', `${key}: ${onDay.length} sessions, more than ${f.id}'s limit of ${f.maxSessionsPerDay} a day`);
      }
    }
    for (const [, inWeek] of groupBy(assignments, (a) => `${a.f} ${mondayOf(a.s.date)}`)) {
      const f = this.facilitators.get(inWeek[0].f);
      if (f && inWeek.length > f.maxSessionsPerWeek) {
        const monday = mondayOf(inWeek[0].s.date);
        this.add('facilitator-week-limit', `${f.id}: ${inWeek.length} sessions in the week of ${monday}, more than the limit of ${f.maxSessionsPerWeek}`);
      }
    }
  }

  completeness(byGroup: Map<string, CheckedSession[]>, solution: CheckedSolution, fixed: CheckedSession[]): void {
    const unscheduled = new Map(solution.unscheduled.map((u) => [u.group, u.reason]));
    const total = this.programme.blocks.length;
    for (const group of this.scenario.groups) {
      const count = byGroup.get(group.id)?.length ?? 0;
      if (unscheduled.has(group.id)) {
        if (!unscheduled.get(group.id)) this.add('incomplete', `group ${group.id}: listed as unscheduled without a reason`);
        if (solution.sessions.some((s) => s.group === group.id) && count !== total) {
          this.add('unscheduled-with-sessions', `group ${group.id}: listed as unscheduled but has planned sessions`);
        }
      } else if (count !== total) {
        const fixedCount = fixed.filter((s) => s.group === group.id).length;
        this.add('incomplete', `group ${group.id}: has ${count} of ${total} sessions (${fixedCount} fixed) and is not listed as unscheduled`);
      }
    }
  }
}

/** Every broken rule in the timetable (fixed sessions included), each with a readable message; empty when it is valid. */
export function checkTimetable(scenario: CheckedScenario, programme: CheckedProgramme, solution: CheckedSolution): Violation[] {
  const checker = new Checker(scenario, programme);
  const fixed = scenario.fixedSessions ?? [];
  const all = [...fixed, ...solution.sessions];
  for (const s of all) checker.session(s);
  const byGroup = groupBy(all, (s) => s.group);
  for (const [groupId, sessions] of byGroup) checker.groupSessions(groupId, sessions);
  checker.rooms(all);
  checker.facilitatorLoads(all);
  checker.covers(all);
  checker.completeness(byGroup, solution, fixed);
  return checker.violations;
}
