// Audits (issue 13): an auditor opens an audit of one site and programme over a period, then draws its recording
// sample, which starts it. The seed and the frame are stored with the audit and every read of it draws the sample
// again from them, so anyone can check that the stored sample is the one the seed gives. Later steps of the
// workflow (ratings, the site's response, closing) are to come.
import { randomInt } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import { auditRecordingReviews, auditSampledRecordings, audits, programmeGroups, recordings, sites, users } from '../../db/schema.js';
import { availableAuditTransitions, type AuditStatusId, type AuditTransition } from '../../domain/qa/audit-workflow.js';
import { canonicalFrame, drawSample, maxSampleSeed, minimumAuditRecordings, type FrameRecording, type SampleOutcome } from '../../domain/qa/sample.js';
import { authorise, visibleSites, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { ValidationFailed } from '../errors.js';
import { requiredDate } from '../input-fields.js';
import { currentProgramme } from '../programme-lookup.js';
import { currentProgrammeDefinitions } from '../programmes.js';
import { validate } from '../validate.js';
import { actionsOf, isSitesTreatmentManager, type AuditAction } from './action-plan.js';
import { lockAuditForMove, moveAudit, readAudit } from './audit-lock.js';
import { checklistSummary } from './checklist.js';
import { storedRatings, type StoredRating } from './ratings.js';
import { readSampleFrame } from './sample-frame.js';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '') || v === null || v === undefined;
const wholeNumber = (v: unknown) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v);

const seedMessage = `The seed must be a whole number from 0 to ${maxSampleSeed}`;
const seed = z.preprocess(wholeNumber, z.number({ error: seedMessage }).int(seedMessage).min(0, seedMessage).max(maxSampleSeed, seedMessage));

/** The period's two days; the last may not come before the first. */
const period = {
  from: requiredDate('first day of the period'),
  to: requiredDate('last day of the period'),
};
const periodInOrder = (p: { from: string; to: string }) => p.from <= p.to;
const periodMessage = { message: 'The last day of the period must be the same as or after the first day', path: ['to'] };

export const openAuditInput = z
  .object({
    siteId: z.preprocess(
      wholeNumber,
      z
        .number({ error: 'Choose the site' })
        .int('Choose the site')
        .min(1, 'Choose the site')
        .max(2 ** 31 - 1, 'Choose the site'),
    ),
    programmeId: z.string({ error: 'Choose the programme' }).trim().min(1, 'Choose the programme'),
    ...period,
  })
  .refine(periodInOrder, periodMessage);

export const drawSampleInput = z.object({
  seed: z.preprocess((v) => (blank(v) ? undefined : v), seed.optional()),
  version: z.preprocess(wholeNumber, z.number({ error: 'The audit’s version is missing: reload the page' }).int().min(1)),
});

export const periodSampleInput = z
  .object({
    siteCode: z.string({ error: 'Enter the site code' }).trim().min(1, 'Enter the site code'),
    programmeId: z.string({ error: 'Enter the programme' }).trim().min(1, 'Enter the programme'),
    ...period,
    seed,
    count: z.preprocess(wholeNumber, z.number({ error: 'The count must be a whole number' }).int('The count must be a whole number').max(1000).optional()),
  })
  .refine(periodInOrder, periodMessage);

/** The sample size: the programme's minimum unless a larger one is asked for; fewer is refused, naming the rule. */
async function sampleSize(ex: Executor, programmeId: string, count?: number): Promise<number> {
  const minimum = minimumAuditRecordings(await currentProgramme(ex, programmeId));
  if (count !== undefined && count < minimum) {
    throw ValidationFailed.one('count', `An audit of this programme samples at least ${minimum} recordings (“viewing at least three recordings of sessions”)`);
  }
  return count ?? minimum;
}

/**
 * A sample over a period without opening an audit (`sotp qa sample`): the frame and what the seed draws from it.
 * Reads only; a frame smaller than the sample is an outcome, not an error, so the command can exit 1 saying so.
 */
