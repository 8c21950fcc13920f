// Changing and reading timetables: cancelling a session (the later ones move), catch-up sessions for a man
// who missed one (booked, then tracked until delivered), swapping a facilitator in one session without
// breaking a rule, a facilitator's week, a site's week, and the facilitator's iCalendar feed.
import { and, asc, eq, gte, inArray, lte, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor, Tx } from '../db/connection.js';
import {
  catchUpSessions,
  facilitatorAccreditations,
  facilitatorUnavailability,
  groupFacilitators,
  groupMembers,
  groupSessions,
  programmeGroups,
  programmeVersions,
  rooms,
  sessionFacilitators,
  siteClosures,
  sites,
  userSites,
  users,
} from '../db/schema.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { catchUpRefusal, facilitatorTimeRefusal, sessionTime, type Booking } from '../domain/schedule/bookings.js';
import { dayNumber, isBankHoliday, isIsoDate, isoDate, minutesOfTime, timeOfMinutes, weekStart } from '../domain/schedule/calendar.js';
import { findSwapCandidates, replanGroup, type PlannedSession, type Slot } from '../domain/schedule/solver.js';
import { isNational, requireRole, requireSite, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from './errors.js';
import { facilitatorBySecret } from './facilitators.js';
import { insertSessions, loadGroup, requireGroupManager, sessionsWithNames, type TimetableSession } from './groups.js';
import { slotsOfSite } from './site-setup.js';
import {
  addDays,
  conflictsOfSessions,
  facilitatorLimits,
  facilitatorRows,
  facilitatorsOfSessions,
  groupDefinition,
  lockTimetables,
  londonToday,
  readableDate,
  scenarioForGroup,
  upcomingSessions,
  type GroupRow,
  type SessionRow,
} from './scheduling.js';
import { validate } from './validate.js';

const versionField = z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().positive();

async function loadSession(ex: Executor, sessionId: number): Promise<SessionRow> {
  const [row] = await ex.select().from(groupSessions).where(eq(groupSessions.id, sessionId));
  if (!row) throw new NotFound('Session');
  return row;
}

// ---------------------------------------------------------------------------------------------- cancelling

export const cancelInput = z.object({
  reason: z
    .string({ error: 'Enter why the session is cancelled' })
    .trim()
    .min(1, 'Enter why the session is cancelled')
    .max(500, 'Reason must be 500 characters or fewer'),
  version: versionField,
});

export interface MovedSession {
  number: number;
  block: number;
  fromDate: string;
  fromStart: string;
  toDate: string;
  toStart: string;
}

export interface Cancellation {
  groupId: number;
  cancelled: { number: number; date: string; start: string };
  /** Every session whose date or time changed, in number order (the cancelled session's new date first). */
  moved: MovedSession[];
  lastDateBefore: string;
  lastDateAfter: string;
}

/**
 * Cancels one scheduled session. Its content and every later session are planned again from the next day,
 * with every other group's sessions held as they are; if the group cannot be finished nothing changes.
 */
export async function cancelSession(db: Db, actor: Actor, sessionId: number, input: unknown, today = londonToday()): Promise<Cancellation> {
  const values = validate(cancelInput, input);
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const row = await loadSession(tx, sessionId);
    const group = await loadGroup(tx, row.groupId);
    requireGroupManager(actor, group);
    if (row.version !== values.version) throw new EditConflict(`Session ${row.number}`);
    if (row.status !== 'scheduled') throw ValidationFailed.one('reason', `Session ${row.number} is ${row.status}: only a scheduled session can be cancelled`);
    if (row.sessionDate < today) throw ValidationFailed.one('reason', `Session ${row.number} was on ${readableDate(row.sessionDate)}: only today’s or later sessions can be cancelled`);

    const { scenario, rules, own, ownRows } = await scenarioForGroup(tx, group, today);
    const current = own.filter((s) => s.number !== row.number);
    const solution = replanGroup(scenario, rules, current, String(group.id), addDays(row.sessionDate, 1));
    const failure = solution.unscheduled.find((u) => u.group === String(group.id));
    if (failure) throw ValidationFailed.one('reason', `The session cannot be cancelled because the later sessions could not all be moved: ${failure.reason}`);

    const replanned = solution.sessions.filter((s) => s.group === String(group.id) && s.number >= row.number);
    await tx
      .update(groupSessions)
      .set({ status: 'cancelled', cancelReason: values.reason, version: row.version + 1, updatedAt: new Date() })
      .where(eq(groupSessions.id, row.id));
    const moved = await storeReplanned(tx, ownRows, replanned, row.number);
    const lastDateBefore = ownRows.map((r) => r.sessionDate).sort().at(-1) ?? row.sessionDate;
    const lastDateAfter = [...current.filter((s) => s.number < row.number), ...replanned].map((s) => s.date).sort().at(-1) ?? lastDateBefore;
    await tx.update(programmeGroups).set({ version: group.version + 1, updatedAt: new Date() }).where(eq(programmeGroups.id, group.id));
    await appendAudit(tx, actor, {
      action: 'session.cancelled',
      subjectType: 'group_session',
      subjectId: row.id,
      siteId: group.siteId,
      details: { groupId: group.id, number: row.number, moved: moved.length },
    });
    return { groupId: group.id, cancelled: { number: row.number, date: row.sessionDate, start: row.startTime }, moved, lastDateBefore, lastDateAfter };
  });
}

