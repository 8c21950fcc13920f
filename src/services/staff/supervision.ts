// Supervision records (issue 12): a treatment manager of the site supervises a facilitator on a day, may watch
// recordings of sessions the facilitator delivered (minutes watched are kept), writes notes and agrees actions
// with due dates. How each accreditation stands follows from these records (staff/accreditation.ts); treatment
// managers are told on their home page what is due, overdue or lapsed and which actions are overdue.
import { and, asc, desc, eq, gte, inArray, isNull, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import {
  groupSessions,
  programmeGroups,
  recordings,
  sessionFacilitators,
  sites,
  supervisionActions,
  supervisionObservations,
  supervisions,
  userSites,
  users,
} from '../../db/schema.js';
import { dayNumber, isIsoDate, isoDate } from '../../domain/schedule/calendar.js';
import type { SupervisionStatus } from '../../domain/staff/supervision.js';
import { authorise, mayActOnStaff, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { affectedGroups, londonToday, readableDate, upcomingSessions, type AffectedGroup } from '../scheduling.js';
import { validate } from '../validate.js';
import { standingAccreditations, type StandingAccreditation } from './accreditation.js';

/** How far back the supervision form offers recordings of the facilitator's sessions to watch. */
export const recentRecordingDays = 90;
/** The most actions agreed at one supervision through the form. */
export const maxActions = 5;

interface Facilitator {
  id: number;
  displayName: string;
  siteIds: number[];
}

async function loadFacilitator(ex: Executor, userId: number): Promise<Facilitator> {
  const [user] = await ex
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.role, 'facilitator')));
  if (!user) throw new NotFound('Facilitator');
  const siteRows = await ex.select().from(userSites).where(eq(userSites.userId, userId));
  return { id: user.id, displayName: user.displayName, siteIds: siteRows.map((s) => s.siteId).sort((a, b) => a - b) };
}

function requireOn(actor: Actor, action: Parameters<typeof mayActOnStaff>[1], f: Facilitator): void {
  if (!mayActOnStaff(actor, action, { userId: f.id, siteIds: f.siteIds })) throw new AccessDenied();
}

const day = (what: string) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .refine((v) => v !== '', `Enter ${what}`)
    .refine((v) => v === '' || isIsoDate(v), `${what[0].toUpperCase()}${what.slice(1)} must be a real date in the form YYYY-MM-DD`);
const id = (what: string) =>
  z.coerce
    .number({ error: `Choose ${what}` })
    .int(`Choose ${what}`)
    .min(1, `Choose ${what}`)
    .max(2 ** 31 - 1, `Choose ${what}`);

export const supervisionInput = z.object({
  supervisedOn: day('the date of the supervision'),
  supervisorId: id('the supervisor'),
  siteId: id('the site').optional(),
  notes: z.string().trim().max(5000, 'Notes must be 5000 characters or fewer').optional().default(''),
  observed: z
    .array(
      z.object({
        recordingId: id('a recording'),
        minutesWatched: z.coerce
          .number({ error: 'Enter the minutes watched as a whole number' })
          .int('Enter the minutes watched as a whole number')
          .min(1, 'Minutes watched must be at least 1')
          .max(600, 'Minutes watched must be 600 or fewer'),
      }),
    )
    .max(50, 'Record at most 50 recordings watched at one supervision')
    .optional()
    .default([]),
  actions: z
    .array(
      z.object({
        description: z.string({ error: 'Describe the action' }).trim().min(1, 'Describe the action').max(1000, 'An action must be 1000 characters or fewer'),
        dueOn: day('the date the action is due'),
      }),
    )
    .max(maxActions, `Agree at most ${maxActions} actions at one supervision`)
    .optional()
    .default([]),
});
export type SupervisionInput = z.input<typeof supervisionInput>;

export interface RecordingToWatch {
  recordingId: number;
  groupName: string;
  sessionNumber: number;
  date: string;
  /** Whole minutes, rounded up: the most that can be watched. */
  minutes: number;
}

/** The facilitator's sessions with a recording, at one of the sites, over the last `recentRecordingDays` days. */
async function recordingsOfFacilitator(ex: Executor, facilitatorId: number, siteIds: readonly number[], from: string, to: string): Promise<RecordingToWatch[]> {
  if (siteIds.length === 0) return [];
  const rows = await ex
    .select({ r: recordings, s: groupSessions, groupName: programmeGroups.name })
    .from(recordings)
    .innerJoin(groupSessions, eq(groupSessions.id, recordings.sessionId))
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .innerJoin(sessionFacilitators, and(eq(sessionFacilitators.sessionId, groupSessions.id), eq(sessionFacilitators.userId, facilitatorId)))
    .where(
      and(
        inArray(programmeGroups.siteId, [...siteIds]),
        isNull(recordings.purgedAt),
        gte(groupSessions.sessionDate, from),
        lt(groupSessions.sessionDate, isoDate(dayNumber(to) + 1)),
      ),
    )
    .orderBy(desc(groupSessions.sessionDate), asc(programmeGroups.name));
  return rows.map(({ r, s, groupName }) => ({
    recordingId: r.id,
    groupName,
    sessionNumber: s.number,
    date: s.sessionDate,
    minutes: Math.max(1, Math.ceil(r.durationMs / 60_000)),
  }));
}