export async function samplePeriod(db: Db, actor: Actor, input: unknown): Promise<{ seed: number; frame: FrameRecording[]; outcome: SampleOutcome }> {
  authorise(actor, 'audit.read');
  const values = validate(periodSampleInput, input);
  const [site] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, values.siteCode.toUpperCase()));
  if (!site) throw ValidationFailed.one('siteCode', `There is no site with the code ${values.siteCode}`);
  authorise(actor, 'audit.read', site.id);
  const count = await sampleSize(db, values.programmeId, values.count);
  const frame = await readSampleFrame(db, { siteId: site.id, programmeId: values.programmeId, from: values.from, to: values.to });
  return { seed: values.seed, frame, outcome: drawSample(frame, values.seed, count) };
}

export interface AuditFormOptions {
  sites: Array<{ id: number; name: string }>;
  programmes: Array<{ id: string; name: string }>;
}

export async function auditFormOptions(db: Db, actor: Actor): Promise<AuditFormOptions> {
  authorise(actor, 'audit.open');
  const siteRows = await db.select({ id: sites.id, name: sites.name }).from(sites).orderBy(asc(sites.name));
  const programmes = (await currentProgrammeDefinitions(db)).map((p) => ({ id: p.id, name: p.name }));
  return { sites: siteRows, programmes };
}

/** Opens an audit, planned until its sample is drawn. */
export async function openAudit(db: Db, actor: Actor, input: unknown): Promise<{ id: number }> {
  authorise(actor, 'audit.open');
  const values = validate(openAuditInput, input);
  return db.transaction(async (tx) => {
    const [site] = await tx.select({ id: sites.id }).from(sites).where(eq(sites.id, values.siteId));
    if (!site) throw ValidationFailed.one('siteId', 'Choose the site');
    await currentProgramme(tx, values.programmeId);
    const [row] = await tx
      .insert(audits)
      .values({ siteId: values.siteId, programmeId: values.programmeId, periodFrom: values.from, periodTo: values.to, openedBy: actor.userId! })
      .returning({ id: audits.id });
    await appendAudit(tx, actor, {
      action: 'audit.opened',
      subjectType: 'audit',
      subjectId: row.id,
      siteId: values.siteId,
      details: { programmeId: values.programmeId, from: values.from, to: values.to },
    });
    return row;
  });
}

export interface AuditSummary {
  id: number;
  siteName: string;
  programmeId: string;
  from: string;
  to: string;
  status: AuditStatusId;
}

const summaryColumns = {
  id: audits.id,
  siteId: audits.siteId,
  siteName: sites.name,
  programmeId: audits.programmeId,
  from: audits.periodFrom,
  to: audits.periodTo,
  status: audits.status,
};

/** Every audit the reader may see (a treatment manager: his sites'), newest period first. */
export async function listAudits(db: Db, actor: Actor): Promise<AuditSummary[]> {
  authorise(actor, 'audit.read');
  const seen = visibleSites(actor);
  const rows = await db
    .select(summaryColumns)
    .from(audits)
    .innerJoin(sites, eq(sites.id, audits.siteId))
    .where(seen === 'all' ? undefined : inArray(audits.siteId, seen.length ? [...seen] : [-1]))
    .orderBy(desc(audits.periodFrom), desc(audits.id));
  return rows.map(({ siteId: _site, ...r }) => ({ ...r, status: r.status as AuditStatusId }));
}

export interface SampledRecording extends FrameRecording {
  groupName: string;
  facilitatorNames: string[];
}