/**
 * Stores a group's re-planned sessions over its rows: each row takes its session's new date, time, room and
 * facilitators in place; the number whose row was just cancelled gets a new row. Returns what moved.
 */
async function storeReplanned(tx: Tx, ownRows: SessionRow[], replanned: PlannedSession[], cancelledNumber?: number): Promise<MovedSession[]> {
  const oldByNumber = new Map(ownRows.map((r) => [r.number, r]));
  const oldFacilitators = await facilitatorsOfSessions(tx, ownRows.map((r) => r.id));
  const moved: MovedSession[] = [];
  for (const s of replanned) {
    const old = oldByNumber.get(s.number);
    if (!old) throw new Error(`session ${s.number} of group ${s.group} has no row to move`);
    if (s.number === cancelledNumber) {
      await insertSessions(tx, [s]);
    } else {
      const sameFacilitators = (oldFacilitators.get(old.id) ?? []).map(String).join() === [...s.facilitators].sort((a, b) => Number(a) - Number(b)).join();
      if (old.sessionDate === s.date && old.startTime === s.start && String(old.roomId) === s.room && sameFacilitators) continue;
      await tx
        .update(groupSessions)
        .set({ sessionDate: s.date, startTime: s.start, endTime: s.end, roomId: Number(s.room), version: old.version + 1, updatedAt: new Date() })
        .where(eq(groupSessions.id, old.id));
      await tx.delete(sessionFacilitators).where(eq(sessionFacilitators.sessionId, old.id));
      await tx.insert(sessionFacilitators).values(facilitatorRows(old.id, s));
    }
    if (old.sessionDate !== s.date || old.startTime !== s.start) {
      moved.push({ number: s.number, block: s.block, fromDate: old.sessionDate, fromStart: old.startTime, toDate: s.date, toStart: s.start });
    }
  }
  return moved;
}

// ---------------------------------------------------------------------------------------------- re-planning affected sessions

export const replanInput = z.object({ version: versionField });

export interface Replan {
  groupId: number;
  /** Sessions re-planned from the first one that broke a rule, and those that moved. */
  fromNumber: number;
  moved: MovedSession[];
}

/**
 * Re-plans a group's sessions from the first one still to run that now breaks a staffing rule (a closure day,
 * a facilitator unavailable or without current supervision): that session and every later one are planned again,
 * keeping the same day where a cover facilitator can stand in. Nothing before today moves.
 */