/** The treatment managers (active accounts) of a site, who may supervise its facilitators. */
async function siteTreatmentManagerUsers(ex: Executor, siteIds: readonly number[]): Promise<Array<{ id: number; displayName: string; siteId: number }>> {
  if (siteIds.length === 0) return [];
  return ex
    .select({ id: users.id, displayName: users.displayName, siteId: userSites.siteId })
    .from(users)
    .innerJoin(userSites, eq(userSites.userId, users.id))
    .where(and(inArray(userSites.siteId, [...siteIds]), eq(users.role, 'treatment_manager'), eq(users.disabled, false)))
    .orderBy(asc(users.displayName));
}

export interface SupervisionForm {
  facilitator: { id: number; displayName: string };
  /** The facilitator's sites the actor may record a supervision at. */
  sites: Array<{ id: number; name: string }>;
  supervisors: Array<{ id: number; displayName: string; siteId: number }>;
  recordings: RecordingToWatch[];
  today: string;
}

/** What the supervision form offers: the supervisors to choose from and the recordings of the facilitator's recent sessions. */
export async function supervisionForm(db: Db, actor: Actor, facilitatorId: number, today = londonToday()): Promise<SupervisionForm> {
  return db.transaction(async (tx) => {
    const f = await loadFacilitator(tx, facilitatorId);
    requireOn(actor, 'supervision.record', f);
    const siteIds = f.siteIds.filter((s) => actor.siteIds.includes(s));
    const siteRows = siteIds.length ? await tx.select().from(sites).where(inArray(sites.id, siteIds)).orderBy(asc(sites.name)) : [];
    await appendAudit(tx, actor, { action: 'supervision.form_viewed', subjectType: 'user', subjectId: facilitatorId });
    return {
      facilitator: { id: f.id, displayName: f.displayName },
      sites: siteRows.map((s) => ({ id: s.id, name: s.name })),
      supervisors: await siteTreatmentManagerUsers(tx, siteIds),
      recordings: await recordingsOfFacilitator(tx, facilitatorId, siteIds, isoDate(dayNumber(today) - recentRecordingDays), today),
      today,
    };
  });
}

/**
 * Records a supervision. Refused, naming the rule, when it is dated after today, when the supervisor is not a
 * treatment manager of the site, or a recording is not of a session the facilitator delivered at the site.
 */
export async function recordSupervision(db: Db, actor: Actor, facilitatorId: number, input: unknown, today = londonToday()): Promise<{ id: number }> {
  const values = validate(supervisionInput, input);
  if (values.supervisedOn > today) throw ValidationFailed.one('supervisedOn', `A supervision cannot be dated after today (${readableDate(today)})`);
  const late = values.actions.findIndex((a) => a.dueOn < values.supervisedOn);
  if (late >= 0) throw ValidationFailed.one(`actions.${late}.dueOn`, 'An action must be due on or after the day of the supervision');
  const seen = new Set<number>();
  for (const [i, o] of values.observed.entries()) {
    if (seen.has(o.recordingId)) throw ValidationFailed.one(`observed.${i}.recordingId`, 'Each recording watched is recorded once');
    seen.add(o.recordingId);
  }
  return db.transaction(async (tx) => {
    const f = await loadFacilitator(tx, facilitatorId);
    requireOn(actor, 'supervision.record', f);
    const mine = f.siteIds.filter((s) => actor.siteIds.includes(s));
    const siteId = values.siteId ?? (mine.length === 1 ? mine[0] : undefined);
    if (siteId === undefined) throw ValidationFailed.one('siteId', 'Choose the site where the supervision took place');
    if (!mine.includes(siteId)) throw ValidationFailed.one('siteId', `Choose one of ${f.displayName}’s sites that is also yours`);
    const managers = await siteTreatmentManagerUsers(tx, [siteId]);
    if (!managers.some((m) => m.id === values.supervisorId))
      throw ValidationFailed.one('supervisorId', 'The supervisor must be a treatment manager of the site');
    if (values.observed.length) {
      const watchable = new Map((await recordingsOfFacilitator(tx, facilitatorId, [siteId], '0001-01-01', values.supervisedOn)).map((r) => [r.recordingId, r]));
      for (const [i, o] of values.observed.entries()) {
        const r = watchable.get(o.recordingId);
        if (!r) {
          throw ValidationFailed.one(
            `observed.${i}.recordingId`,
            `The recording must be of a session ${f.displayName} delivered at the site on or before the supervision`,
          );
        }
        if (o.minutesWatched > r.minutes) {
          throw ValidationFailed.one(`observed.${i}.minutesWatched`, `The recording of ${r.groupName} session ${r.sessionNumber} is ${r.minutes} minutes long`);
        }
      }
    }
    const [row] = await tx
      .insert(supervisions)
      .values({ siteId, facilitatorId, supervisorId: values.supervisorId, supervisedOn: values.supervisedOn, notes: values.notes, recordedBy: actor.userId! })
      .returning({ id: supervisions.id });
    if (values.observed.length) await tx.insert(supervisionObservations).values(values.observed.map((o) => ({ supervisionId: row.id, ...o })));
    if (values.actions.length) await tx.insert(supervisionActions).values(values.actions.map((a) => ({ supervisionId: row.id, ...a })));
    await appendAudit(tx, actor, {
      action: 'supervision.recorded',
      subjectType: 'user',
      subjectId: facilitatorId,
      details: { supervisionId: row.id, supervisedOn: values.supervisedOn, recordingsWatched: values.observed.length, actions: values.actions.length },
    });
    return row;
  });
}

