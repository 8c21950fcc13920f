// The log of a session: blocks and targets covered (a new log starts from the programme's block for the
// session), deviations from the manual, incidents and a short note per man. Written by a facilitator of the
// session or the site's treatment manager; closed to facilitators some days after the session (programme data).
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import { rooms, sessionLogNotes, sessionLogs, users } from '../../db/schema.js';
import { isLogLocked, lockedText, logOpenUntil, logPrefill, logProblem, sessionLogOpenDays } from '../../domain/delivery/session-log.js';
import { can } from '../../domain/permissions.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { AccessDenied, EditConflict, ValidationFailed, type FieldError } from '../errors.js';
import { londonToday } from '../scheduling.js';
import { validate } from '../validate.js';
import { productsOfSession, type ProductSummary } from './products.js';
import { loadSessionFor, mayActOnSession, menOfGroup, type DeliverySession, type GroupMan } from './sessions.js';

export interface SessionLog {
  /** 0 while no log has been written. */
  version: number;
  blocksCovered: number[];
  targetsCovered: string;
  deviations: string;
  incidents: string;
  /** A note per man, by person id. */
  notes: Record<number, string>;
  writtenBy: string | null;
  updatedAt: Date | null;
}

export interface SessionLogPage {
  group: { id: number; name: string; siteId: number };
  session: { id: number; number: number; block: number; blockTitle: string; date: string; start: string; end: string; roomName: string; status: string };
  blocks: Array<{ number: number; title: string }>;
  men: GroupMan[];
  log: SessionLog;
  written: boolean;
  /** The last day the session's facilitators may change the log. */
  openUntil: string;
  canWrite: boolean;
  /** Why the actor, who writes logs, cannot write this one now (locked, not yet happened, cancelled). */
  writeRefusal: string | null;
  products: ProductSummary[];
  canUpload: boolean;
}

const text = (label: string, max: number, required: boolean) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : (v ?? '')),
    required
      ? z
          .string({ error: `Enter the ${label}` })
          .min(1, `Enter the ${label}`)
          .max(max, `${label[0].toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`)
      : z.string({ error: `Enter the ${label}` }).max(max, `${label[0].toUpperCase()}${label.slice(1)} must be ${max} characters or fewer`),
  );

const logInput = z.object({
  // 0: the form was opened before any log was written.
  version: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : Number(v)),
    z.number({ error: 'The form is missing the log version; reload the page' }).int().min(0, 'The form is missing the log version; reload the page'),
  ),
  blocksCovered: z.preprocess(
    (v) => (v === undefined || v === '' ? [] : [v].flat().map((b) => Number(b))),
    z.array(z.number().int().positive('Select the blocks covered from the list')).min(1, 'Select at least one block covered'),
  ),
  targetsCovered: text('targets covered', 4000, true),
  deviations: text('deviations from the manual', 4000, false),
  incidents: text('incidents', 4000, false),
});

const notePrefix = 'note-';
const noteMax = 1000;

/** The notes of a form, `note-<person id>` each, checked against the men in the group. */
function notesOf(input: Record<string, unknown>, men: GroupMan[]): Map<number, string> {
  const errors: FieldError[] = [];
  const notes = new Map<number, string>();
  for (const [key, value] of Object.entries(input)) {
    if (!key.startsWith(notePrefix)) continue;
    const personId = Number(key.slice(notePrefix.length));
    const man = men.find((m) => m.personId === personId);
    const note = typeof value === 'string' ? value.trim() : '';
    if (!man) errors.push({ field: key, message: 'A note names a man who is not in this group' });
    else if (note.length > noteMax) errors.push({ field: key, message: `The note on ${man.name} must be ${noteMax} characters or fewer` });
    else if (note) notes.set(personId, note);
  }
  if (errors.length) throw new ValidationFailed(errors);
  return notes;
}

async function storedLog(ex: Executor, sessionId: number): Promise<SessionLog | null> {
  const [row] = await ex
    .select({ log: sessionLogs, writer: users.displayName })
    .from(sessionLogs)
    .innerJoin(users, eq(users.id, sessionLogs.writtenBy))
    .where(eq(sessionLogs.sessionId, sessionId));
  if (!row) return null;
  const notes = await ex.select().from(sessionLogNotes).where(eq(sessionLogNotes.sessionLogId, row.log.id));
  return {
    version: row.log.version,
    blocksCovered: row.log.blocksCovered,
    targetsCovered: row.log.targetsCovered,
    deviations: row.log.deviations,
    incidents: row.log.incidents,
    notes: Object.fromEntries(notes.map((n) => [n.personId, n.note])),
    writtenBy: row.writer,
    updatedAt: row.log.updatedAt,
  };
}

/** Why the actor may not write this log today, or null when they may. */
function refusalToWrite(actor: Actor, { session, programme }: DeliverySession, today: string): string | null {
  const problem = logProblem(session, today);
  if (problem) return problem;
  const openDays = sessionLogOpenDays(programme);
  if (isLogLocked(session.sessionDate, today, openDays) && !can(actor.role, 'session_log.write_after_lock')) return lockedText(session.sessionDate, openDays);
  return null;
}

