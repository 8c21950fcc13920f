// Registers of group sessions: reading one, recording and correcting it (only a facilitator of the session or
// the site's treatment manager; optimistic locking; every version kept), and the required catch-ups a missed
// session makes, withdrawn when a correction shows he did not miss it after all.
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { z } from 'zod';
import { londonToday } from '../clock.js';
import type { Db, Executor, Tx } from '../db/connection.js';
import {
  groupMembers,
  groupSessions,
  people,
  registerEntries,
  registerVersions,
  requiredCatchUps,
  sessionFacilitators,
  sessionRegisters,
  users,
} from '../db/schema.js';
import {
  isMissed,
  maxMinutesMissed,
  registerChanges,
  registerStatus,
  registerStatusIds,
  type EntryChange,
  type RegisterEntry,
  type RegisterStatus,
} from '../domain/delivery/register.js';
import { onlyOwn } from '../domain/permissions.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from './errors.js';
import { loadGroup, requireGroupReader } from './groups/access.js';
import { facilitatorsOfSessions, groupDefinition, readableDate, type GroupRow, type SessionRow } from './scheduling.js';
import { validate } from './validate.js';

const blank = (v: unknown) => (v === '' || v === null ? undefined : typeof v === 'string' ? v.trim() || undefined : v);
const wholeNumber = (v: unknown) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v);
const statusChoices = 'Choose attended, late, left early, excused absence, unexcused absence or removed';

const entryInput = z
  .object({
    personId: z.preprocess(
      wholeNumber,
      z.number({ error: 'Name the man by his person id' }).int('Name the man by his person id').positive('Name the man by his person id'),
    ),
    status: z.preprocess(blank, z.enum(registerStatusIds, { error: statusChoices })),
    minutes: z.preprocess(
      (v) => wholeNumber(blank(v)),
      z
        .number({ error: 'Minutes must be a whole number' })
        .int('Minutes must be a whole number')
        .min(1, 'Minutes must be 1 or more')
        .max(maxMinutesMissed, `Minutes must be ${maxMinutesMissed} or less`)
        .optional(),
    ),
    reason: z.preprocess(blank, z.string({ error: 'Reason must be text' }).max(500, 'Reason must be 500 characters or fewer').optional()),
  })
  .superRefine((entry, ctx) => {
    const needs = registerStatus(entry.status).needs;
    if (needs === 'minutes' && entry.minutes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['minutes'], message: `Enter how many minutes he ${entry.status === 'late' ? 'was late' : 'left early'}` });
    }
    if (needs === 'reason' && entry.reason === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `Give the reason he was ${entry.status === 'removed' ? 'removed' : 'absent'}` });
    }
  });

export const registerInput = z.object({
  version: z.preprocess(
    wholeNumber,
    z
      .number({ error: 'Send the register version you started from (0 for a register not yet recorded)' })
      .int()
      .min(0, 'The version is 0 or more')
      .max(2_147_483_646, 'That is not a version of this register'),
  ),
  entries: z.array(entryInput, { error: 'Send the register entries, one per man' }).min(1, 'Send the register entries, one per man'),
});

/** The entry as stored: minutes and reason only where the status takes them. */
function stored(entry: z.infer<typeof entryInput>): RegisterEntry {
  const needs = registerStatus(entry.status).needs;
  return { status: entry.status, minutes: needs === 'minutes' ? entry.minutes! : null, reason: needs === 'reason' ? entry.reason! : null };
}

export interface RegisterMan {
  memberId: number;
  personId: number;
  name: string;
  prisonNumber: string;
  entry: RegisterEntry | null;
}

export interface RegisterVersionSummary {
  version: number;
  recordedBy: string;
  recordedAt: Date;
  /** What this version changed from the one before (every man, for the first). */
  changes: Array<EntryChange & { name: string }>;
}

export interface Register {
  sessionId: number;
  groupId: number;
  groupName: string;
  siteId: number;
  number: number;
  block: number;
  date: string;
  start: string;
  end: string;
  sessionStatus: string;
  /** 0 until the register is first recorded. */
  version: number;
  men: RegisterMan[];
  /** Newest first. */
  history: RegisterVersionSummary[];
  /** Whether the acting user may record or correct it, and whether it can be recorded yet (the session has happened). */
  canRecord: boolean;
  happened: boolean;
}

interface StoredVersionEntry extends RegisterEntry {
  personId: number;
}

async function loadSessionAndGroup(ex: Executor, sessionId: number): Promise<{ session: SessionRow; group: GroupRow }> {
  const [session] = await ex.select().from(groupSessions).where(eq(groupSessions.id, sessionId));
  if (!session) throw new NotFound('Session');
  return { session, group: await loadGroup(ex, session.groupId) };
}