export const completeActionInput = z.object({
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().min(1),
});

/** Marks an agreed action done today. */
export async function completeSupervisionAction(db: Db, actor: Actor, actionId: number, input: unknown, today = londonToday()): Promise<void> {
  const values = validate(completeActionInput, input);
  await db.transaction(async (tx) => {
    const [found] = await tx
      .select({ a: supervisionActions, facilitatorId: supervisions.facilitatorId })
      .from(supervisionActions)
      .innerJoin(supervisions, eq(supervisions.id, supervisionActions.supervisionId))
      .where(eq(supervisionActions.id, actionId));
    if (!found) throw new NotFound('Supervision action');
    requireOn(actor, 'supervision.action.complete', await loadFacilitator(tx, found.facilitatorId));
    if (found.a.version !== values.version) throw new EditConflict('This action');
    if (found.a.completedOn !== null) throw ValidationFailed.one('action', `This action was already marked done on ${readableDate(found.a.completedOn)}`);
    await tx
      .update(supervisionActions)
      .set({ completedOn: today, completedBy: actor.userId!, version: found.a.version + 1, updatedAt: new Date() })
      .where(eq(supervisionActions.id, actionId));
    await appendAudit(tx, actor, { action: 'supervision.action_completed', subjectType: 'user', subjectId: found.facilitatorId, details: { actionId } });
  });
}

export interface SupervisionRecord {
  id: number;
  supervisedOn: string;
  siteName: string;
  supervisorName: string;
  notes: string;
  observed: Array<RecordingToWatch & { minutesWatched: number }>;
  actions: Array<{ id: number; description: string; dueOn: string; completedOn: string | null; overdue: boolean; version: number }>;
}

export interface FacilitatorSupervision {
  facilitator: { id: number; displayName: string };
  accreditations: StandingAccreditation[];
  supervisions: SupervisionRecord[];
  canRecord: boolean;
  canCompleteActions: boolean;
}

/** A facilitator's supervision history, newest first, with how each accreditation stands today. */
export async function facilitatorSupervision(db: Db, actor: Actor, facilitatorId: number, today = londonToday()): Promise<FacilitatorSupervision> {
  return db.transaction(async (tx) => {
    const f = await loadFacilitator(tx, facilitatorId);
    requireOn(actor, 'supervision.read', f);
    const rows = await tx
      .select({ s: supervisions, siteName: sites.name, supervisorName: users.displayName })
      .from(supervisions)
      .innerJoin(sites, eq(sites.id, supervisions.siteId))
      .innerJoin(users, eq(users.id, supervisions.supervisorId))
      .where(eq(supervisions.facilitatorId, facilitatorId))
      .orderBy(desc(supervisions.supervisedOn), desc(supervisions.id));
    const ids = rows.map((r) => r.s.id);
    const [observed, actions, watchable] = await Promise.all([
      ids.length ? tx.select().from(supervisionObservations).where(inArray(supervisionObservations.supervisionId, ids)) : [],
      ids.length ? tx.select().from(supervisionActions).where(inArray(supervisionActions.supervisionId, ids)).orderBy(asc(supervisionActions.dueOn)) : [],
      recordingsOfFacilitator(tx, facilitatorId, f.siteIds, '0001-01-01', today),
    ]);
    const recordingById = new Map(watchable.map((r) => [r.recordingId, r]));
    await appendAudit(tx, actor, { action: 'supervision.history_viewed', subjectType: 'user', subjectId: facilitatorId });
    return {
      facilitator: { id: f.id, displayName: f.displayName },
      accreditations: await standingAccreditations(tx, [facilitatorId], today),
      supervisions: rows.map(({ s, siteName, supervisorName }) => ({
        id: s.id,
        supervisedOn: s.supervisedOn,
        siteName,
        supervisorName,
        notes: s.notes,
        observed: observed
          .filter((o) => o.supervisionId === s.id && recordingById.has(o.recordingId))
          .map((o) => ({ ...recordingById.get(o.recordingId)!, minutesWatched: o.minutesWatched })),
        actions: actions
          .filter((a) => a.supervisionId === s.id)
          .map((a) => ({
            id: a.id,
            description: a.description,
            dueOn: a.dueOn,
            completedOn: a.completedOn,
            overdue: a.completedOn === null && a.dueOn < today,
            version: a.version,
          })),
      })),
      canRecord: mayActOnStaff(actor, 'supervision.record', { userId: f.id, siteIds: f.siteIds }),
      canCompleteActions: mayActOnStaff(actor, 'supervision.action.complete', { userId: f.id, siteIds: f.siteIds }),
    };
  });
}

