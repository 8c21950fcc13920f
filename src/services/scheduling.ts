// Builds the scheduling domain's Scenario from the database for one group: everything that holds the
// group's room or its team's time (other groups' sessions, catch-ups), their limits, unavailable days,
// accreditation and the site's closures. Shared by the group and timetable services; no access checks here.
import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../db/connection.js';
import {
  catchUpSessions,
  facilitatorAccreditations,
  facilitatorProfiles,
  facilitatorUnavailability,
  groupFacilitators,
  groupSlots,
  groupSessions,
  programmeGroups,
  programmeVersions,
  sessionFacilitators,
  siteClosures,
  userSites,
  users,
} from '../db/schema.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { readableDay } from '../domain/schedule/bookings.js';
import { dayNumber, isoDate, type WeekdayName } from '../domain/schedule/calendar.js';
import { programmeRules, type ProgrammeRules } from '../domain/schedule/planner.js';
import type { Facilitator, Group, PlannedSession, Scenario, Slot } from '../domain/schedule/solver.js';

/** Used until someone sets a facilitator's own limits: one 150-minute session a day, five a week. */
export const defaultLimits = { maxSessionsPerDay: 1, maxSessionsPerWeek: 5 } as const;

// Any constant will do: it serialises every change to timetables, so two plans never take the same room or person.
const schedulingLockKey = 741_852_964;

