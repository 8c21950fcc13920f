// Moving a group's sessions: cancelling one (it and every later one are planned again) and re-planning from the
// first session still to run that now breaks a staffing rule. Both end the same way: plan, store, count what moved.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../db/connection.js';
import { groupSessions, programmeGroups, sessionFacilitators } from '../../db/schema.js';
import { replanGroup, type PlannedSession } from '../../domain/schedule/solver.js';
import type { Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, ValidationFailed } from '../errors.js';
import { loadGroup, requireGroupManager } from '../groups/access.js';
import { insertSessions } from '../groups/planning.js';
import { versionField } from '../input-fields.js';
import {
  addDays,
  conflictsOfSessions,
  facilitatorRows,
  facilitatorsOfSessions,
  lockTimetables,
  loadSession,
  londonToday,
  readableDate,
  scenarioForGroup,
  upcomingSessions,
  type GroupRow,
  type SessionRow,
} from '../scheduling.js';
import { validate } from '../validate.js';

export interface MovedSession {
  number: number;
  block: number;
  fromDate: string;
  fromStart: string;
  toDate: string;
  toStart: string;
}

interface ReplanFrom {
  /** This session and every later one are planned again… */
  number: number;
  /** …no earlier than this day. */
  date: string;
  /** A session cancelled first: its content takes a new row. */
  cancelled?: { row: SessionRow; reason: string };
  /** Why nothing changed when the group cannot be finished: the field named and the message for the solver's reason. */
  refusal: { field: string; message: (reason: string) => string };
}

/**
 * Plans a group's sessions again from one session on, holding every other group's sessions as they are, stores
 * them over the group's rows and marks the group changed. If the group cannot be finished nothing is stored.
 */
async function replanFrom(tx: Tx, group: GroupRow, from: ReplanFrom, today: string) {
  const { scenario, rules, own, ownRows } = await scenarioForGroup(tx, group, today);
  const kept = own.filter((s) => s.number !== from.cancelled?.row.number);
  const solution = replanGroup(scenario, rules, kept, String(group.id), from.date);
  const failure = solution.unscheduled.find((u) => u.group === String(group.id));
  if (failure) throw ValidationFailed.one(from.refusal.field, from.refusal.message(failure.reason));
  const replanned = solution.sessions.filter((s) => s.group === String(group.id) && s.number >= from.number);
  if (from.cancelled) {
    const { row, reason } = from.cancelled;
    await tx
      .update(groupSessions)
      .set({ status: 'cancelled', cancelReason: reason, version: row.version + 1, updatedAt: new Date() })
      .where(eq(groupSessions.id, row.id));
  }
  const moved = await storeReplanned(tx, ownRows, replanned, from.cancelled?.row.number);
  await tx
    .update(programmeGroups)
    .set({ version: group.version + 1, updatedAt: new Date() })
    .where(eq(programmeGroups.id, group.id));
  return { kept, ownRows, replanned, moved };
}

/**
 * Stores a group's re-planned sessions over its rows: each row takes its session's new date, time, room and
 * facilitators in place; a number without a row (a group planned for the first time), or whose row was just
 * cancelled, gets a new row. Returns what moved.
 */
export async function storeReplanned(tx: Tx, ownRows: SessionRow[], replanned: PlannedSession[], cancelledNumber?: number): Promise<MovedSession[]> {
  const oldByNumber = new Map(ownRows.map((r) => [r.number, r]));
  const oldFacilitators = await facilitatorsOfSessions(
    tx,
    ownRows.map((r) => r.id),
  );
  const moved: MovedSession[] = [];
  for (const s of replanned) {
    const old = oldByNumber.get(s.number);
    if (!old) {
      await insertSessions(tx, [s]);
      continue;
    }
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

// ---------------------------------------------------------------------------------------------- cancelling

export const cancelInput = z.object({
  reason: z
    .string({ error: 'Enter why the session is cancelled' })
    .trim()
    .min(1, 'Enter why the session is cancelled')
    .max(500, 'Reason must be 500 characters or fewer'),
  version: versionField,
});

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
    if (row.sessionDate < today)
      throw ValidationFailed.one('reason', `Session ${row.number} was on ${readableDate(row.sessionDate)}: only today’s or later sessions can be cancelled`);

    const { kept, ownRows, replanned, moved } = await replanFrom(
      tx,
      group,
      {
        number: row.number,
        date: addDays(row.sessionDate, 1),
        cancelled: { row, reason: values.reason },
        refusal: { field: 'reason', message: (reason) => `The session cannot be cancelled because the later sessions could not all be moved: ${reason}` },
      },
      today,
    );
    const lastDateBefore =
      ownRows
        .map((r) => r.sessionDate)
        .sort()
        .at(-1) ?? row.sessionDate;
    const lastDateAfter =
      [...kept.filter((s) => s.number < row.number), ...replanned]
        .map((s) => s.date)
        .sort()
        .at(-1) ?? lastDateBefore;
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
    const conflicts = await conflictsOfSessions(tx, upcoming, today);
    const first = upcoming.filter((s) => conflicts.has(s.id)).sort((a, b) => a.number - b.number)[0];
    if (!first) throw ValidationFailed.one('group', 'No session of this group still to run breaks a scheduling rule: there is nothing to re-plan');
    const { replanned, moved } = await replanFrom(
      tx,
      group,
      {
        number: first.number,
        date: first.date,
        refusal: { field: 'group', message: (reason) => `The sessions from session ${first.number} cannot be re-planned: ${reason}` },
      },
      today,
    );
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
