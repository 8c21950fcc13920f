// The clinical review of the sampled recordings (issue 13): the auditor watches each in sotp and records what they
// saw. Watching is what the audit log shows: a recording starts playing only through sotp, and each start is
// logged with the viewer's name (http/recording-playback.ts). So notes on a recording are kept only once the log
// shows the auditor played it after the sample was drawn, and a recording with notes is one that was watched: the
// ratings count these against the programme's minimum.
import { and, asc, eq, gte } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import { auditLog, auditRecordingReviews, auditSampledRecordings } from '../../db/schema.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { requiredText, versionOrNew } from '../input-fields.js';
import { validate } from '../validate.js';
import { lockAuditIn, readAudit, type AuditRow } from './audit-lock.js';

export const recordingReviewInput = z.object({
  notes: requiredText('what you saw in the recording', 5000),
  /** The version of the notes the auditor read: 0 for the first notes. */
  version: versionOrNew,
});

export interface RecordingReview {
  auditId: number;
  recordingId: number;
  status: string;
  /** When the reader first played it after the sample was drawn; null if not yet. */
  firstPlayed: Date | null;
  notes: { text: string; by: number; at: Date; version: number } | null;
}

/** When `actor` first started playing the recording in sotp after the audit's sample was drawn. */
async function firstPlayedSinceSample(ex: Executor, actor: Actor, audit: AuditRow, recordingId: number): Promise<Date | null> {
  if (!audit.sampleDrawnAt) return null;
  const [row] = await ex
    .select({ at: auditLog.occurredAt })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.subjectType, 'recording'),
        eq(auditLog.subjectId, String(recordingId)),
        eq(auditLog.action, 'recording.viewed'),
        eq(auditLog.actor, actor.username),
        gte(auditLog.occurredAt, audit.sampleDrawnAt),
      ),
    )
    .orderBy(asc(auditLog.occurredAt))
    .limit(1);
  return row?.at ?? null;
}

async function requireSampled(ex: Executor, auditId: number, recordingId: number): Promise<void> {
  const [sampled] = await ex
    .select()
    .from(auditSampledRecordings)
    .where(and(eq(auditSampledRecordings.auditId, auditId), eq(auditSampledRecordings.recordingId, recordingId)));
  if (!sampled) throw new NotFound('Recording in this audit’s sample');
}

async function storedReview(ex: Executor, auditId: number, recordingId: number) {
  const [row] = await ex
    .select()
    .from(auditRecordingReviews)
    .where(and(eq(auditRecordingReviews.auditId, auditId), eq(auditRecordingReviews.recordingId, recordingId)));
  return row ?? null;
}

/** A sampled recording's review: whether the reader has played it since the sample, and the notes kept on it. */
export async function recordingReview(db: Db, actor: Actor, auditId: number, recordingId: number): Promise<RecordingReview> {
  authorise(actor, 'audit.read');
  return db.transaction(async (tx) => {
    const audit = await readAudit(tx, auditId);
    authorise(actor, 'audit.read', audit.siteId);
    await requireSampled(tx, auditId, recordingId);
    const row = await storedReview(tx, auditId, recordingId);
    await appendAudit(tx, actor, {
      action: 'audit.recording_review.viewed',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { recordingId },
    });
    return {
      auditId,
      recordingId,
      status: audit.status,
      firstPlayed: await firstPlayedSinceSample(tx, actor, audit, recordingId),
      notes: row ? { text: row.notes, by: row.reviewedBy, at: row.updatedAt, version: row.version } : null,
    };
  });
}

/**
 * Keeps the auditor's notes on a sampled recording, while the audit is in progress. Refused, naming the rule, until
 * the audit log shows the auditor played the recording in sotp after the sample was drawn.
 */
export async function recordRecordingReview(db: Db, actor: Actor, auditId: number, recordingId: number, input: unknown): Promise<void> {
  authorise(actor, 'audit.review');
  const values = validate(recordingReviewInput, input);
  await db.transaction(async (tx) => {
    const audit = await lockAuditIn(tx, auditId, ['in_progress'], 'Notes on a recording can be recorded');
    await requireSampled(tx, auditId, recordingId);
    if (!(await firstPlayedSinceSample(tx, actor, audit, recordingId))) {
      throw ValidationFailed.one('notes', 'Watch the recording here before recording your notes: it counts as watched once sotp has logged you playing it');
    }
    const existing = await storedReview(tx, auditId, recordingId);
    if (existing) {
      if (values.version !== existing.version) throw new EditConflict('The notes on this recording');
      await tx
        .update(auditRecordingReviews)
        .set({ notes: values.notes, reviewedBy: actor.userId!, updatedAt: new Date(), version: existing.version + 1 })
        .where(and(eq(auditRecordingReviews.auditId, auditId), eq(auditRecordingReviews.recordingId, recordingId)));
    } else {
      if (values.version !== 0) throw new EditConflict('The notes on this recording');
      await tx.insert(auditRecordingReviews).values({ auditId, recordingId, notes: values.notes, reviewedBy: actor.userId! });
    }
    await appendAudit(tx, actor, {
      action: existing ? 'audit.recording_review.changed' : 'audit.recording_review.recorded',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { recordingId },
    });
  });
}

/** The sampled recordings of an audit that have notes, i.e. were watched: what the rating rule counts. */
export async function watchedRecordings(ex: Executor, auditId: number): Promise<number[]> {
  const rows = await ex.select({ id: auditRecordingReviews.recordingId }).from(auditRecordingReviews).where(eq(auditRecordingReviews.auditId, auditId));
  return rows.map((r) => r.id);
}