export async function replanAffectedSessions(db: Db, actor: Actor, groupId: number, input: unknown, today = londonToday()): Promise<Replan> {
  const values = validate(replanInput, input);
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const group = await loadGroup(tx, groupId);
    requireGroupManager(actor, group);
    if (group.version !== values.version) throw new EditConflict(`The group ${group.name}`);
    const upcoming = await upcomingSessions(tx, { groupIds: [groupId] }, today);
    const conflicts = await conflictsOfSessions(tx, upcoming);
    const first = upcoming.filter((s) => conflicts.has(s.id)).sort((a, b) => a.number - b.number)[0];
    if (!first) throw ValidationFailed.one('group', 'No session of this group still to run breaks a scheduling rule: there is nothing to re-plan');
    const { scenario, rules, own, ownRows } = await scenarioForGroup(tx, group, today);
    const solution = replanGroup(scenario, rules, own, String(group.id), first.date);
    const failure = solution.unscheduled.find((u) => u.group === String(group.id));
    if (failure) throw ValidationFailed.one('group', `The sessions from session ${first.number} cannot be re-planned: ${failure.reason}`);
    const replanned = solution.sessions.filter((s) => s.group === String(group.id) && s.number >= first.number);
    const moved = await storeReplanned(tx, ownRows, replanned);
    await tx.update(programmeGroups).set({ version: group.version + 1, updatedAt: new Date() }).where(eq(programmeGroups.id, group.id));
    await appendAudit(tx, actor, {
      action: 'group.replanned',
      subjectType: 'group',
      subjectId: group.id,
      siteId: group.siteId,
      details: { fromNumber: first.number, replanned: replanned.length, moved: moved.length },
    });
    return { groupId: group.id, fromNumber: first.number, moved };
  });
}

// ---------------------------------------------------------------------------------------------- who may take a session

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
async function facilitatorObstacle(
  ex: Executor,
  userId: number,
  at: { date: string; start: string; end: string },
  group: GroupRow,
  definition: ProgrammeDefinition,
  ignore: { sessionId?: number; catchUpId?: number } = {},
): Promise<string | undefined> {
  const [user] = await ex.select().from(users).where(eq(users.id, userId));
  if (!user || user.role !== 'facilitator' || user.disabled) return 'Choose a facilitator from the list';
  const name = user.displayName;
  const [inTeam] = await ex.select().from(groupFacilitators).where(and(eq(groupFacilitators.groupId, group.id), eq(groupFacilitators.userId, userId)));
  if (!inTeam) return `${name} is not in this group’s facilitator team`;
  const [accreditation] = await ex
    .select()
    .from(facilitatorAccreditations)
    .where(and(eq(facilitatorAccreditations.userId, userId), eq(facilitatorAccreditations.programmeId, definition.id)));
  // Supervision must be current on the day of the session, not merely today.
  if (!accreditation || accreditation.accreditedOn > at.date) return `${name} is not accredited for ${definition.shortName} on ${readableDate(at.date)}`;
  if (accreditation.supervisionCurrentUntil < at.date) {
    return `${name} is not accredited for ${definition.shortName} with current supervision (supervision lapsed after ${readableDate(accreditation.supervisionCurrentUntil)})`;
  }
  const [atSite] = await ex.select().from(userSites).where(and(eq(userSites.userId, userId), eq(userSites.siteId, group.siteId)));
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

// ---------------------------------------------------------------------------------------------- swapping

export interface SwapOptions {
  session: TimetableSession;
  groupId: number;
  groupName: string;
  replaced: { id: number; displayName: string };
  candidates: Array<{ id: number; displayName: string }>;
  /** Team members who cannot take the session, each with the rule that stops them. */
  unavailable: Array<{ id: number; displayName: string; reason: string }>;
}

async function swapContext(tx: Executor, actor: Actor, sessionId: number, replacedId: number, today: string) {
  const row = await loadSession(tx, sessionId);
  const group = await loadGroup(tx, row.groupId);
  requireGroupManager(actor, group);
  if (row.status !== 'scheduled') throw ValidationFailed.one('replacementId', `Session ${row.number} is ${row.status}: only a scheduled session can change facilitators`);
  if (row.sessionDate < today) throw ValidationFailed.one('replacementId', 'Only today’s or later sessions can change facilitators');
  const current = (await facilitatorsOfSessions(tx, [row.id])).get(row.id) ?? [];
  if (!current.includes(replacedId)) throw ValidationFailed.one('replacedId', 'Choose a facilitator who is in this session');
  const { definition } = await groupDefinition(tx, group);
  return { row, group, current, definition };
}

export async function swapOptions(db: Db, actor: Actor, sessionId: number, replacedId: number, today = londonToday()): Promise<SwapOptions> {
  return db.transaction(async (tx) => {
    const { row, group, current, definition } = await swapContext(tx, actor, sessionId, replacedId, today);
    const { scenario, rules, own } = await scenarioForGroup(tx, group, today);
    const valid = new Set(findSwapCandidates(scenario, rules, own, { group: String(group.id), number: row.number }, String(replacedId)).map(Number));
    const team = await tx
      .select({ id: users.id, displayName: users.displayName })
      .from(groupFacilitators)
      .innerJoin(users, eq(users.id, groupFacilitators.userId))
      .where(eq(groupFacilitators.groupId, group.id))
      .orderBy(asc(users.displayName));
    const candidates: SwapOptions['candidates'] = [];
    const unavailable: SwapOptions['unavailable'] = [];
    for (const member of team) {
      if (current.includes(member.id)) continue;
      const reason = await facilitatorObstacle(tx, member.id, { date: row.sessionDate, start: row.startTime, end: row.endTime }, group, definition, { sessionId: row.id });
      if (reason === undefined && valid.has(member.id)) candidates.push(member);
      else unavailable.push({ ...member, reason: reason ?? `${member.displayName} cannot take this session without breaking a scheduling rule` });
    }
    const [session] = await sessionsWithNames(tx, [row]);
    const replaced = session.facilitators.find((f) => f.id === replacedId) as { id: number; displayName: string };
    return { session, groupId: group.id, groupName: group.name, replaced, candidates, unavailable };
  });
}

export const swapInput = z.object({
  replacedId: z.coerce.number({ error: 'Choose the facilitator to replace' }).int().positive('Choose the facilitator to replace'),
  replacementId: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number({ error: 'Choose who takes their place' }).int().positive('Choose who takes their place'),
  ),
  version: versionField,
});