/** Whether the actor may record this session's register: the site's treatment manager, or a facilitator of the session. */
async function mayRecord(ex: Executor, actor: Actor, group: GroupRow, sessionId: number): Promise<boolean> {
  try {
    await requireRecorder(ex, actor, group, sessionId);
    return true;
  } catch (error) {
    if (error instanceof AccessDenied) return false;
    throw error;
  }
}

async function requireRecorder(ex: Executor, actor: Actor, group: GroupRow, sessionId: number): Promise<void> {
  authorise(actor, 'register.record', group.siteId);
  if (!onlyOwn(actor.role, 'register.record')) return;
  const [facilitates] =
    actor.userId === null
      ? []
      : await ex
          .select()
          .from(sessionFacilitators)
          .where(and(eq(sessionFacilitators.sessionId, sessionId), eq(sessionFacilitators.userId, actor.userId)));
  if (!facilitates) throw new AccessDenied('You can record the registers of the sessions you facilitate only');
}

/**
 * The men in the register: members of the group on the session's date (not yet left, or left on or after it),
 * by name. A man who left and was allocated again has one row per membership; the latest is kept.
 */
async function menOfSession(ex: Executor, session: SessionRow): Promise<Array<Omit<RegisterMan, 'entry'>>> {
  const rows = await ex
    .select({
      memberId: groupMembers.id,
      personId: groupMembers.personId,
      leftAt: groupMembers.leftAt,
      given: people.givenName,
      family: people.familyName,
      prisonNumber: people.prisonNumber,
    })
    .from(groupMembers)
    .innerJoin(people, eq(people.id, groupMembers.personId))
    .where(eq(groupMembers.groupId, session.groupId))
    .orderBy(asc(people.familyName), asc(people.givenName), asc(groupMembers.id));
  const men = new Map<number, Omit<RegisterMan, 'entry'>>();
  for (const r of rows) {
    if (r.leftAt !== null && londonToday(r.leftAt) < session.sessionDate) continue;
    men.set(r.personId, { memberId: r.memberId, personId: r.personId, name: `${r.given} ${r.family}`, prisonNumber: r.prisonNumber });
  }
  return [...men.values()];
}

async function versionOf(ex: Executor, sessionId: number): Promise<number> {
  const [row] = await ex.select({ version: sessionRegisters.version }).from(sessionRegisters).where(eq(sessionRegisters.sessionId, sessionId));
  return row?.version ?? 0;
}

const toMap = (entries: readonly StoredVersionEntry[]) =>
  new Map(entries.map((e) => [e.personId, { status: e.status, minutes: e.minutes, reason: e.reason }] as const));

/** A session's register with each man's entry (null until recorded) and its history. Reading it is audited. */
export async function getRegister(db: Db, actor: Actor, sessionId: number, today = londonToday()): Promise<Register> {
  return db.transaction(async (tx) => {
    const { session, group } = await loadSessionAndGroup(tx, sessionId);
    await requireGroupReader(tx, actor, group);
    const men = await menOfSession(tx, session);
    const entries = await tx.select().from(registerEntries).where(eq(registerEntries.sessionId, sessionId));
    const byPerson = new Map(entries.map((e) => [e.personId, { status: e.status as RegisterStatus, minutes: e.minutes, reason: e.reason }]));
    const versions = await tx
      .select({ v: registerVersions, recordedBy: users.displayName })
      .from(registerVersions)
      .innerJoin(users, eq(users.id, registerVersions.recordedBy))
      .where(eq(registerVersions.sessionId, sessionId))
      .orderBy(asc(registerVersions.version));
    const names = new Map(men.map((m) => [m.personId, m.name]));
    const history: RegisterVersionSummary[] = [];
    let before = new Map<number, RegisterEntry>();
    for (const { v, recordedBy } of versions) {
      const after = toMap(v.entries as StoredVersionEntry[]);
      const ids = [...new Set([...men.map((m) => m.personId), ...after.keys()])];
      history.unshift({
        version: v.version,
        recordedBy,
        recordedAt: v.recordedAt,
        changes: registerChanges(ids, before, after).map((c) => ({ ...c, name: names.get(c.personId) ?? `Person ${c.personId}` })),
      });
      before = after;
    }
    if (men.length > 0) {
      await appendAudit(tx, actor, {
        action: 'register.viewed',
        subjectType: 'group_session',
        subjectId: sessionId,
        siteId: group.siteId,
        details: { groupId: group.id, people: men.map((m) => m.personId) },
      });
    }
    return {
      sessionId,
      groupId: group.id,
      groupName: group.name,
      siteId: group.siteId,
      number: session.number,
      block: session.block,
      date: session.sessionDate,
      start: session.startTime,
      end: session.endTime,
      sessionStatus: session.status,
      version: await versionOf(tx, sessionId),
      men: men.map((m) => ({ ...m, entry: byPerson.get(m.personId) ?? null })),
      history,
      canRecord: session.status !== 'cancelled' && (await mayRecord(tx, actor, group, sessionId)),
      happened: session.sessionDate <= today,
    };
  });
}

