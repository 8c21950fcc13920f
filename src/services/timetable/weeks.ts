// A week of sessions and catch-ups, for one facilitator (their own, or their site's treatment managers) or one site.
import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import type { Db, Executor } from '../../db/connection.js';
import { catchUpSessions, groupSessions, programmeGroups, rooms, sessionFacilitators, sites, userSites, users } from '../../db/schema.js';
import { dayNumber, isIsoDate, isoDate, weekStart } from '../../domain/schedule/calendar.js';
import { authorise, mayActOnStaff, type Actor } from '../access.js';
import { AccessDenied, NotFound } from '../errors.js';
import { sessionsWithNames } from '../groups/detail.js';
import { addDays, londonToday, type SessionRow } from '../scheduling.js';

export interface WeekEntry {
  kind: 'session' | 'catch-up';
  id: number;
  groupId: number;
  groupName: string;
  number: number;
  block: number | null;
  date: string;
  start: string;
  end: string;
  roomName: string;
  facilitators: string[];
  status: string;
}

export interface Week {
  monday: string;
  sunday: string;
  previous: string;
  next: string;
  days: Array<{ date: string; entries: WeekEntry[] }>;
}

export function mondayOf(date: string | undefined, today: string): string {
  const day = date && isIsoDate(date) ? date : today;
  return isoDate(weekStart(dayNumber(day)));
}

function arrangeWeek(monday: string, entries: WeekEntry[]): Week {
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i)).map((date) => ({
    date,
    entries: entries.filter((e) => e.date === date).sort((a, b) => a.start.localeCompare(b.start) || a.groupName.localeCompare(b.groupName)),
  }));
  return { monday, sunday: addDays(monday, 6), previous: addDays(monday, -7), next: addDays(monday, 7), days };
}

async function weekEntries(
  ex: Executor,
  sessionRows: Array<{ s: SessionRow; groupName: string }>,
  catchUps: Array<{ c: typeof catchUpSessions.$inferSelect; groupName: string; facilitator: string; roomName: string }>,
): Promise<WeekEntry[]> {
  const named = await sessionsWithNames(
    ex,
    sessionRows.map((r) => r.s),
  );
  const groupNames = new Map(sessionRows.map((r) => [r.s.id, { groupName: r.groupName, groupId: r.s.groupId }]));
  return [
    ...named.map((s) => ({
      kind: 'session' as const,
      id: s.id,
      groupId: groupNames.get(s.id)?.groupId ?? 0,
      groupName: groupNames.get(s.id)?.groupName ?? '',
      number: s.number,
      block: s.block,
      date: s.date,
      start: s.start,
      end: s.end,
      roomName: s.roomName,
      facilitators: s.facilitators.map((f) => f.displayName),
      status: s.status,
    })),
    ...catchUps.map(({ c, groupName, facilitator, roomName }) => ({
      kind: 'catch-up' as const,
      id: c.id,
      groupId: c.groupId,
      groupName,
      number: c.sessionNumber,
      block: null,
      date: c.sessionDate,
      start: c.startTime,
      end: c.endTime,
      roomName,
      facilitators: [facilitator],
      status: c.status,
    })),
  ];
}

/** The sessions and catch-ups of one week, for one facilitator or one site. */
async function weekOfSessions(db: Db, whose: { facilitatorId: number } | { siteId: number }, monday: string): Promise<Week> {
  const sunday = addDays(monday, 6);
  const sessionRows = await db
    .select({ s: groupSessions, groupName: programmeGroups.name })
    .from(groupSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .where(
      and(
        'facilitatorId' in whose
          ? inArray(
              groupSessions.id,
              db.select({ id: sessionFacilitators.sessionId }).from(sessionFacilitators).where(eq(sessionFacilitators.userId, whose.facilitatorId)),
            )
          : eq(programmeGroups.siteId, whose.siteId),
        gte(groupSessions.sessionDate, monday),
        lte(groupSessions.sessionDate, sunday),
      ),
    );
  const catchUps = await db
    .select({ c: catchUpSessions, groupName: programmeGroups.name, facilitator: users.displayName, roomName: rooms.name })
    .from(catchUpSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, catchUpSessions.groupId))
    .innerJoin(users, eq(users.id, catchUpSessions.facilitatorId))
    .innerJoin(rooms, eq(rooms.id, catchUpSessions.roomId))
    .where(
      and(
        'facilitatorId' in whose ? eq(catchUpSessions.facilitatorId, whose.facilitatorId) : eq(programmeGroups.siteId, whose.siteId),
        gte(catchUpSessions.sessionDate, monday),
        lte(catchUpSessions.sessionDate, sunday),
      ),
    );
  return arrangeWeek(monday, await weekEntries(db, sessionRows, catchUps));
}

export async function facilitatorWeek(db: Db, actor: Actor, userId: number, weekOf?: string, today = londonToday()): Promise<Week & { facilitator: string }> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.role, 'facilitator')));
  if (!user) throw new NotFound('Facilitator');
  const theirSites = (await db.select().from(userSites).where(eq(userSites.userId, userId))).map((s) => s.siteId);
  if (!mayActOnStaff(actor, 'facilitator.read', { userId, siteIds: theirSites })) throw new AccessDenied('You can see only your own week');
  const monday = mondayOf(weekOf, today);
  return { facilitator: user.displayName, ...(await weekOfSessions(db, { facilitatorId: userId }, monday)) };
}

export async function siteWeek(db: Db, actor: Actor, siteId: number, weekOf?: string, today = londonToday()): Promise<Week & { siteName: string }> {
  authorise(actor, 'site.week.read', siteId);
  const [site] = await db.select().from(sites).where(eq(sites.id, siteId));
  if (!site) throw new NotFound('Site');
  const monday = mondayOf(weekOf, today);
  return { siteName: site.name, ...(await weekOfSessions(db, { siteId }, monday)) };
}