/** Replaces one facilitator in one session; refused, naming the rule, when the replacement may not take it. */
export async function swapFacilitator(db: Db, actor: Actor, sessionId: number, input: unknown, today = londonToday()): Promise<{ groupId: number; number: number }> {
  const values = validate(swapInput, input);
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const { row, group, current, definition } = await swapContext(tx, actor, sessionId, values.replacedId, today);
    if (row.version !== values.version) throw new EditConflict(`Session ${row.number}`);
    if (current.includes(values.replacementId)) throw ValidationFailed.one('replacementId', 'That facilitator is already in this session');
    const reason = await facilitatorObstacle(tx, values.replacementId, { date: row.sessionDate, start: row.startTime, end: row.endTime }, group, definition, { sessionId: row.id });
    if (reason) throw ValidationFailed.one('replacementId', reason);
    // The solver's own view of who may step in: both must agree before anything changes.
    const { scenario, rules, own } = await scenarioForGroup(tx, group, today);
    const valid = findSwapCandidates(scenario, rules, own, { group: String(group.id), number: row.number }, String(values.replacedId));
    if (!valid.includes(String(values.replacementId))) throw ValidationFailed.one('replacementId', 'That facilitator cannot take this session without breaking a scheduling rule');
    const [replacedRow] = await tx
      .delete(sessionFacilitators)
      .where(and(eq(sessionFacilitators.sessionId, row.id), eq(sessionFacilitators.userId, values.replacedId)))
      .returning();
    // A cover facilitator swapped in stands in for the named facilitator (whom the replaced one may already have been covering).
    const roles = new Map((await tx.select().from(groupFacilitators).where(eq(groupFacilitators.groupId, group.id))).map((t) => [t.userId, t.teamRole]));
    const standsInFor = roles.get(values.replacementId) !== 'cover' ? null : roles.get(values.replacedId) === 'cover' ? replacedRow.standsInFor : values.replacedId;
    await tx.insert(sessionFacilitators).values({ sessionId: row.id, userId: values.replacementId, standsInFor, standInReason: null });
    await tx.update(groupSessions).set({ version: row.version + 1, updatedAt: new Date() }).where(eq(groupSessions.id, row.id));
    await appendAudit(tx, actor, {
      action: 'session.facilitator_swapped',
      subjectType: 'group_session',
      subjectId: row.id,
      siteId: group.siteId,
      details: { groupId: group.id, number: row.number, replacedId: values.replacedId, replacementId: values.replacementId },
    });
    return { groupId: group.id, number: row.number };
  });
}