/**
 * Records or corrects a session's register. `version` is the one the caller read (0 before the first save);
 * a stale one is an EditConflict and nothing is saved. Each man in the group on the session's date must have
 * one entry. A missed session (see isMissed) makes a catch-up required for him; a correction that shows he did
 * not miss it withdraws the requirement, unless its catch-up has been delivered.
 */
export async function recordRegister(
  db: Db,
  actor: Actor,
  sessionId: number,
  input: unknown,
  today = londonToday(),
): Promise<{ sessionId: number; version: number }> {
  const values = validate(registerInput, input);
  return db.transaction(async (tx) => {
    const { session, group } = await loadSessionAndGroup(tx, sessionId);
    await requireRecorder(tx, actor, group, sessionId);
    if (session.status === 'cancelled')
      throw ValidationFailed.one('sessionId', `Session ${session.number} on ${readableDate(session.sessionDate)} was cancelled: it has no register`);
    if (session.sessionDate > today) {
      throw ValidationFailed.one(
        'sessionId',
        `Session ${session.number} is on ${readableDate(session.sessionDate)}: its register can be recorded from that day`,
      );
    }
    const men = await menOfSession(tx, session);
    const byPerson = new Map(men.map((m) => [m.personId, m]));
    const seen = new Set<number>();
    values.entries.forEach((e, i) => {
      if (!byPerson.has(e.personId))
        throw ValidationFailed.one(`entries.${i}.personId`, `Person ${e.personId} is not a man in this group on ${readableDate(session.sessionDate)}`);
      if (seen.has(e.personId)) throw ValidationFailed.one(`entries.${i}.personId`, `${byPerson.get(e.personId)!.name} is in the register twice`);
      seen.add(e.personId);
    });
    const missing = men.filter((m) => !seen.has(m.personId));
    if (missing.length > 0) throw ValidationFailed.one('entries', `Record every man in the group: ${missing.map((m) => m.name).join(', ')} not recorded`);

    const now = new Date();
    const version = values.version + 1;
    const saved =
      values.version === 0
        ? await tx.insert(sessionRegisters).values({ sessionId, recordedBy: actor.userId!, createdAt: now, updatedAt: now }).onConflictDoNothing().returning()
        : await tx
            .update(sessionRegisters)
            .set({ version, recordedBy: actor.userId!, updatedAt: now })
            .where(and(eq(sessionRegisters.sessionId, sessionId), eq(sessionRegisters.version, values.version)))
            .returning();
    if (saved.length === 0) throw new EditConflict(`The register of session ${session.number}`);

    const entries = values.entries.map((e) => ({ personId: e.personId, memberId: byPerson.get(e.personId)!.memberId, ...stored(e) }));
    await tx.delete(registerEntries).where(eq(registerEntries.sessionId, sessionId));
    await tx.insert(registerEntries).values(entries.map((e) => ({ sessionId, ...e })));
    await tx.insert(registerVersions).values({
      sessionId,
      version,
      entries: entries.map(({ personId, status, minutes, reason }) => ({ personId, status, minutes, reason })),
      recordedBy: actor.userId!,
      recordedAt: now,
    });
    const { definition } = await groupDefinition(tx, group);
    const catchUps = await requireCatchUps(tx, sessionId, entries, definition.completionRule.minutesMissedAllowed, now);
    await appendAudit(tx, actor, {
      action: values.version === 0 ? 'register.recorded' : 'register.corrected',
      subjectType: 'group_session',
      subjectId: sessionId,
      siteId: group.siteId,
      details: { groupId: group.id, version, people: entries.map((e) => e.personId), ...catchUps },
    });
    return { sessionId, version };
  });
}