export interface AuditDetail extends AuditSummary {
  siteId: number;
  version: number;
  openedBy: string;
  /** The transitions the reader may make now (the buttons). */
  transitions: AuditTransition[];
  sample: null | {
    seed: number;
    size: number;
    frameSize: number;
    drawnAt: Date;
    drawnBy: string;
    recordings: SampledRecording[];
    /** Whether drawing again from the stored seed and frame gives exactly the stored sample. */
    redrawMatches: boolean;
  };
  /** The sampled recordings watched, with the auditor's notes on each. */
  watched: Array<{ recordingId: number; notes: string }>;
  ratings: Array<StoredRating & { ratedByName: string }>;
  response: null | { text: string; by: string; at: Date };
  /** Why the auditor asked the site to revise its plan, until the site responds again. */
  revisionAsked: string | null;
  actions: AuditAction[];
  /** How many of the checklist's items of material have been examined. */
  checklist: Awaited<ReturnType<typeof checklistSummary>>;
  closed: null | { by: string; at: Date };
  /** Whether the reader is the treatment manager who answers for the site's programme (responds, marks actions done). */
  readerIsSitesTreatmentManager: boolean;
}

/** Draws the sample again from what the audit stores: the check that the stored sample is the seed's. */
function redrawStoredSample(stored: { sampleSeed: number; sampleSize: number; sampleFrame: unknown }): SampleOutcome {
  return drawSample(stored.sampleFrame as FrameRecording[], stored.sampleSeed, stored.sampleSize);
}

/** An audit with its sample (each recording's group and facilitators named); the read is audit-logged. */
export async function getAudit(db: Db, actor: Actor, auditId: number): Promise<AuditDetail> {
  authorise(actor, 'audit.read');
  return db.transaction(async (tx) => {
    const audit = await readAudit(tx, auditId);
    authorise(actor, 'audit.read', audit.siteId);
    const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, audit.siteId));
    const names = await userNames(tx, [audit.openedBy, ...(audit.sampleDrawnBy === null ? [] : [audit.sampleDrawnBy])]);
    const status = audit.status as AuditStatusId;
    let sample: AuditDetail['sample'] = null;
    if (audit.sampleSeed !== null && audit.sampleSize !== null && audit.sampleFrame !== null && audit.sampleDrawnAt && audit.sampleDrawnBy !== null) {
      const frame = audit.sampleFrame as FrameRecording[];
      const stored = await tx
        .select({ recordingId: auditSampledRecordings.recordingId })
        .from(auditSampledRecordings)
        .where(eq(auditSampledRecordings.auditId, auditId));
      const storedIds = stored.map((s) => s.recordingId).sort((a, b) => a - b);
      const redrawn = redrawStoredSample({ sampleSeed: audit.sampleSeed, sampleSize: audit.sampleSize, sampleFrame: frame });
      const redrawnIds = redrawn.ok ? redrawn.recordings.map((r) => r.id).sort((a, b) => a - b) : [];
      const picked = frame.filter((r) => storedIds.includes(r.id)).sort((a, b) => a.date.localeCompare(b.date) || a.id - b.id);
      sample = {
        seed: audit.sampleSeed,
        size: audit.sampleSize,
        frameSize: frame.length,
        drawnAt: audit.sampleDrawnAt,
        drawnBy: names.get(audit.sampleDrawnBy) ?? '',
        recordings: await named(tx, picked),
        redrawMatches: redrawnIds.join(',') === storedIds.join(','),
      };
    }
    const ratings = await storedRatings(tx, auditId);
    const people = await userNames(tx, [
      ...ratings.map((r) => r.ratedBy),
      ...(audit.respondedBy === null ? [] : [audit.respondedBy]),
      ...(audit.closedBy === null ? [] : [audit.closedBy]),
    ]);
    const watched = await tx
      .select({ recordingId: auditRecordingReviews.recordingId, notes: auditRecordingReviews.notes })
      .from(auditRecordingReviews)
      .where(eq(auditRecordingReviews.auditId, auditId))
      .orderBy(asc(auditRecordingReviews.recordingId));
    await appendAudit(tx, actor, { action: 'audit.viewed', subjectType: 'audit', subjectId: auditId, siteId: audit.siteId });
    return {
      id: audit.id,
      siteId: audit.siteId,
      siteName: site.name,
      programmeId: audit.programmeId,
      from: audit.periodFrom,
      to: audit.periodTo,
      status,
      version: audit.version,
      openedBy: names.get(audit.openedBy) ?? '',
      transitions: availableAuditTransitions(status, actor.role),
      sample,
      watched,
      ratings: ratings.map((r) => ({ ...r, ratedByName: people.get(r.ratedBy) ?? '' })),
      response:
        audit.siteResponse !== null && audit.respondedBy !== null && audit.respondedAt !== null
          ? { text: audit.siteResponse, by: people.get(audit.respondedBy) ?? '', at: audit.respondedAt }
          : null,
      revisionAsked: audit.revisionAsked,
      actions: await actionsOf(tx, auditId),
      checklist: await checklistSummary(tx, auditId),
      closed: audit.closedBy !== null && audit.closedAt !== null ? { by: people.get(audit.closedBy) ?? '', at: audit.closedAt } : null,
      readerIsSitesTreatmentManager: await isSitesTreatmentManager(tx, actor, audit),
    };
  });
}

