// Builds the scheduling domain's Scenario from the database for one group: everything that holds the
// group's room or its team's time (other groups' sessions, catch-ups), their limits, unavailable days,
// accreditation and the site's closures. Shared by the group and timetable services; no access checks here.
import { and, eq, gte, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../db/connection.js';
import {
  catchUpSessions,
  facilitatorProfiles,
  facilitatorUnavailability,
  groupFacilitators,
  groupSlots,
  groupSessions,
  programmeGroups,
  programmeVersions,
  rooms,
  sessionFacilitators,
  siteClosures,
  userSites,
  users,
} from '../db/schema.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { readableDay } from '../domain/schedule/bookings.js';
import { dayNumber, isoDate, type WeekdayName } from '../domain/schedule/calendar.js';
import { programmeRules, type ProgrammeRules } from '../domain/schedule/planner.js';
import type { Facilitator, Group, Obstacle, PlannedSession, Scenario, Slot } from '../domain/schedule/solver.js';
import { sessionConflicts, type SessionConflict, type StaffingFacts } from '../domain/schedule/staffing.js';
import { NotFound } from './errors.js';
import { standingAccreditations } from './staff/accreditation.js';

/** Used until someone sets a facilitator's own limits: one 150-minute session a day, five a week. */
const defaultLimits = { maxSessionsPerDay: 1, maxSessionsPerWeek: 5 } as const;

export interface FacilitatorLimits {
  maxSessionsPerDay: number;
  maxSessionsPerWeek: number;
  /** The profile's version for optimistic locking; 0 while he has no profile (the defaults apply). */
  version: number;
}

/**
 * Each facilitator's session limits, read from the profiles once here with the defaults applied to those who
 * have none, so no caller falls back on its own. Every id asked for is in the map.
 */
export async function facilitatorLimits(ex: Executor, userIds: number[]): Promise<Map<number, FacilitatorLimits>> {
  const profiles = userIds.length ? await ex.select().from(facilitatorProfiles).where(inArray(facilitatorProfiles.userId, userIds)) : [];
  return new Map(
    userIds.map((id) => {
      const profile = profiles.find((p) => p.userId === id);
      return [
        id,
        profile
          ? { maxSessionsPerDay: profile.maxSessionsPerDay, maxSessionsPerWeek: profile.maxSessionsPerWeek, version: profile.version }
          : { ...defaultLimits, version: 0 },
      ];
    }),
  );
}

// Any constant will do: it serialises every change to timetables, so two plans never take the same room or person.
const schedulingLockKey = 741_852_964;

export async function lockTimetables(tx: Tx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${schedulingLockKey})`);
}

// Nothing is planned or changed before today; the services take it from here, as they always have.
export { londonToday } from '../clock.js';

export function addDays(date: string, days: number): string {
  return isoDate(dayNumber(date) + days);
}

export type GroupRow = typeof programmeGroups.$inferSelect;
export type SessionRow = typeof groupSessions.$inferSelect;

export async function loadSession(ex: Executor, sessionId: number): Promise<SessionRow> {
  const [row] = await ex.select().from(groupSessions).where(eq(groupSessions.id, sessionId));
  if (!row) throw new NotFound('Session');
  return row;
}

export async function groupDefinition(ex: Executor, group: GroupRow): Promise<{ definition: ProgrammeDefinition; rules: ProgrammeRules }> {
  const [row] = await ex.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
  const definition = row.definition as ProgrammeDefinition;
  return { definition, rules: programmeRules(definition) };
}

/**
 * Facilitators as the solver sees them: ids are user ids as text; each accreditation with the days it covers, so
 * the solver and checker judge it on each session's date. The scenario's "supervision current until" is the last day
 * the accreditation stands as things are today (staff/accreditation.ts): open-ended while supervision is not overdue
 * beyond its grace period, the last day of grace once it is, the day before a suspension or withdrawal.
 */
export async function facilitatorsForScenario(ex: Executor, userIds: number[], today: string): Promise<Facilitator[]> {
  if (userIds.length === 0) return [];
  const [limits, accreditations, away, siteRows, accounts] = await Promise.all([
    facilitatorLimits(ex, userIds),
    standingAccreditations(ex, userIds, today),
    ex.select().from(facilitatorUnavailability).where(inArray(facilitatorUnavailability.userId, userIds)),
    ex.select().from(userSites).where(inArray(userSites.userId, userIds)),
    ex.select({ id: users.id, disabled: users.disabled }).from(users).where(inArray(users.id, userIds)),
  ]);
  // A disabled account keeps its past sessions but is never planned into new ones.
  const disabled = new Set(accounts.filter((a) => a.disabled).map((a) => a.id));
  return userIds.map((id) => {
    const { maxSessionsPerDay, maxSessionsPerWeek } = limits.get(id)!;
    const own = accreditations.filter((a) => a.userId === id && !disabled.has(id));
    return {
      id: String(id),
      sites: siteRows.filter((s) => s.userId === id).map((s) => String(s.siteId)),
      programmes: own.map((a) => a.programmeId),
      accreditations: own.map((a) => ({ programme: a.programmeId, accreditedOn: a.accreditedOn, supervisionCurrentUntil: a.deliversUntil })),
      unavailable: away.filter((u) => u.userId === id).map((u) => u.unavailableOn),
      maxSessionsPerDay,
      maxSessionsPerWeek,
    };
  });
}

export async function facilitatorsOfSessions(ex: Executor, sessionIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (sessionIds.length === 0) return map;
  const rows = await ex.select().from(sessionFacilitators).where(inArray(sessionFacilitators.sessionId, sessionIds));
  for (const r of rows)
    map.set(
      r.sessionId,
      [...(map.get(r.sessionId) ?? []), r.userId].sort((a, b) => a - b),
    );
  return map;
}

export function toPlanned(row: SessionRow, facilitators: number[]): PlannedSession {
  return {
    group: String(row.groupId),
    number: row.number,
    block: row.block,
    date: row.sessionDate,
    start: row.startTime,
    end: row.endTime,
    room: String(row.roomId),
    facilitators: facilitators.map(String),
  };
}

/** Cover facilitators of each group: they stand in only when the lead or co-facilitator cannot take a session. */
function coverOf(teams: Array<typeof groupFacilitators.$inferSelect>, groupId: number): string[] {
  return teams.filter((t) => t.groupId === groupId && t.teamRole === 'cover').map((t) => String(t.userId));
}

export interface GroupScenario {
  scenario: Scenario;
  rules: ProgrammeRules;
  definition: ProgrammeDefinition;
  /** The group's own live (not cancelled) sessions, as planned sessions, in number order. */
  own: PlannedSession[];
  ownRows: SessionRow[];
}

export interface GroupsScenario {
  scenario: Scenario;
  rules: ProgrammeRules;
  definition: ProgrammeDefinition;
  /** Each planned group's own live (not cancelled) sessions, as rows, in number order. */
  ownRows: Map<number, SessionRow[]>;
  /** The same sessions as planned sessions. */
  own: Map<number, PlannedSession[]>;
}

/** The scenario for planning (or re-planning, or swapping in) one group: see `scenarioForGroups`. */
export async function scenarioForGroup(ex: Executor, group: GroupRow, today: string): Promise<GroupScenario> {
  const { scenario, rules, definition, own, ownRows } = await scenarioForGroups(ex, [group], today);
  return { scenario, rules, definition, own: own.get(group.id) ?? [], ownRows: ownRows.get(group.id) ?? [] };
}

/**
 * The scenario for planning some groups of one site and programme version together. Each meets only in its own
 * room and weekly slots; every other live session at the site or of a team member, and every booked catch-up at
 * the site or of a team member, is fixed, except the sessions of the groups `ignoring` names (whose timetables are
 * being replaced and are planned after these). No group is planned before today.
 */
export async function scenarioForGroups(ex: Executor, planned: GroupRow[], today: string, ignoring: number[] = []): Promise<GroupsScenario> {
  const [first] = planned;
  const { definition, rules } = await groupDefinition(ex, first);
  const plannedIds = planned.map((g) => g.id);
  const teamRows = await ex.select().from(groupFacilitators).where(inArray(groupFacilitators.groupId, plannedIds));
  const team = [...new Set(teamRows.map((t) => t.userId))];
  const slots = await ex.select().from(groupSlots).where(inArray(groupSlots.groupId, plannedIds));

  // Live sessions that hold this site's rooms or the teams' time, wherever they are.
  const teamSessionIds = team.length
    ? (await ex.select({ id: sessionFacilitators.sessionId }).from(sessionFacilitators).where(inArray(sessionFacilitators.userId, team))).map((r) => r.id)
    : [];
  const siteGroupIds = (await ex.select({ id: programmeGroups.id }).from(programmeGroups).where(eq(programmeGroups.siteId, first.siteId))).map((r) => r.id);
  const conditions = [inArray(groupSessions.groupId, siteGroupIds)];
  if (teamSessionIds.length) conditions.push(inArray(groupSessions.id, teamSessionIds));
  const ignored = new Set(ignoring);
  const live = (
    await ex
      .select()
      .from(groupSessions)
      .where(and(ne(groupSessions.status, 'cancelled'), sql`(${sql.join(conditions, sql` OR `)})`))
  ).filter((r) => !ignored.has(r.groupId));
  const byId = new Map(live.map((r) => [r.id, r]));
  const facilitatorsBySession = await facilitatorsOfSessions(ex, [...byId.keys()]);
  const isPlanned = new Set(plannedIds);
  const ownRows = new Map(plannedIds.map((id) => [id, live.filter((r) => r.groupId === id).sort((a, b) => a.number - b.number)]));
  const own = new Map([...ownRows].map(([id, rows]) => [id, rows.map((r) => toPlanned(r, facilitatorsBySession.get(r.id) ?? []))]));
  const fixed = live.filter((r) => !isPlanned.has(r.groupId)).map((r) => toPlanned(r, facilitatorsBySession.get(r.id) ?? []));

  // Catch-ups take a facilitator's time and a room: the teams' wherever they are, and every one at this site.
  // Each stands as a one-session group of its site so the solver counts its room against the site's.
  const catchUps = await ex
    .select({ c: catchUpSessions, siteId: programmeGroups.siteId })
    .from(catchUpSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, catchUpSessions.groupId))
    .where(
      and(
        eq(catchUpSessions.status, 'booked'),
        or(eq(programmeGroups.siteId, first.siteId), team.length ? inArray(catchUpSessions.facilitatorId, team) : undefined),
      ),
    );
  const catchUpGroups: Group[] = [];
  for (const { c, siteId } of catchUps) {
    catchUpGroups.push({ id: `catch-up-${c.id}`, site: String(siteId), earliestStart: c.sessionDate, team: [] });
    fixed.push({
      group: `catch-up-${c.id}`,
      number: 1,
      block: 1,
      date: c.sessionDate,
      start: c.startTime,
      end: c.endTime,
      room: String(c.roomId),
      facilitators: [String(c.facilitatorId)],
    });
  }

  const otherGroupIds = [...new Set(live.map((r) => r.groupId).filter((id) => !isPlanned.has(id)))];
  const otherGroups = otherGroupIds.length ? await ex.select().from(programmeGroups).where(inArray(programmeGroups.id, otherGroupIds)) : [];
  const otherTeams = otherGroupIds.length ? await ex.select().from(groupFacilitators).where(inArray(groupFacilitators.groupId, otherGroupIds)) : [];
  const slotsOf = (groupId: number): Slot[] =>
    slots.filter((s) => s.groupId === groupId).map((s) => ({ weekday: s.weekday as WeekdayName, start: s.startTime }));
  const groups: Group[] = [
    ...planned.map((g) => ({
      id: String(g.id),
      site: String(g.siteId),
      earliestStart: g.earliestStart > today ? g.earliestStart : today,
      team: teamRows.filter((t) => t.groupId === g.id).map((t) => String(t.userId)),
      cover: coverOf(teamRows, g.id),
      rooms: [String(g.roomId)],
      slots: slotsOf(g.id),
    })),
    ...otherGroups.map((g) => ({
      id: String(g.id),
      site: String(g.siteId),
      earliestStart: g.earliestStart,
      team: otherTeams.filter((t) => t.groupId === g.id).map((t) => String(t.userId)),
      cover: coverOf(otherTeams, g.id),
    })),
    ...catchUpGroups,
  ];

  const people = new Set<number>(team);
  for (const s of fixed) for (const f of s.facilitators) people.add(Number(f));
  const facilitators = await facilitatorsForScenario(
    ex,
    [...people].sort((a, b) => a - b),
    today,
  );
  const closures = await ex.select().from(siteClosures).where(eq(siteClosures.siteId, first.siteId));
  const siteSlots = new Map(slots.map((s) => [`${s.weekday} ${s.startTime}`, { weekday: s.weekday as WeekdayName, start: s.startTime }]));

  const scenario: Scenario = {
    programme: definition.id,
    closures: closures.map((c) => ({ site: String(first.siteId), date: c.closureDate })),
    // The site as the planned groups use it: their rooms and slots (each group keeps to its own).
    sites: [{ id: String(first.siteId), rooms: [...new Set(planned.map((g) => String(g.roomId)))], slots: [...siteSlots.values()] }],
    facilitators,
    groups,
    fixedSessions: fixed,
  };
  return { scenario, rules, definition, own, ownRows };
}

/** 'Tuesday 5 January 2027' for a calendar day, for messages people read. */
export const readableDate = readableDay;

/** A planned session's facilitators as rows to store: a cover facilitator keeps whom they stand in for and why. */
export function facilitatorRows(sessionId: number, planned: PlannedSession) {
  return planned.facilitators.map((f) => {
    const standIn = planned.standIns?.find((x) => x.cover === f);
    return { sessionId, userId: Number(f), standsInFor: standIn ? Number(standIn.for) : null, standInReason: standIn?.obstacle ?? null };
  });
}

/** Display names for the ids the solver's obstacles and the staffing conflicts mention. */
export interface ScheduleNames {
  person(id: string): string;
  group(id: string): string;
  room(id: string): string;
}

const catchUpGroup = /^catch-up-\d+$/;

export async function scheduleNames(
  ex: Executor,
  ids: { people?: Iterable<string>; groups?: Iterable<string>; rooms?: Iterable<string> },
): Promise<ScheduleNames> {
  const numeric = (values: Iterable<string> | undefined) => [...new Set([...(values ?? [])].filter((v) => /^\d+$/.test(v)).map(Number))];
  const peopleIds = numeric(ids.people);
  const groupIds = numeric(ids.groups);
  const roomIds = numeric(ids.rooms);
  const people = new Map(
    peopleIds.length
      ? (await ex.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, peopleIds))).map((u) => [String(u.id), u.name])
      : [],
  );
  const groupNames = new Map(
    groupIds.length
      ? (await ex.select({ id: programmeGroups.id, name: programmeGroups.name }).from(programmeGroups).where(inArray(programmeGroups.id, groupIds))).map(
          (g) => [String(g.id), g.name],
        )
      : [],
  );
  const roomNames = new Map(
    roomIds.length
      ? (await ex.select({ id: rooms.id, name: rooms.name }).from(rooms).where(inArray(rooms.id, roomIds))).map((r) => [String(r.id), r.name])
      : [],
  );
  return {
    person: (id) => people.get(id) ?? 'A facilitator',
    group: (id) => (catchUpGroup.test(id) ? 'a catch-up session' : (groupNames.get(id) ?? 'another group')),
    room: (id) => roomNames.get(id) ?? 'The room',
  };
}

/** The ids an obstacle mentions. */
function obstacleIds(o: Obstacle): { people: string[]; groups: string[]; rooms: string[] } {
  switch (o.kind) {
    case 'room-taken':
      return { people: [], groups: [o.by], rooms: [o.room] };
    case 'booked':
      return { people: [o.facilitator], groups: [o.by], rooms: [] };
    case 'unavailable':
    case 'not-supervised':
    case 'day-limit':
    case 'week-limit':
      return { people: [o.facilitator], groups: [], rooms: [] };
    default:
      return { people: [], groups: [], rooms: [] };
  }
}

/** Names for everyone, every group and every room the obstacles mention, and for the other people listed. */
export function obstacleNames(ex: Executor, obstacles: Obstacle[], people: string[] = []): Promise<ScheduleNames> {
  const ids = obstacles.map(obstacleIds);
  return scheduleNames(ex, { people: [...people, ...ids.flatMap((i) => i.people)], groups: ids.flatMap((i) => i.groups), rooms: ids.flatMap((i) => i.rooms) });
}

/** What an obstacle was, in words, e.g. "Frankie Lead was unavailable" or "Room 1 was taken by Group B". */
export function obstacleText(o: Obstacle, names: ScheduleNames): string {
  switch (o.kind) {
    case 'bank-holiday':
      return `${o.title} (bank holiday)`;
    case 'closure':
      return 'The site was closed';
    case 'room-taken':
      return `${names.room(o.room)} was taken by ${names.group(o.by)}`;
    case 'unavailable':
      return `${names.person(o.facilitator)} was unavailable`;
    case 'not-supervised':
      return `${names.person(o.facilitator)} was not accredited with current supervision`;
    case 'booked':
      return catchUpGroup.test(o.by)
        ? `${names.person(o.facilitator)} was running a catch-up session`
        : `${names.person(o.facilitator)} was in a session of ${names.group(o.by)}`;
    case 'day-limit':
      return `${names.person(o.facilitator)} was at their limit of sessions a day`;
    case 'week-limit':
      return `${names.person(o.facilitator)} was at their limit of sessions a week`;
  }
}

/** What a planned session now breaks, in words, e.g. "Frankie Lead’s supervision lapsed after Tuesday 1 June 2027". */
export function conflictText(c: SessionConflict, names: ScheduleNames): string {
  switch (c.kind) {
    case 'closure':
      return 'The site is closed on this day';
    case 'unavailable':
      return `${names.person(c.facilitator)} is unavailable on this day`;
    case 'not-accredited':
      return `${names.person(c.facilitator)} is not accredited for the programme on this day`;
    case 'supervision-lapsed':
      return `${names.person(c.facilitator)}’s supervision lapsed after ${readableDate(c.until)}`;
  }
}

export interface SessionToCheck {
  id: number;
  groupId: number;
  siteId: number;
  programmeId: string;
  date: string;
  facilitators: number[];
}

/** The staffing conflicts of each session, read from today's facts (closures, unavailable days, accreditations). */
export async function conflictsOfSessions(ex: Executor, sessions: SessionToCheck[], today: string): Promise<Map<number, SessionConflict[]>> {
  const result = new Map<number, SessionConflict[]>();
  if (sessions.length === 0) return result;
  const people = [...new Set(sessions.flatMap((s) => s.facilitators))];
  const siteIds = [...new Set(sessions.map((s) => s.siteId))];
  const [closures, away, accreditations] = await Promise.all([
    ex.select().from(siteClosures).where(inArray(siteClosures.siteId, siteIds)),
    people.length ? ex.select().from(facilitatorUnavailability).where(inArray(facilitatorUnavailability.userId, people)) : [],
    standingAccreditations(ex, people, today),
  ]);
  const unavailable = new Map<string, Set<string>>();
  for (const u of away) unavailable.set(String(u.userId), (unavailable.get(String(u.userId)) ?? new Set()).add(u.unavailableOn));
  // One set of facts per site and programme.
  const factsByKey = new Map<string, StaffingFacts>();
  const factsFor = (siteId: number, programmeId: string): StaffingFacts => {
    const key = `${siteId} ${programmeId}`;
    let facts = factsByKey.get(key);
    if (!facts) {
      facts = {
        closures: new Set(closures.filter((c) => c.siteId === siteId).map((c) => c.closureDate)),
        unavailable,
        accreditations: new Map(accreditations.filter((a) => a.programmeId === programmeId).map((a) => [String(a.userId), a])),
      };
      factsByKey.set(key, facts);
    }
    return facts;
  };
  for (const s of sessions) {
    const found = sessionConflicts({ date: s.date, facilitators: s.facilitators.map(String) }, factsFor(s.siteId, s.programmeId));
    if (found.length) result.set(s.id, found);
  }
  return result;
}

export interface UpcomingSession extends SessionToCheck {
  number: number;
  groupName: string;
  groupVersion: number;
}

/** Sessions still to run (scheduled, today or later) of some groups, a site or a facilitator, with their facilitators. */
export async function upcomingSessions(
  ex: Executor,
  whose: { groupIds: number[] } | { siteId: number } | { facilitatorId: number },
  today: string,
): Promise<UpcomingSession[]> {
  let scope: SQL;
  if ('groupIds' in whose) {
    if (whose.groupIds.length === 0) return [];
    scope = inArray(groupSessions.groupId, whose.groupIds);
  } else if ('siteId' in whose) scope = eq(programmeGroups.siteId, whose.siteId);
  else
    scope = inArray(
      groupSessions.id,
      ex.select({ id: sessionFacilitators.sessionId }).from(sessionFacilitators).where(eq(sessionFacilitators.userId, whose.facilitatorId)),
    );
  const rows = await ex
    .select({
      s: groupSessions,
      groupName: programmeGroups.name,
      groupVersion: programmeGroups.version,
      siteId: programmeGroups.siteId,
      programmeId: programmeVersions.programmeId,
    })
    .from(groupSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
    .where(and(scope, eq(groupSessions.status, 'scheduled'), gte(groupSessions.sessionDate, today)));
  const facilitators = await facilitatorsOfSessions(
    ex,
    rows.map((r) => r.s.id),
  );
  return rows
    .map(({ s, groupName, groupVersion, siteId, programmeId }) => ({
      id: s.id,
      groupId: s.groupId,
      groupName,
      groupVersion,
      siteId,
      programmeId,
      number: s.number,
      date: s.sessionDate,
      facilitators: facilitators.get(s.id) ?? [],
    }))
    .sort((a, b) => a.groupName.localeCompare(b.groupName) || a.number - b.number);
}

export interface AffectedGroup {
  groupId: number;
  groupName: string;
  /** The group's record version, for the re-plan form. */
  groupVersion: number;
  sessions: Array<{ id: number; number: number; date: string; problems: string[] }>;
}

/** Upcoming sessions that break a staffing rule today, by group, each problem in words: what a re-plan would fix. */
export async function affectedGroups(
  ex: Executor,
  sessions: UpcomingSession[],
  today: string,
  only?: (c: SessionConflict) => boolean,
): Promise<AffectedGroup[]> {
  const conflicts = await conflictsOfSessions(ex, sessions, today);
  const relevant = sessions.map((s) => ({ s, found: (conflicts.get(s.id) ?? []).filter((c) => !only || only(c)) })).filter((x) => x.found.length > 0);
  const names = await scheduleNames(ex, { people: relevant.flatMap((x) => x.found.flatMap((c) => ('facilitator' in c ? [c.facilitator] : []))) });
  const groups = new Map<number, AffectedGroup>();
  for (const { s, found } of relevant) {
    const group = groups.get(s.groupId) ?? { groupId: s.groupId, groupName: s.groupName, groupVersion: s.groupVersion, sessions: [] };
    group.sessions.push({ id: s.id, number: s.number, date: s.date, problems: found.map((c) => conflictText(c, names)) });
    groups.set(s.groupId, group);
  }
  return [...groups.values()];
}
