// Catch-up sessions for a man who missed one: the slots and rooms offered, booking one (nobody and no room
// double-booked, on a day the site is open), then recording it delivered or cancelled.
import { and, asc, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import { catchUpSessions, groupMembers, groupSessions, programmeGroups, requiredCatchUps, rooms, siteClosures, sites } from '../../db/schema.js';
import { catchUpRefusal, sessionTime, type Booking } from '../../domain/schedule/bookings.js';
import { isIsoDate, minutesOfTime } from '../../domain/schedule/calendar.js';
import type { Slot } from '../../domain/schedule/solver.js';
import { onlyOwn } from '../../domain/permissions.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { loadGroup, requireGroupManager } from '../groups/access.js';
import { versionField } from '../input-fields.js';
import { groupDefinition, lockTimetables, londonToday, readableDate } from '../scheduling.js';
import { slotsOfSite } from '../site-setup.js';
import { validate } from '../validate.js';
import { facilitatorObstacle } from './facilitator-rules.js';

const timeField = z
  .string({ error: 'Choose a start time' })
  .trim()
  .refine((v) => v !== '', 'Choose a start time')
  .refine((v) => v === '' || minutesOfTime(v) !== undefined, 'Start time must be a time in the form HH:MM, like 14:00');

export const catchUpInput = z.object({
  memberId: z.coerce.number({ error: 'Choose the man who missed the session' }).int().positive('Choose the man who missed the session'),
  sessionId: z.coerce.number({ error: 'Choose the session he missed' }).int().positive('Choose the session he missed'),
  date: z
    .string({ error: 'Enter the date of the catch-up' })
    .trim()
    .refine((v) => v !== '', 'Enter the date of the catch-up')
    .refine((v) => v === '' || isIsoDate(v), 'Date must be a real date in the form YYYY-MM-DD'),
  start: timeField,
  roomId: z.coerce.number({ error: 'Choose a room' }).int().positive('Choose a room'),
  facilitatorId: z.coerce.number({ error: 'Choose the facilitator' }).int().positive('Choose the facilitator'),
});

export interface CatchUpOptions {
  /** The site's weekly session slots: a catch-up starts at one of them. */
  slots: Slot[];
  rooms: Array<{ id: number; name: string }>;
  /** The group's own room, offered first. */
  groupRoomId: number;
}

export async function catchUpOptions(db: Db, actor: Actor, groupId: number): Promise<CatchUpOptions> {
  const group = await loadGroup(db, groupId);
  requireGroupManager(actor, group);
  const siteRooms = await db.select({ id: rooms.id, name: rooms.name }).from(rooms).where(eq(rooms.siteId, group.siteId)).orderBy(asc(rooms.name));
  const slots = (await slotsOfSite(db, group.siteId)).map(({ weekday, start }) => ({ weekday, start }));
  return { slots, rooms: siteRooms, groupRoomId: group.roomId };
}

/** What holds the room on the day: live group sessions and booked catch-ups, named as people read them. */
async function roomBookingsOn(ex: Executor, roomId: number, date: string): Promise<Booking[]> {
  const sessions = await ex
    .select({ s: groupSessions, groupName: programmeGroups.name })
    .from(groupSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .where(and(eq(groupSessions.roomId, roomId), eq(groupSessions.sessionDate, date), ne(groupSessions.status, 'cancelled')));
  const catchUps = await ex
    .select({ c: catchUpSessions, groupName: programmeGroups.name })
    .from(catchUpSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, catchUpSessions.groupId))
    .where(and(eq(catchUpSessions.roomId, roomId), eq(catchUpSessions.sessionDate, date), eq(catchUpSessions.status, 'booked')));
  return [
    ...sessions.map(({ s, groupName }) => ({ label: `${groupName} session ${s.number}`, date: s.sessionDate, start: s.startTime, end: s.endTime })),
    ...catchUps.map(({ c, groupName }) => ({
      label: `a catch-up of ${groupName} session ${c.sessionNumber}`,
      date: c.sessionDate,
      start: c.startTime,
      end: c.endTime,
    })),
  ];
}

/**
 * Books a catch-up for a man who missed a session: one facilitator of the team, in a room of the site, in one of
 * the site's slots on a day it is open, with nobody and no room double-booked.
 */
export async function bookCatchUp(db: Db, actor: Actor, groupId: number, input: unknown): Promise<{ id: number }> {
  const values = validate(catchUpInput, input);
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const group = await loadGroup(tx, groupId);
    requireGroupManager(actor, group);
    const [member] = await tx
      .select()
      .from(groupMembers)
      .where(and(eq(groupMembers.id, values.memberId), eq(groupMembers.groupId, groupId)));
    if (!member) throw ValidationFailed.one('memberId', 'Choose a man in this group');
    if (member.leftAt !== null) throw ValidationFailed.one('memberId', 'He has left the group: catch-ups are booked for current members only');
    const [missed] = await tx
      .select()
      .from(groupSessions)
      .where(and(eq(groupSessions.id, values.sessionId), eq(groupSessions.groupId, groupId)));
    if (!missed || missed.status === 'cancelled') throw ValidationFailed.one('sessionId', 'Choose a session of this group that took place');
    const open = await tx
      .select()
      .from(catchUpSessions)
      .where(and(eq(catchUpSessions.memberId, member.id), eq(catchUpSessions.sessionNumber, missed.number), ne(catchUpSessions.status, 'cancelled')));
    if (open.length > 0) throw ValidationFailed.one('sessionId', `He already has a catch-up for session ${missed.number}`);
    const { definition } = await groupDefinition(tx, group);
    // A day already past is allowed: a catch-up delivered before anyone booked it is recorded afterwards, and
    // the checks below (slots, closures, rooms and facilitators free) hold for that day as for any other.
    if (values.date < missed.sessionDate)
      throw ValidationFailed.one('date', `The catch-up must be on or after the missed session (${readableDate(missed.sessionDate)})`);
    const at = sessionTime(values.date, values.start, definition.sessionMinutes);
    if (!at) throw ValidationFailed.one('start', 'The catch-up would not finish before midnight');
    const [room] = await tx
      .select()
      .from(rooms)
      .where(and(eq(rooms.id, values.roomId), eq(rooms.siteId, group.siteId)));
    if (!room) throw ValidationFailed.one('roomId', 'Choose a room at this site');
    const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, group.siteId));
    const closures = await tx
      .select()
      .from(siteClosures)
      .where(and(eq(siteClosures.siteId, group.siteId), eq(siteClosures.closureDate, values.date)));
    const ownThatDay = await tx
      .select()
      .from(groupSessions)
      .where(and(eq(groupSessions.groupId, groupId), eq(groupSessions.sessionDate, values.date), ne(groupSessions.status, 'cancelled')));
    const refusal = catchUpRefusal(at, {
      siteName: site.name,
      siteSlots: await slotsOfSite(tx, group.siteId),
      closures: closures.map((c) => ({ date: c.closureDate, reason: c.reason })),
      roomName: room.name,
      roomBookings: await roomBookingsOn(tx, room.id, values.date),
      groupSessions: ownThatDay.map((s) => ({ label: `session ${s.number}`, date: s.sessionDate, start: s.startTime, end: s.endTime })),
    });
    if (refusal) throw ValidationFailed.one(refusal.field, refusal.message);
    const reason = await facilitatorObstacle(tx, values.facilitatorId, at, group, definition, londonToday());
    if (reason) throw ValidationFailed.one('facilitatorId', reason);
    const [row] = await tx
      .insert(catchUpSessions)
      .values({
        groupId,
        memberId: member.id,
        missedSessionId: missed.id,
        sessionNumber: missed.number,
        sessionDate: at.date,
        startTime: at.start,
        endTime: at.end,
        facilitatorId: values.facilitatorId,
        roomId: room.id,
      })
      .returning();
    // The catch-up his register made required, if any, is now booked.
    await tx
      .update(requiredCatchUps)
      .set({ catchUpId: row.id, updatedAt: new Date() })
      .where(and(eq(requiredCatchUps.memberId, member.id), eq(requiredCatchUps.sessionId, missed.id), eq(requiredCatchUps.status, 'outstanding')));
    await appendAudit(tx, actor, {
      action: 'catch_up.booked',
      subjectType: 'catch_up_session',
      subjectId: row.id,
      siteId: group.siteId,
      details: { groupId, personId: member.personId, number: missed.number, facilitatorId: values.facilitatorId, roomId: room.id },
    });
    return { id: row.id };
  });
}