/** A session's log (or, before one is written, what it starts from) with the men of the group and their work. Audited. */
export async function getSessionLog(db: Db, actor: Actor, groupId: number, sessionId: number, today = londonToday()): Promise<SessionLogPage> {
  authorise(actor, 'session_log.read');
  return db.transaction(async (tx) => {
    const loaded = await loadSessionFor(tx, actor, groupId, sessionId, 'session_log.read');
    const { session, group, programme } = loaded;
    const men = await menOfGroup(tx, group.id);
    const stored = await storedLog(tx, session.id);
    const [room] = await tx.select({ name: rooms.name }).from(rooms).where(eq(rooms.id, session.roomId));
    const writer = await mayActOnSession(tx, actor, 'session_log.write', loaded);
    const writeRefusal = writer ? refusalToWrite(actor, loaded, today) : null;
    const mayReadProducts = await mayActOnSession(tx, actor, 'product.read', loaded);
    await appendAudit(tx, actor, {
      action: 'session_log.viewed',
      subjectType: 'session',
      subjectId: session.id,
      siteId: group.siteId,
      details: { people: men.map((m) => m.personId) },
    });
    return {
      group: { id: group.id, name: group.name, siteId: group.siteId },
      session: {
        id: session.id,
        number: session.number,
        block: session.block,
        blockTitle: programme.blocks.find((b) => b.number === session.block)?.title ?? '',
        date: session.sessionDate,
        start: session.startTime,
        end: session.endTime,
        roomName: room?.name ?? '',
        status: session.status,
      },
      blocks: programme.blocks.map((b) => ({ number: b.number, title: b.title })),
      men,
      log: stored ?? { version: 0, ...logPrefill(programme, session.block), deviations: '', incidents: '', notes: {}, writtenBy: null, updatedAt: null },
      written: stored !== null,
      openUntil: logOpenUntil(session.sessionDate, sessionLogOpenDays(programme)),
      canWrite: writer && writeRefusal === null,
      writeRefusal,
      products: mayReadProducts ? await productsOfSession(tx, session.id) : [],
      canUpload: (await mayActOnSession(tx, actor, 'product.upload', loaded)) && session.status !== 'cancelled',
    };
  });
}

/** Writes or changes a session's log from the version the writer started from (0 for a new log). */
export async function saveSessionLog(
  db: Db,
  actor: Actor,
  groupId: number,
  sessionId: number,
  input: unknown,
  today = londonToday(),
): Promise<{ version: number }> {
  authorise(actor, 'session_log.write');
  const raw = (input ?? {}) as Record<string, unknown>;
  return db.transaction(async (tx) => {
    const loaded = await loadSessionFor(tx, actor, groupId, sessionId, 'session_log.write');
    const { session, group, programme } = loaded;
    const problem = logProblem(session, today);
    if (problem) throw ValidationFailed.one('session', problem);
    const openDays = sessionLogOpenDays(programme);
    const locked = isLogLocked(session.sessionDate, today, openDays);
    if (locked && !can(actor.role, 'session_log.write_after_lock')) throw new AccessDenied(lockedText(session.sessionDate, openDays));
    const values = validate(logInput, raw);
    const unknownBlock = values.blocksCovered.find((b) => !programme.blocks.some((p) => p.number === b));
    if (unknownBlock !== undefined)
      throw ValidationFailed.one('blocksCovered', `There is no block ${unknownBlock} in ${programme.shortName}: select the blocks covered from the list`);
    const notes = notesOf(raw, await menOfGroup(tx, group.id));
    const content = {
      blocksCovered: [...new Set(values.blocksCovered)].sort((a, b) => a - b),
      targetsCovered: values.targetsCovered,
      deviations: values.deviations,
      incidents: values.incidents,
      writtenBy: actor.userId!,
    };
    const what = `The log of session ${session.number}`;
    const [existing] = await tx.select({ id: sessionLogs.id }).from(sessionLogs).where(eq(sessionLogs.sessionId, session.id));
    let row: { id: number; version: number } | undefined;
    if (!existing) {
      if (values.version !== 0) throw new EditConflict(what);
      // Two first saves at once: the session's unique log keeps the first, the second is told of the conflict.
      [row] = await tx
        .insert(sessionLogs)
        .values({ sessionId: session.id, ...content })
        .onConflictDoNothing({ target: sessionLogs.sessionId })
        .returning({ id: sessionLogs.id, version: sessionLogs.version });
    } else {
      [row] = await tx
        .update(sessionLogs)
        .set({ ...content, version: values.version + 1, updatedAt: new Date() })
        .where(and(eq(sessionLogs.id, existing.id), eq(sessionLogs.version, values.version)))
        .returning({ id: sessionLogs.id, version: sessionLogs.version });
    }
    if (!row) throw new EditConflict(what);
    await tx.delete(sessionLogNotes).where(eq(sessionLogNotes.sessionLogId, row.id));
    if (notes.size) await tx.insert(sessionLogNotes).values([...notes].map(([personId, note]) => ({ sessionLogId: row.id, personId, note })));
    // Which men have a note, never what it says.
    await appendAudit(tx, actor, {
      action: existing ? 'session_log.changed' : 'session_log.written',
      subjectType: 'session',
      subjectId: session.id,
      siteId: group.siteId,
      details: { version: row.version, notes: [...notes.keys()], ...(locked ? { afterLock: true } : {}) },
    });
    return { version: row.version };
  });
}

/** The sessions among these that have a log. */
export async function sessionsWithLogs(ex: Executor, sessionIds: number[]): Promise<Set<number>> {
  if (sessionIds.length === 0) return new Set();
  const rows = await ex.select({ sessionId: sessionLogs.sessionId }).from(sessionLogs).where(inArray(sessionLogs.sessionId, sessionIds));
  return new Set(rows.map((r) => r.sessionId));
}
