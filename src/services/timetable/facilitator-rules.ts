// Who may take a session: the rules that stop a facilitator (team, accreditation and supervision on the day, site,
// unavailable days, daily and weekly limits), read straight from the database for swaps and catch-ups.
import { and, eq, gte, lte, ne } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import {
  catchUpSessions,
  facilitatorUnavailability,
  groupFacilitators,
  groupSessions,
  programmeGroups,
  sessionFacilitators,
  userSites,
  users,
} from '../../db/schema.js';
import type { ProgrammeDefinition } from '../../domain/programme/definition.js';
import { facilitatorTimeRefusal, type Booking } from '../../domain/schedule/bookings.js';
import { dayNumber, isoDate, weekStart } from '../../domain/schedule/calendar.js';
import { addDays, facilitatorLimits, readableDate, type GroupRow } from '../scheduling.js';
import { standingAccreditations, type StandingAccreditation } from '../staff/accreditation.js';

/** Why an accreditation no longer stands, after the name of its facilitator. */
export function accreditationEndText(a: StandingAccreditation): string {
  if (a.endedBy === 'suspension') return `is suspended from delivering ${a.programmeId} from ${readableDate(a.suspendedFrom!)}: ${a.suspensionReason}`;
  if (a.endedBy === 'withdrawal') return `no longer delivers ${a.programmeId}: accreditation withdrawn from ${readableDate(a.withdrawnFrom!)}`;
  return `is not accredited for ${a.programmeId} with current supervision (supervision was due on ${readableDate(a.supervisionDueOn)} and the accreditation lapsed after ${readableDate(a.deliversUntil)})`;
}

async function commitmentsOn(ex: Executor, userId: number, from: string, to: string, ignoreSessionId?: number, ignoreCatchUpId?: number): Promise<Booking[]> {
  const sessions = await ex
    .select({ s: groupSessions, groupName: programmeGroups.name })
    .from(groupSessions)
    .innerJoin(sessionFacilitators, eq(sessionFacilitators.sessionId, groupSessions.id))
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .where(
      and(
        eq(sessionFacilitators.userId, userId),
        ne(groupSessions.status, 'cancelled'),
        gte(groupSessions.sessionDate, from),
        lte(groupSessions.sessionDate, to),
      ),
    );
  const catchUps = await ex
    .select({ c: catchUpSessions, groupName: programmeGroups.name })
    .from(catchUpSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, catchUpSessions.groupId))
    .where(
      and(
        eq(catchUpSessions.facilitatorId, userId),
        eq(catchUpSessions.status, 'booked'),
        gte(catchUpSessions.sessionDate, from),
        lte(catchUpSessions.sessionDate, to),
      ),
    );
  return [
    ...sessions
      .filter(({ s }) => s.id !== ignoreSessionId)
      .map(({ s, groupName }) => ({ label: `${groupName} session ${s.number}`, date: s.sessionDate, start: s.startTime, end: s.endTime })),
    ...catchUps
      .filter(({ c }) => c.id !== ignoreCatchUpId)
      .map(({ c, groupName }) => ({ label: `a catch-up of ${groupName} session ${c.sessionNumber}`, date: c.sessionDate, start: c.startTime, end: c.endTime })),
  ];
}

/**
 * Why this facilitator may not take a session of the group at this time, naming the rule; undefined when they may.
 * The same rules the solver and the independent checker apply, read straight from the database.
 */
export async function facilitatorObstacle(
  ex: Executor,
  userId: number,
  at: { date: string; start: string; end: string },
  group: GroupRow,
  definition: ProgrammeDefinition,
  today: string,
  ignore: { sessionId?: number; catchUpId?: number } = {},
): Promise<string | undefined> {
  const [user] = await ex.select().from(users).where(eq(users.id, userId));
  if (!user || user.role !== 'facilitator' || user.disabled) return 'Choose a facilitator from the list';
  const name = user.displayName;
  const [inTeam] = await ex
    .select()
    .from(groupFacilitators)
    .where(and(eq(groupFacilitators.groupId, group.id), eq(groupFacilitators.userId, userId)));
  if (!inTeam) return `${name} is not in this group’s facilitator team`;
  const accreditation = (await standingAccreditations(ex, [userId], today)).find((a) => a.programmeId === definition.id);
  // The accreditation must stand on the day of the session, not merely today.
  if (!accreditation || accreditation.accreditedOn > at.date) return `${name} is not accredited for ${definition.shortName} on ${readableDate(at.date)}`;
  if (accreditation.deliversUntil < at.date) return `${name} ${accreditationEndText(accreditation)}`;
  const [atSite] = await ex
    .select()
    .from(userSites)
    .where(and(eq(userSites.userId, userId), eq(userSites.siteId, group.siteId)));
  if (!atSite) return `${name} does not work at this site`;
  const away = await ex
    .select()
    .from(facilitatorUnavailability)
    .where(and(eq(facilitatorUnavailability.userId, userId), eq(facilitatorUnavailability.unavailableOn, at.date)));
  const monday = isoDate(weekStart(dayNumber(at.date)));
  const { maxSessionsPerDay, maxSessionsPerWeek } = (await facilitatorLimits(ex, [userId])).get(userId)!;
  return facilitatorTimeRefusal(at, {
    name,
    unavailable: away.map((a) => a.unavailableOn),
    week: await commitmentsOn(ex, userId, monday, addDays(monday, 6), ignore.sessionId, ignore.catchUpId),
    maxSessionsPerDay,
    maxSessionsPerWeek,
  });
}