/** Makes the catch-ups of missed sessions required, and withdraws those no longer missed (never a delivered one). */
async function requireCatchUps(
  tx: Tx,
  sessionId: number,
  entries: Array<RegisterEntry & { personId: number; memberId: number }>,
  minutesMissedAllowed: number,
  now: Date,
): Promise<{ catchUpsRequired: number; catchUpsWithdrawn: number }> {
  const live = await tx
    .select()
    .from(requiredCatchUps)
    .where(and(eq(requiredCatchUps.sessionId, sessionId), ne(requiredCatchUps.status, 'withdrawn')));
  const liveOf = new Map(live.map((r) => [r.memberId, r]));
  const missed = entries.filter((e) => isMissed(e, minutesMissedAllowed));
  const required = missed.filter((e) => !liveOf.has(e.memberId));
  if (required.length > 0) {
    await tx.insert(requiredCatchUps).values(required.map((e) => ({ sessionId, memberId: e.memberId, personId: e.personId, createdAt: now, updatedAt: now })));
  }
  const stillMissed = new Set(missed.map((e) => e.memberId));
  const withdrawn = live.filter((r) => r.status === 'outstanding' && !stillMissed.has(r.memberId)).map((r) => r.id);
  if (withdrawn.length > 0) {
    await tx.update(requiredCatchUps).set({ status: 'withdrawn', updatedAt: now }).where(inArray(requiredCatchUps.id, withdrawn));
  }
  return { catchUpsRequired: required.length, catchUpsWithdrawn: withdrawn.length };
}

export interface RegisterConflict {
  /** The version the caller started from and the one saved since. */
  from: number;
  now: number;
  savedBy: string;
  savedAt: Date | null;
  /** Each man whose entry differs between the version the caller read, the one saved since, or what he sent. */
  men: Array<{ personId: number; name: string; whenOpened: string; savedSince: string; yours: string }>;
}

/**
 * What changed in a register since the version the caller read, beside what they tried to save: the conflict page
 * after a stale save. `sent` is the rejected input (entries that fail validation are shown as sent, in words).
 */
export async function registerConflict(db: Db, actor: Actor, sessionId: number, fromVersion: number, sent: unknown): Promise<RegisterConflict> {
  const register = await getRegister(db, actor, sessionId);
  const versions = await db
    .select({ v: registerVersions, savedBy: users.displayName })
    .from(registerVersions)
    .innerJoin(users, eq(users.id, registerVersions.recordedBy))
    .where(eq(registerVersions.sessionId, sessionId))
    .orderBy(asc(registerVersions.version));
  const opened = toMap((versions.find((x) => x.v.version === fromVersion)?.v.entries as StoredVersionEntry[] | undefined) ?? []);
  const latest = versions.at(-1);
  const current = toMap((latest?.v.entries as StoredVersionEntry[] | undefined) ?? []);
  const parsed = registerInput.safeParse(sent);
  const yours = new Map<number, RegisterEntry>();
  if (parsed.success) for (const e of parsed.data.entries) yours.set(e.personId, stored(e));
  const ids = register.men.map((m) => m.personId);
  const differs = new Set([...registerChanges(ids, opened, current), ...registerChanges(ids, current, yours)].map((c) => c.personId));
  const text = (entries: Map<number, RegisterEntry>, id: number) => registerChanges([id], new Map(), entries)[0]?.now ?? 'Not recorded';
  return {
    from: fromVersion,
    now: register.version,
    savedBy: latest?.savedBy ?? '',
    savedAt: latest?.v.recordedAt ?? null,
    men: register.men
      .filter((m) => differs.has(m.personId))
      .map((m) => ({
        personId: m.personId,
        name: m.name,
        whenOpened: text(opened, m.personId),
        savedSince: text(current, m.personId),
        yours: text(yours, m.personId),
      })),
  };
}

export interface GroupSessionSummary {
  id: number;
  number: number;
  block: number;
  date: string;
  start: string;
  end: string;
  status: string;
  facilitators: number[];
}

/** A group's sessions in date order, cancelled ones included, with the user ids of their facilitators. */
export async function listGroupSessions(db: Db, actor: Actor, groupId: number): Promise<GroupSessionSummary[]> {
  return db.transaction(async (tx) => {
    const group = await loadGroup(tx, groupId);
    await requireGroupReader(tx, actor, group);
    const rows = await tx
      .select()
      .from(groupSessions)
      .where(eq(groupSessions.groupId, groupId))
      .orderBy(asc(groupSessions.sessionDate), asc(groupSessions.startTime), asc(groupSessions.number));
    const facilitators = await facilitatorsOfSessions(
      tx,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      block: r.block,
      date: r.sessionDate,
      start: r.startTime,
      end: r.endTime,
      status: r.status,
      facilitators: facilitators.get(r.id) ?? [],
    }));
  });
}