export async function lockTimetables(tx: Tx): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${schedulingLockKey})`);
}

/** Today in Europe/London as YYYY-MM-DD: the day that decides whether supervision is current. */
export function londonToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function addDays(date: string, days: number): string {
  return isoDate(dayNumber(date) + days);
}

export type GroupRow = typeof programmeGroups.$inferSelect;
export type SessionRow = typeof groupSessions.$inferSelect;

export async function groupDefinition(ex: Executor, group: GroupRow): Promise<{ definition: ProgrammeDefinition; rules: ProgrammeRules }> {
  const [row] = await ex.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
  const definition = row.definition as ProgrammeDefinition;
  return { definition, rules: programmeRules(definition) };
}

/** Facilitators as the solver sees them: ids are user ids as text, programmes only where accredited and supervision is current. */
export async function facilitatorsForScenario(ex: Executor, userIds: number[], today: string): Promise<Facilitator[]> {
  if (userIds.length === 0) return [];
  const [profiles, accreditations, away, siteRows, accounts] = await Promise.all([
    ex.select().from(facilitatorProfiles).where(inArray(facilitatorProfiles.userId, userIds)),
    ex.select().from(facilitatorAccreditations).where(inArray(facilitatorAccreditations.userId, userIds)),
    ex.select().from(facilitatorUnavailability).where(inArray(facilitatorUnavailability.userId, userIds)),
    ex.select().from(userSites).where(inArray(userSites.userId, userIds)),
    ex.select({ id: users.id, disabled: users.disabled }).from(users).where(inArray(users.id, userIds)),
  ]);
  // A disabled account keeps its past sessions but is never planned into new ones.
  const disabled = new Set(accounts.filter((a) => a.disabled).map((a) => a.id));
  return userIds.map((id) => {
    const profile = profiles.find((p) => p.userId === id);
    return {
      id: String(id),
      sites: siteRows.filter((s) => s.userId === id).map((s) => String(s.siteId)),
      programmes: accreditations
        .filter((a) => a.userId === id && !disabled.has(id) && a.accreditedOn <= today && a.supervisionCurrentUntil >= today)
        .map((a) => a.programmeId),
      unavailable: away.filter((u) => u.userId === id).map((u) => u.unavailableOn),
      maxSessionsPerDay: profile?.maxSessionsPerDay ?? defaultLimits.maxSessionsPerDay,
      maxSessionsPerWeek: profile?.maxSessionsPerWeek ?? defaultLimits.maxSessionsPerWeek,
    };
  });
}

export async function facilitatorsOfSessions(ex: Executor, sessionIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (sessionIds.length === 0) return map;
  const rows = await ex.select().from(sessionFacilitators).where(inArray(sessionFacilitators.sessionId, sessionIds));
  for (const r of rows) map.set(r.sessionId, [...(map.get(r.sessionId) ?? []), r.userId].sort((a, b) => a - b));
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

export interface GroupScenario {
  scenario: Scenario;
  rules: ProgrammeRules;
  definition: ProgrammeDefinition;
  /** The group's own live (not cancelled) sessions, as planned sessions, in number order. */
  own: PlannedSession[];
  ownRows: SessionRow[];
}

/**
 * The scenario for planning (or re-planning, or swapping in) one group. The site offered to the solver has
 * only the group's room and weekly slots; every other live session at the site or of a team member, and
 * every booked catch-up of a team member, is fixed.
 */
export async function scenarioForGroup(ex: Executor, group: GroupRow, today: string): Promise<GroupScenario> {
  const { definition, rules } = await groupDefinition(ex, group);
  const teamRows = await ex.select().from(groupFacilitators).where(eq(groupFacilitators.groupId, group.id));
  const team = teamRows.map((t) => t.userId);
  const slots = await ex.select().from(groupSlots).where(eq(groupSlots.groupId, group.id));

  // Live sessions that hold this site's rooms or the team's time, wherever they are.
  const teamSessionIds = team.length
    ? (await ex.select({ id: sessionFacilitators.sessionId }).from(sessionFacilitators).where(inArray(sessionFacilitators.userId, team))).map((r) => r.id)
    : [];
  const siteGroupIds = (await ex.select({ id: programmeGroups.id }).from(programmeGroups).where(eq(programmeGroups.siteId, group.siteId))).map((r) => r.id);
  const conditions = [inArray(groupSessions.groupId, siteGroupIds)];
  if (teamSessionIds.length) conditions.push(inArray(groupSessions.id, teamSessionIds));
  const live = await ex
    .select()
    .from(groupSessions)
    .where(and(ne(groupSessions.status, 'cancelled'), sql`(${sql.join(conditions, sql` OR `)})`));
  const byId = new Map(live.map((r) => [r.id, r]));
  const facilitatorsBySession = await facilitatorsOfSessions(ex, [...byId.keys()]);
  const ownRows = live.filter((r) => r.groupId === group.id).sort((a, b) => a.number - b.number);
  const own = ownRows.map((r) => toPlanned(r, facilitatorsBySession.get(r.id) ?? []));
  const fixed = live.filter((r) => r.groupId !== group.id).map((r) => toPlanned(r, facilitatorsBySession.get(r.id) ?? []));

  // Catch-ups take a facilitator's time and a room: the team's wherever they are, and every one at this site.
  // Each stands as a one-session group of its site so the solver counts its room against the site's.
  const catchUps = await ex
    .select({ c: catchUpSessions, siteId: programmeGroups.siteId })
    .from(catchUpSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, catchUpSessions.groupId))
    .where(
      and(
        eq(catchUpSessions.status, 'booked'),
        or(eq(programmeGroups.siteId, group.siteId), team.length ? inArray(catchUpSessions.facilitatorId, team) : undefined),
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

  const otherGroupIds = [...new Set(live.map((r) => r.groupId).filter((id) => id !== group.id))];
  const otherGroups = otherGroupIds.length ? await ex.select().from(programmeGroups).where(inArray(programmeGroups.id, otherGroupIds)) : [];
  const otherTeams = otherGroupIds.length ? await ex.select().from(groupFacilitators).where(inArray(groupFacilitators.groupId, otherGroupIds)) : [];
  const groups: Group[] = [
    { id: String(group.id), site: String(group.siteId), earliestStart: group.earliestStart, team: team.map(String) },
    ...otherGroups.map((g) => ({
      id: String(g.id),
      site: String(g.siteId),
      earliestStart: g.earliestStart,
      team: otherTeams.filter((t) => t.groupId === g.id).map((t) => String(t.userId)),
    })),
    ...catchUpGroups,
  ];

  const people = new Set<number>(team);
  for (const s of fixed) for (const f of s.facilitators) people.add(Number(f));
  const facilitators = await facilitatorsForScenario(ex, [...people].sort((a, b) => a - b), today);
  const closures = await ex.select().from(siteClosures).where(eq(siteClosures.siteId, group.siteId));
  const ownSlots: Slot[] = slots.map((s) => ({ weekday: s.weekday as WeekdayName, start: s.startTime }));

  const scenario: Scenario = {
    programme: definition.id,
    closures: closures.map((c) => ({ site: String(group.siteId), date: c.closureDate })),
    sites: [{ id: String(group.siteId), rooms: [String(group.roomId)], slots: ownSlots }],
    facilitators,
    groups,
    fixedSessions: fixed,
  };
  return { scenario, rules, definition, own, ownRows };
}

/** 'Tuesday 5 January 2027' for a calendar day, for messages people read. */
export const readableDate = readableDay;