export interface SupervisionAlert {
  userId: number;
  displayName: string;
  programmeId: string;
  status: Exclude<SupervisionStatus, 'current'>;
  supervisionDueOn: string;
  graceEndsOn: string;
  /** Sessions still to run, after the accreditation lapsed, that this facilitator is planned into. */
  affected: AffectedGroup[];
}

export interface OverdueAction {
  actionId: number;
  facilitatorId: number;
  facilitatorName: string;
  description: string;
  dueOn: string;
}

/**
 * For a treatment manager's home page, over the facilitators of their sites: supervision due within 14 days,
 * overdue, or overdue beyond its grace period (the accreditation has lapsed, with the sessions planned after it);
 * and agreed actions past their due date.
 */
export async function supervisionAlerts(
  db: Db,
  actor: Actor,
  today = londonToday(),
): Promise<{ supervision: SupervisionAlert[]; overdueActions: OverdueAction[] }> {
  authorise(actor, 'supervision.alerts.read');
  if (actor.siteIds.length === 0) return { supervision: [], overdueActions: [] };
  return db.transaction(async (tx) => {
    const staff = await tx
      .selectDistinct({ id: users.id, displayName: users.displayName })
      .from(users)
      .innerJoin(userSites, eq(userSites.userId, users.id))
      .where(and(inArray(userSites.siteId, [...actor.siteIds]), eq(users.role, 'facilitator'), eq(users.disabled, false)))
      .orderBy(asc(users.displayName));
    if (staff.length === 0) return { supervision: [], overdueActions: [] };
    const ids = staff.map((f) => f.id);
    const accreditations = await standingAccreditations(tx, ids, today);
    const supervision: SupervisionAlert[] = [];
    for (const f of staff) {
      for (const a of accreditations.filter((x) => x.userId === f.id && x.withdrawnFrom === null)) {
        if (a.supervision === 'current') continue;
        const affected =
          a.supervision === 'lapsed'
            ? await affectedGroups(
                tx,
                (await upcomingSessions(tx, { facilitatorId: f.id }, today)).filter((s) => s.programmeId === a.programmeId),
                today,
                (c) => c.kind === 'supervision-lapsed' && c.facilitator === String(f.id),
              )
            : [];
        supervision.push({
          userId: f.id,
          displayName: f.displayName,
          programmeId: a.programmeId,
          status: a.supervision,
          supervisionDueOn: a.supervisionDueOn,
          graceEndsOn: a.graceEndsOn,
          affected,
        });
      }
    }
    const overdue = await tx
      .select({ a: supervisionActions, facilitatorId: supervisions.facilitatorId, facilitatorName: users.displayName })
      .from(supervisionActions)
      .innerJoin(supervisions, eq(supervisions.id, supervisionActions.supervisionId))
      .innerJoin(users, eq(users.id, supervisions.facilitatorId))
      .where(
        and(
          inArray(supervisions.facilitatorId, ids),
          inArray(supervisions.siteId, [...actor.siteIds]),
          isNull(supervisionActions.completedOn),
          lt(supervisionActions.dueOn, today),
        ),
      )
      .orderBy(asc(supervisionActions.dueOn));
    return {
      supervision,
      overdueActions: overdue.map((o) => ({
        actionId: o.a.id,
        facilitatorId: o.facilitatorId,
        facilitatorName: o.facilitatorName,
        description: o.a.description,
        dueOn: o.a.dueOn,
      })),
    };
  });
}
