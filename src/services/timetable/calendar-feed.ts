// A facilitator's sessions and catch-ups as an iCalendar feed (RFC 5545), written by ical-generator: escaping,
// line folding and the Europe/London VTIMEZONE are the library's, not ours.
import { TZDate } from '@date-fns/tz';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { asc, eq, inArray } from 'drizzle-orm';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { Db } from '../../db/connection.js';
import { catchUpSessions, groupSessions, programmeGroups, programmeVersions, rooms, sessionFacilitators, sites } from '../../db/schema.js';
import type { ProgrammeDefinition } from '../../domain/programme/definition.js';
import { facilitatorBySecret } from '../facilitators.js';

const london = 'Europe/London';

/**
 * A session's date and wall-clock time in London. Events carry local times with TZID=Europe/London (and the zone's
 * VTIMEZONE), so a 09:00 session shows at 09:00 in summer and winter alike; TZDate keeps that independent of the
 * server's own time zone.
 */
function londonTime(date: string, time: string): TZDate {
  const [year, month, day] = date.split('-').map(Number);
  const [hours, minutes] = time.split(':').map(Number);
  return new TZDate(year, month - 1, day, hours, minutes, london);
}

export interface CalendarEvent {
  uid: string;
  date: string;
  start: string;
  end: string;
  summary: string;
  location: string;
  cancelled: boolean;
  /** Increases with every change, so calendar programs replace their copy. */
  sequence: number;
}

/** The feed's text. Times are London wall-clock times; DTSTAMP is `now` in UTC. */
export function calendarText(events: CalendarEvent[], now: Date): string {
  const calendar = ical({
    name: 'sotp sessions',
    prodId: '//sotp//timetable//EN',
    method: ICalCalendarMethod.PUBLISH,
    scale: 'GREGORIAN',
    // Only the VTIMEZONE generator, no calendar-wide zone: ical-generator would write DTSTAMP in that zone, and
    // RFC 5545 wants it in UTC.
    timezone: { name: null, generator: getVtimezoneComponent },
    x: [['X-WR-TIMEZONE', london]],
  });
  for (const e of events) {
    calendar.createEvent({
      id: e.uid,
      stamp: now,
      start: londonTime(e.date, e.start),
      end: londonTime(e.date, e.end),
      timezone: london,
      summary: e.summary,
      location: e.location,
      status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      sequence: e.sequence,
    });
  }
  return `${calendar.toString()}\r\n`;
}

/**
 * The facilitator's sessions and catch-ups as an iCalendar feed, or undefined when the secret is not a live link.
 * Events name the group, session number, block and room only: never the men in the group.
 */
export async function calendarFeed(db: Db, secret: string, now = new Date()): Promise<string | undefined> {
  const userId = await facilitatorBySecret(db, secret);
  if (userId === undefined) return undefined;
  const sessionRows = await db
    .select({
      s: groupSessions,
      groupName: programmeGroups.name,
      roomName: rooms.name,
      siteName: sites.name,
      programmeVersionId: programmeGroups.programmeVersionId,
    })
    .from(groupSessions)
    .innerJoin(sessionFacilitators, eq(sessionFacilitators.sessionId, groupSessions.id))
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .innerJoin(rooms, eq(rooms.id, groupSessions.roomId))
    .innerJoin(sites, eq(sites.id, programmeGroups.siteId))
    .where(eq(sessionFacilitators.userId, userId))
    .orderBy(asc(groupSessions.sessionDate), asc(groupSessions.startTime));
  const versionIds = [...new Set(sessionRows.map((r) => r.programmeVersionId))];
  const programmeNames = new Map(
    versionIds.length
      ? (await db.select().from(programmeVersions).where(inArray(programmeVersions.id, versionIds))).map((v) => [
          v.id,
          (v.definition as ProgrammeDefinition).shortName,
        ])
      : [],
  );
  const catchUps = await db
    .select({ c: catchUpSessions, groupName: programmeGroups.name, siteName: sites.name, roomName: rooms.name })
    .from(catchUpSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, catchUpSessions.groupId))
    .innerJoin(sites, eq(sites.id, programmeGroups.siteId))
    .innerJoin(rooms, eq(rooms.id, catchUpSessions.roomId))
    .where(eq(catchUpSessions.facilitatorId, userId))
    .orderBy(asc(catchUpSessions.sessionDate));
  return calendarText(
    [
      ...sessionRows.map(({ s, groupName, roomName, siteName, programmeVersionId }) => ({
        uid: `session-${s.id}@sotp`,
        date: s.sessionDate,
        start: s.startTime,
        end: s.endTime,
        summary: `${groupName}: ${programmeNames.get(programmeVersionId) ?? ''} session ${s.number} (block ${s.block})`,
        location: `${roomName}, ${siteName}`,
        cancelled: s.status === 'cancelled',
        sequence: s.version,
      })),
      ...catchUps.map(({ c, groupName, siteName, roomName }) => ({
        uid: `catch-up-${c.id}@sotp`,
        date: c.sessionDate,
        start: c.startTime,
        end: c.endTime,
        summary: `${groupName}: catch-up of session ${c.sessionNumber}`,
        location: `${roomName}, ${siteName}`,
        cancelled: c.status === 'cancelled',
        sequence: c.version,
      })),
    ],
    now,
  );
}