async function userNames(ex: Executor, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ex
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(inArray(users.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function named(ex: Executor, picked: FrameRecording[]): Promise<SampledRecording[]> {
  if (picked.length === 0) return [];
  const groups = await ex
    .select({ id: programmeGroups.id, name: programmeGroups.name })
    .from(programmeGroups)
    .where(
      inArray(
        programmeGroups.id,
        picked.map((r) => r.groupId),
      ),
    );
  const people = await userNames(
    ex,
    picked.flatMap((r) => r.facilitators),
  );
  return picked.map((r) => ({
    ...r,
    groupName: groups.find((g) => g.id === r.groupId)?.name ?? '',
    facilitatorNames: r.facilitators.map((f) => people.get(f) ?? ''),
  }));
}

/**
 * Draws the audit's sample and so starts it (planned → in progress): with the auditor's seed, or one chosen at random
 * when none is given, from the recordings of the audit's period. The seed, the sample size and the frame are stored
 * with the audit, the sampled recordings marked so that retention keeps them. A period with fewer recordings than
 * the sample needs is refused, naming the rule, and nothing is saved.
 */
export async function drawAuditSample(db: Db, actor: Actor, auditId: number, input: unknown): Promise<{ seed: number; recordingIds: number[] }> {
  authorise(actor, 'audit.sample.draw');
  const values = validate(drawSampleInput, input);
  return db.transaction(async (tx) => {
    const { audit, move } = await lockAuditForMove(tx, actor, auditId, values.version, 'start');
    const seedUsed = values.seed ?? randomInt(0, maxSampleSeed + 1);
    const size = await sampleSize(tx, audit.programmeId);
    const frame = canonicalFrame(
      await readSampleFrame(tx, { siteId: audit.siteId, programmeId: audit.programmeId, from: audit.periodFrom, to: audit.periodTo }),
    );
    const outcome = drawSample(frame, seedUsed, size);
    if (!outcome.ok) throw ValidationFailed.one('sample', `${outcome.message}. Choose a longer period, or wait until more sessions are recorded.`);
    const recordingIds = outcome.recordings.map((r) => r.id);
    await moveAudit(tx, auditId, move.status, {
      sampleSeed: seedUsed,
      sampleSize: size,
      sampleFrame: frame,
      sampleDrawnAt: new Date(),
      sampleDrawnBy: actor.userId,
    });
    await tx.insert(auditSampledRecordings).values(recordingIds.map((recordingId) => ({ auditId, recordingId })));
    // The first audit to sample a recording dates it; retention only asks whether any did.
    await tx
      .update(recordings)
      .set({ auditSampledAt: sql`now()`, updatedAt: sql`now()`, version: sql`${recordings.version} + 1` })
      .where(and(inArray(recordings.id, recordingIds), isNull(recordings.auditSampledAt)));
    await appendAudit(tx, actor, {
      action: 'audit.sample_drawn',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { seed: seedUsed, frame: frame.length, recordingIds, from: audit.status, to: move.status },
    });
    return { seed: seedUsed, recordingIds };
  });
}
