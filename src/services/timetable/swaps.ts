// Swapping a facilitator in one session: who may step in (the database's rules and the solver must agree), and the swap.
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import { groupFacilitators, groupSessions, sessionFacilitators, users } from '../../db/schema.js';
import { findSwapCandidates } from '../../domain/schedule/solver.js';
import type { Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, ValidationFailed } from '../errors.js';
import { loadGroup, requireGroupManager } from '../groups/access.js';
import { sessionsWithNames, type TimetableSession } from '../groups/detail.js';
import { versionField } from '../input-fields.js';
import { facilitatorsOfSessions, groupDefinition, loadSession, lockTimetables, londonToday, scenarioForGroup } from '../scheduling.js';
import { validate } from '../validate.js';
import { facilitatorObstacle } from './facilitator-rules.js';

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
  if (row.status !== 'scheduled')
    throw ValidationFailed.one('replacementId', `Session ${row.number} is ${row.status}: only a scheduled session can change facilitators`);
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
      const reason = await facilitatorObstacle(tx, member.id, { date: row.sessionDate, start: row.startTime, end: row.endTime }, group, definition, today, {
        sessionId: row.id,
      });
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
export async function swapFacilitator(
  db: Db,
  actor: Actor,
  sessionId: number,
  input: unknown,
  today = londonToday(),
): Promise<{ groupId: number; number: number }> {
  const values = validate(swapInput, input);
  return db.transaction(async (tx) => {
    await lockTimetables(tx);
    const { row, group, current, definition } = await swapContext(tx, actor, sessionId, values.replacedId, today);
    if (row.version !== values.version) throw new EditConflict(`Session ${row.number}`);
    if (current.includes(values.replacementId)) throw ValidationFailed.one('replacementId', 'That facilitator is already in this session');
    const reason = await facilitatorObstacle(
      tx,
      values.replacementId,
      { date: row.sessionDate, start: row.startTime, end: row.endTime },
      group,
      definition,
      today,
      {
        sessionId: row.id,
      },
    );
    if (reason) throw ValidationFailed.one('replacementId', reason);
    // The solver's own view of who may step in: both must agree before anything changes.
    const { scenario, rules, own } = await scenarioForGroup(tx, group, today);
    const valid = findSwapCandidates(scenario, rules, own, { group: String(group.id), number: row.number }, String(values.replacedId));
    if (!valid.includes(String(values.replacementId)))
      throw ValidationFailed.one('replacementId', 'That facilitator cannot take this session without breaking a scheduling rule');
    const [replacedRow] = await tx
      .delete(sessionFacilitators)
      .where(and(eq(sessionFacilitators.sessionId, row.id), eq(sessionFacilitators.userId, values.replacedId)))
      .returning();
    // A cover facilitator swapped in stands in for the named facilitator (whom the replaced one may already have been covering).
    const roles = new Map((await tx.select().from(groupFacilitators).where(eq(groupFacilitators.groupId, group.id))).map((t) => [t.userId, t.teamRole]));
    const standsInFor =
      roles.get(values.replacementId) !== 'cover' ? null : roles.get(values.replacedId) === 'cover' ? replacedRow.standsInFor : values.replacedId;
    await tx.insert(sessionFacilitators).values({ sessionId: row.id, userId: values.replacementId, standsInFor, standInReason: null });
    await tx
      .update(groupSessions)
      .set({ version: row.version + 1, updatedAt: new Date() })
      .where(eq(groupSessions.id, row.id));
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