// ---------------------------------------------------------------------------------------------- catch-ups

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
    ...catchUps.map(({ c, groupName }) => ({ label: `a catch-up of ${groupName} session ${c.sessionNumber}`, date: c.sessionDate, start: c.startTime, end: c.endTime })),
  ];
}

/**
 * Books a catch-up for a man who missed a session: one facilitator of the team, in a room of the site, in one of
 * the site's slots on a day it is open, with nobody and no room double-booked.
 */
export async function bookCatchUp(db: Db, actor: Actor, groupId: number, input: unknown, today = londonToday()): Promise<{ id: number }> {
  const values = validate(catchUpInput, input);
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const group = await loadGroup(tx, groupId);
    requireGroupManager(actor, group);
    const [member] = await tx.select().from(groupMembers).where(and(eq(groupMembers.id, values.memberId), eq(groupMembers.groupId, groupId)));
    if (!member) throw ValidationFailed.one('memberId', 'Choose a man in this group');
    const [missed] = await tx.select().from(groupSessions).where(and(eq(groupSessions.id, values.sessionId), eq(groupSessions.groupId, groupId)));
    if (!missed || missed.status === 'cancelled') throw ValidationFailed.one('sessionId', 'Choose a session of this group that took place');
    const open = await tx
      .select()
      .from(catchUpSessions)
      .where(and(eq(catchUpSessions.memberId, member.id), eq(catchUpSessions.sessionNumber, missed.number), ne(catchUpSessions.status, 'cancelled')));
    if (open.length > 0) throw ValidationFailed.one('sessionId', `He already has a catch-up for session ${missed.number}`);
    const { definition } = await groupDefinition(tx, group);
    if (values.date < today) throw ValidationFailed.one('date', 'The catch-up must be today or later');
    if (values.date < missed.sessionDate) throw ValidationFailed.one('date', `The catch-up must be on or after the missed session (${readableDate(missed.sessionDate)})`);
    const at = sessionTime(values.date, values.start, definition.sessionMinutes);
    if (!at) throw ValidationFailed.one('start', 'The catch-up would not finish before midnight');
    const [room] = await tx.select().from(rooms).where(and(eq(rooms.id, values.roomId), eq(rooms.siteId, group.siteId)));
    if (!room) throw ValidationFailed.one('roomId', 'Choose a room at this site');
    const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, group.siteId));
    const closures = await tx.select().from(siteClosures).where(and(eq(siteClosures.siteId, group.siteId), eq(siteClosures.closureDate, values.date)));
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
    const reason = await facilitatorObstacle(tx, values.facilitatorId, at, group, definition);
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
    const isTheFacilitator = actor.role === 'facilitator' && actor.userId === row.facilitatorId;
    if (!isTheFacilitator) requireGroupManager(actor, group);
    if (row.status !== 'booked') throw ValidationFailed.one('outcome', `This catch-up is already ${row.status}`);
    if (values.outcome === 'delivered' && row.sessionDate > today) throw ValidationFailed.one('outcome', `The catch-up is booked for ${readableDate(row.sessionDate)}: it cannot be delivered before then`);
    const [updated] = await tx
      .update(catchUpSessions)
      .set({ status: values.outcome, deliveredOn: values.outcome === 'delivered' ? row.sessionDate : null, version: row.version + 1, updatedAt: new Date() })
      .where(and(eq(catchUpSessions.id, catchUpId), eq(catchUpSessions.version, values.version)))
      .returning();
    if (!updated) throw new EditConflict('This catch-up session');
    await appendAudit(tx, actor, {
      action: `catch_up.${values.outcome}`,
      subjectType: 'catch_up_session',
      subjectId: catchUpId,
      siteId: group.siteId,
      details: { groupId: group.id, number: row.sessionNumber },
    });
  });
}

// ---------------------------------------------------------------------------------------------- weeks

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