export const catchUpOutcomeInput = z.object({
  outcome: z.enum(['delivered', 'cancelled'], { error: 'Choose whether the catch-up was delivered or cancelled' }),
  version: versionField,
});

/** Records that a booked catch-up was delivered (the man has now done that session) or cancelled (book another). */
export async function recordCatchUpOutcome(db: Db, actor: Actor, catchUpId: number, input: unknown, today = londonToday()): Promise<void> {
  const values = validate(catchUpOutcomeInput, input);
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(catchUpSessions).where(eq(catchUpSessions.id, catchUpId));
    if (!row) throw new NotFound('Catch-up session');
    const group = await loadGroup(tx, row.groupId);
    authorise(actor, 'catch_up.record_outcome');
    if (!onlyOwn(actor.role, 'catch_up.record_outcome')) authorise(actor, 'catch_up.record_outcome', group.siteId);
    else if (actor.userId !== row.facilitatorId) throw new AccessDenied('You can record the outcome of your own catch-ups only');
    if (row.status !== 'booked') throw ValidationFailed.one('outcome', `This catch-up is already ${row.status}`);
    if (values.outcome === 'delivered' && row.sessionDate > today)
      throw ValidationFailed.one('outcome', `The catch-up is booked for ${readableDate(row.sessionDate)}: it cannot be delivered before then`);
    const [updated] = await tx
      .update(catchUpSessions)
      .set({ status: values.outcome, deliveredOn: values.outcome === 'delivered' ? row.sessionDate : null, version: row.version + 1, updatedAt: new Date() })
      .where(and(eq(catchUpSessions.id, catchUpId), eq(catchUpSessions.version, values.version)))
      .returning();
    if (!updated) throw new EditConflict('This catch-up session');
    // Delivered fulfils the required catch-up it was booked for; cancelled leaves it required, to be booked again.
    await tx
      .update(requiredCatchUps)
      .set(values.outcome === 'delivered' ? { status: 'delivered', updatedAt: new Date() } : { catchUpId: null, updatedAt: new Date() })
      .where(and(eq(requiredCatchUps.catchUpId, catchUpId), eq(requiredCatchUps.status, 'outstanding')));
    await appendAudit(tx, actor, {
      action: `catch_up.${values.outcome}`,
      subjectType: 'catch_up_session',
      subjectId: catchUpId,
      siteId: group.siteId,
      details: { groupId: group.id, number: row.sessionNumber },
    });
  });
}