async function weekEntries(ex: Executor, sessionRows: Array<{ s: SessionRow; groupName: string }>, catchUps: Array<{ c: typeof catchUpSessions.$inferSelect; groupName: string; facilitator: string; roomName: string }>): Promise<WeekEntry[]> {
  const named = await sessionsWithNames(ex, sessionRows.map((r) => r.s));
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
          ? inArray(groupSessions.id, db.select({ id: sessionFacilitators.sessionId }).from(sessionFacilitators).where(eq(sessionFacilitators.userId, whose.facilitatorId)))
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
  const [user] = await db.select().from(users).where(and(eq(users.id, userId), eq(users.role, 'facilitator')));
  if (!user) throw new NotFound('Facilitator');
  const theirSites = (await db.select().from(userSites).where(eq(userSites.userId, userId))).map((s) => s.siteId);
  const allowed =
    actor.userId === userId ||
    (actor.role === 'treatment_manager' && theirSites.some((id) => actor.siteIds.includes(id))) ||
    ((actor.role === 'administrator' || actor.role === 'auditor') && isNational(actor));
  if (!allowed) throw new AccessDenied('You can see only your own week');
  const monday = mondayOf(weekOf, today);
  return { facilitator: user.displayName, ...(await weekOfSessions(db, { facilitatorId: userId }, monday)) };
}

export async function siteWeek(db: Db, actor: Actor, siteId: number, weekOf?: string, today = londonToday()): Promise<Week & { siteName: string }> {
  requireRole(actor, 'treatment_manager', 'administrator', 'auditor');
  requireSite(actor, siteId);
  const [site] = await db.select().from(sites).where(eq(sites.id, siteId));
  if (!site) throw new NotFound('Site');
  const monday = mondayOf(weekOf, today);
  return { siteName: site.name, ...(await weekOfSessions(db, { siteId }, monday)) };
}

// ---------------------------------------------------------------------------------------------- iCalendar

function icsText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF and a space. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const ch of line) {
    if (Buffer.byteLength(current + ch, 'utf8') > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const localStamp = (date: string, time: string) => `${date.replace(/-/g, '')}T${time.replace(':', '')}00`;

// UK civil time since 1996: BST from the last Sunday of March to the last Sunday of October.
const londonTimezone = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'TZNAME:BST',
  'DTSTART:19700329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'TZNAME:GMT',
  'DTSTART:19701025T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/**
 * The facilitator's sessions and catch-ups as an iCalendar feed, or undefined when the secret is not a live link.
 * Events name the group, session number, block and room only: never the men in the group.
 */
export async function calendarFeed(db: Db, secret: string, now = new Date()): Promise<string | undefined> {
  const userId = await facilitatorBySecret(db, secret);
  if (userId === undefined) return undefined;
  const sessionRows = await db
    .select({ s: groupSessions, groupName: programmeGroups.name, roomName: rooms.name, siteName: sites.name, programmeVersionId: programmeGroups.programmeVersionId })
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
      ? (await db.select().from(programmeVersions).where(inArray(programmeVersions.id, versionIds))).map((v) => [v.id, (v.definition as ProgrammeDefinition).shortName])
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
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//sotp//timetable//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'X-WR-CALNAME:sotp sessions', 'X-WR-TIMEZONE:Europe/London', ...londonTimezone];
  for (const { s, groupName, roomName, siteName, programmeVersionId } of sessionRows) {
    const programme = programmeNames.get(programmeVersionId) ?? '';
    lines.push(
      'BEGIN:VEVENT',
      `UID:session-${s.id}@sotp`,
      `DTSTAMP:${stamp}`,
      `DTSTART;TZID=Europe/London:${localStamp(s.sessionDate, s.startTime)}`,
      `DTEND;TZID=Europe/London:${localStamp(s.sessionDate, s.endTime)}`,
      `SUMMARY:${icsText(`${groupName}: ${programme} session ${s.number} (block ${s.block})`)}`,
      `LOCATION:${icsText(`${roomName}, ${siteName}`)}`,
      `STATUS:${s.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      `SEQUENCE:${s.version}`,
      'END:VEVENT',
    );
  }
  for (const { c, groupName, siteName, roomName } of catchUps) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:catch-up-${c.id}@sotp`,
      `DTSTAMP:${stamp}`,
      `DTSTART;TZID=Europe/London:${localStamp(c.sessionDate, c.startTime)}`,
      `DTEND;TZID=Europe/London:${localStamp(c.sessionDate, c.endTime)}`,
      `SUMMARY:${icsText(`${groupName}: catch-up of session ${c.sessionNumber}`)}`,
      `LOCATION:${icsText(`${roomName}, ${siteName}`)}`,
      `STATUS:${c.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      `SEQUENCE:${c.version}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

