// Session recordings: who may upload and watch them, turning a finished upload into a recording (checksum, the
// video's own duration and format, moved into the file store), audited views, and retention's purge.
// The resumable transfer itself is the tus protocol's (src/http/recording-uploads.ts); this module starts where
// a whole file is on disk.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { and, asc, eq, inArray, isNull, max, ne, sql } from 'drizzle-orm';
import { parseFile } from 'music-metadata';
import type { Db, Executor } from '../db/connection.js';
import { groupFacilitators, groupSessions, programmeGroups, recordings, sessionFacilitators, users } from '../db/schema.js';
import { onlyOwn } from '../domain/permissions.js';
import { judgeVideo, type AcceptedVideo } from '../domain/recordings/media.js';
import { keptUntil, retentionExpired } from '../domain/recordings/retention.js';
import { authorise, canSeeSite, systemActor, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { AccessDenied, NotFound, ValidationFailed } from './errors.js';
import { londonToday, readableDate } from './scheduling.js';

/** Where recordings are kept, and the folder the tus store fills, both under the file store. */
export const recordingsFolder = (fileStoreDir: string) => join(fileStoreDir, 'recordings');
export const uploadsFolder = (fileStoreDir: string) => join(fileStoreDir, 'uploads');

interface SessionOfGroup {
  sessionId: number;
  number: number;
  block: number;
  date: string;
  start: string;
  end: string;
  status: string;
  groupId: number;
  groupName: string;
  siteId: number;
}

async function loadSession(ex: Executor, sessionId: number): Promise<SessionOfGroup> {
  const [row] = await ex
    .select({
      sessionId: groupSessions.id,
      number: groupSessions.number,
      block: groupSessions.block,
      date: groupSessions.sessionDate,
      start: groupSessions.startTime,
      end: groupSessions.endTime,
      status: groupSessions.status,
      groupId: programmeGroups.id,
      groupName: programmeGroups.name,
      siteId: programmeGroups.siteId,
    })
    .from(groupSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .where(eq(groupSessions.id, sessionId));
  if (!row) throw new NotFound('Session');
  return row;
}

async function facilitatedSession(ex: Executor, userId: number | null, sessionId: number): Promise<boolean> {
  if (userId === null) return false;
  const rows = await ex
    .select({ userId: sessionFacilitators.userId })
    .from(sessionFacilitators)
    .where(and(eq(sessionFacilitators.sessionId, sessionId), eq(sessionFacilitators.userId, userId)));
  return rows.length > 0;
}

async function inGroupTeam(ex: Executor, userId: number | null, groupId: number): Promise<boolean> {
  if (userId === null) return false;
  const rows = await ex
    .select({ userId: groupFacilitators.userId })
    .from(groupFacilitators)
    .where(and(eq(groupFacilitators.groupId, groupId), eq(groupFacilitators.userId, userId)));
  return rows.length > 0;
}

/** Whether the actor may upload a recording of the session, without refusing: pages offer the upload with it. */
async function mayUpload(ex: Executor, actor: Actor, session: SessionOfGroup): Promise<boolean> {
  try {
    await requireUploader(ex, actor, session);
    return true;
  } catch (error) {
    if (error instanceof AccessDenied) return false;
    throw error;
  }
}

/** recording.upload at the session's site; a facilitator only for a session he facilitated. */
async function requireUploader(ex: Executor, actor: Actor, session: SessionOfGroup): Promise<void> {
  authorise(actor, 'recording.upload', session.siteId);
  if (onlyOwn(actor.role, 'recording.upload') && !(await facilitatedSession(ex, actor.userId, session.sessionId))) {
    throw new AccessDenied('Only the facilitators of this session or the site’s treatment manager can upload its recording');
  }
}

/** recording.view at the group's site; a facilitator only for the groups whose team he is in. */
async function requireViewer(ex: Executor, actor: Actor, session: SessionOfGroup): Promise<void> {
  authorise(actor, 'recording.view', session.siteId);
  if (onlyOwn(actor.role, 'recording.view') && !(await inGroupTeam(ex, actor.userId, session.groupId))) {
    throw new AccessDenied('You can watch the recordings of your own groups only', canSeeSite(actor, session.siteId) ? 'role' : 'site');
  }
}

/**
 * Refuses an upload before a byte is sent: the session must exist, not be cancelled, have happened (today or
 * before), and be one the actor may upload a recording of. Called when the upload is created and again when it finishes.
 */
export async function checkRecordingUpload(db: Db, actor: Actor, sessionId: number, today = londonToday()): Promise<void> {
  const session = await loadSession(db, sessionId).catch((error) => {
    if (error instanceof NotFound) throw ValidationFailed.one('sessionId', 'There is no session with that id');
    throw error;
  });
  await requireUploader(db, actor, session);
  if (session.status === 'cancelled') throw ValidationFailed.one('sessionId', 'The session was cancelled, so it has no recording');
  if (session.date > today)
    throw ValidationFailed.one('sessionId', `The session is on ${readableDate(session.date)}: its recording can be uploaded from that day`);
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The container, tracks and duration the file itself declares; a file the parser cannot read is not a video. */
async function readVideo(path: string): Promise<ReturnType<typeof judgeVideo>> {
  try {
    const { format } = await parseFile(path, { duration: true, skipCovers: true });
    return judgeVideo({ container: format.container, hasVideo: format.hasVideo === true, durationSeconds: format.duration });
  } catch {
    return judgeVideo({ container: undefined, hasVideo: false, durationSeconds: undefined });
  }
}

async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

export interface FinishedUpload {
  sessionId: number;
  /** The whole file as received. It is moved into the recordings folder, or deleted if refused. */
  path: string;
  /** The SHA-256 (hex) the uploader computed before sending, when it sent one. */
  declaredSha256?: string;
  /** The SHA-256 (hex) of the file at `path` when already computed (as it streamed in); when absent it is read here. */
  storedSha256?: string;
  fileStoreDir: string;
}

/**
 * Turns a finished upload into a recording: the SHA-256 of the file (computed as it streamed in, or else by reading
 * it here) is compared with the uploader's, when sent, the duration and format are read from the
 * file, and only then is the file moved into the recordings folder and the record written. A refused file is deleted; if the move or the write fails, the
 * file is removed again, so no record ever points at a missing or partial file.
 */
export async function finishRecordingUpload(db: Db, actor: Actor, upload: FinishedUpload): Promise<{ id: number }> {
  try {
    await checkRecordingUpload(db, actor, upload.sessionId);
    const sha256 = upload.storedSha256 ?? (await sha256Of(upload.path));
    if (upload.declaredSha256 !== undefined && upload.declaredSha256 !== sha256) {
      throw ValidationFailed.one('checksum', 'The file received does not match its checksum: it was damaged on the way, so it was not kept. Upload it again.');
    }
    const verdict = await readVideo(upload.path);
    if (!verdict.accepted) throw ValidationFailed.one('file', `${verdict.reason}. The file was not kept.`);
    const session = await loadSession(db, upload.sessionId);
    return await keepRecording(db, actor, session, { path: upload.path, sha256, fileStoreDir: upload.fileStoreDir }, verdict.video, rename);
  } finally {
    await removeFile(upload.path);
  }
}

async function keepRecording(
  db: Db,
  actor: Actor,
  session: SessionOfGroup,
  file: { path: string; sha256: string; fileStoreDir: string },
  video: AcceptedVideo,
  place: (from: string, to: string) => Promise<void>,
): Promise<{ id: number }> {
  const folder = recordingsFolder(file.fileStoreDir);
  await mkdir(folder, { recursive: true });
  const storedName = `${randomBytes(16).toString('hex')}.${video.extension}`;
  const target = join(folder, storedName);
  const { size } = await stat(file.path);
  await place(file.path, target);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(recordings)
        .values({
          sessionId: session.sessionId,
          uploadedBy: actor.userId ?? (await firstFacilitator(tx, session.sessionId)),
          storedName,
          bytes: size,
          sha256: file.sha256,
          durationMs: video.durationMs,
          format: video.format,
          mediaType: video.mediaType,
        })
        .returning({ id: recordings.id });
      await appendAudit(tx, actor, {
        action: 'recording.uploaded',
        subjectType: 'recording',
        subjectId: row.id,
        siteId: session.siteId,
        details: { sessionId: session.sessionId, bytes: size, durationMs: video.durationMs },
      });
      return row;
    });
  } catch (error) {
    await removeFile(target);
    throw error;
  }
}

async function firstFacilitator(ex: Executor, sessionId: number): Promise<number> {
  const [row] = await ex.select({ userId: sessionFacilitators.userId }).from(sessionFacilitators).where(eq(sessionFacilitators.sessionId, sessionId)).limit(1);
  if (!row) throw new Error(`session ${sessionId} has no facilitator to name as the recording's uploader`);
  return row.userId;
}

export interface RecordingSummary {
  id: number;
  bytes: number;
  durationMs: number;
  format: string;
  mediaType: string;
  sha256: string;
  uploadedBy: string;
  uploadedAt: Date;
  purgedAt: Date | null;
  auditSampled: boolean;
}

const summaryColumns = {
  id: recordings.id,
  bytes: recordings.bytes,
  durationMs: recordings.durationMs,
  format: recordings.format,
  mediaType: recordings.mediaType,
  sha256: recordings.sha256,
  uploadedBy: users.displayName,
  uploadedAt: recordings.createdAt,
  purgedAt: recordings.purgedAt,
  auditSampledAt: recordings.auditSampledAt,
};

function summary({ auditSampledAt, ...row }: { auditSampledAt: Date | null } & Omit<RecordingSummary, 'auditSampled'>): RecordingSummary {
  return { ...row, auditSampled: auditSampledAt !== null };
}

export interface SessionRecordings {
  session: Omit<SessionOfGroup, 'siteId'>;
  recordings: RecordingSummary[];
  mayUpload: boolean;
}

/** A session's recordings, for its recordings page (which also offers the upload to those who may). */
export async function listSessionRecordings(db: Db, actor: Actor, sessionId: number): Promise<SessionRecordings> {
  const session = await loadSession(db, sessionId);
  const uploader = await mayUpload(db, actor, session);
  if (!uploader) await requireViewer(db, actor, session);
  const rows = await db
    .select(summaryColumns)
    .from(recordings)
    .innerJoin(users, eq(users.id, recordings.uploadedBy))
    .where(eq(recordings.sessionId, sessionId))
    .orderBy(asc(recordings.id));
  const { siteId: _site, ...shown } = session;
  return { session: shown, recordings: rows.map(summary), mayUpload: uploader && session.status !== 'cancelled' };
}

async function loadRecording(db: Db, recordingId: number) {
  const [row] = await db
    .select({ ...summaryColumns, sessionId: recordings.sessionId, storedName: recordings.storedName })
    .from(recordings)
    .innerJoin(users, eq(users.id, recordings.uploadedBy))
    .where(eq(recordings.id, recordingId));
  if (!row) throw new NotFound('Recording');
  return row;
}

export interface RecordingDetail {
  recording: RecordingSummary;
  session: Omit<SessionOfGroup, 'siteId'>;
  /** The last day retention keeps it (null while the group has no sessions left to end on). */
  keptUntil: string | null;
}

/** A recording with its session, for the recording's page. Watching it (its bytes) is what is audited. */
export async function getRecording(db: Db, actor: Actor, recordingId: number, retentionDays: number): Promise<RecordingDetail> {
  const { sessionId, storedName: _stored, ...row } = await loadRecording(db, recordingId);
  const session = await loadSession(db, sessionId);
  await requireViewer(db, actor, session);
  const [end] = await db
    .select({ last: max(groupSessions.sessionDate) })
    .from(groupSessions)
    .where(and(eq(groupSessions.groupId, session.groupId), ne(groupSessions.status, 'cancelled')));
  const { siteId: _site, ...shown } = session;
  return { recording: summary(row), session: shown, keptUntil: end?.last ? keptUntil(end.last, retentionDays) : null };
}

export interface PlayableRecording {
  path: string;
  bytes: number;
  mediaType: string;
}

/**
 * The file of a recording, to stream. When `countsAsView` (the request that starts playing it), the view is
 * audit-logged before a byte is sent; seeks within the same viewing are not.
 */
export async function openRecording(
  db: Db,
  actor: Actor,
  recordingId: number,
  options: { fileStoreDir: string; countsAsView: boolean; via: 'page' | 'api' },
): Promise<PlayableRecording> {
  const row = await loadRecording(db, recordingId);
  const session = await loadSession(db, row.sessionId);
  await requireViewer(db, actor, session);
  if (row.purgedAt) throw new NotFound('Recording (deleted when its retention ended)');
  if (options.countsAsView) {
    await db.transaction((tx) =>
      appendAudit(tx, actor, {
        action: 'recording.viewed',
        subjectType: 'recording',
        subjectId: row.id,
        siteId: session.siteId,
        details: { sessionId: session.sessionId, via: options.via },
      }),
    );
  }
  return { path: join(recordingsFolder(options.fileStoreDir), row.storedName), bytes: row.bytes, mediaType: row.mediaType };
}

export interface PurgedRecording {
  id: number;
  sessionId: number;
  bytes: number;
  keptUntil: string;
}

/**
 * Deletes the files of recordings past retention (their group ended more than `retentionDays` ago) that no
 * audit has sampled; each record stays, marked purged, and each deletion is audited. `dryRun` only lists them.
 */
export async function purgeExpiredRecordings(
  db: Db,
  actor: Actor,
  options: { fileStoreDir: string; retentionDays: number; dryRun: boolean; today?: string },
): Promise<PurgedRecording[]> {
  authorise(actor, 'recording.purge');
  const today = options.today ?? londonToday();
  const groupEnds = db
    .select({ groupId: groupSessions.groupId, ends: max(groupSessions.sessionDate).as('ends') })
    .from(groupSessions)
    .where(ne(groupSessions.status, 'cancelled'))
    .groupBy(groupSessions.groupId)
    .as('group_ends');
  const candidates = await db
    .select({
      id: recordings.id,
      sessionId: recordings.sessionId,
      bytes: recordings.bytes,
      storedName: recordings.storedName,
      auditSampledAt: recordings.auditSampledAt,
      siteId: programmeGroups.siteId,
      groupEnds: groupEnds.ends,
    })
    .from(recordings)
    .innerJoin(groupSessions, eq(groupSessions.id, recordings.sessionId))
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .innerJoin(groupEnds, eq(groupEnds.groupId, programmeGroups.id))
    .where(isNull(recordings.purgedAt))
    .orderBy(asc(recordings.id));
  const expired = candidates.filter(
    (r) =>
      r.groupEnds !== null &&
      retentionExpired({ groupEnds: r.groupEnds, auditSampled: r.auditSampledAt !== null, purged: false }, options.retentionDays, today),
  );
  const purged: PurgedRecording[] = expired.map((r) => ({
    id: r.id,
    sessionId: r.sessionId,
    bytes: r.bytes,
    keptUntil: keptUntil(r.groupEnds!, options.retentionDays),
  }));
  if (options.dryRun) return purged;
  for (const r of expired) {
    // The file goes first: a failure part way leaves a record still pointing at its file, never one marked
    // purged whose file is still on disk.
    await removeFile(join(recordingsFolder(options.fileStoreDir), r.storedName));
    await db.transaction(async (tx) => {
      await tx
        .update(recordings)
        .set({ purgedAt: sql`now()`, updatedAt: sql`now()`, version: sql`${recordings.version} + 1` })
        .where(eq(recordings.id, r.id));
      await appendAudit(tx, actor, {
        action: 'recording.purged',
        subjectType: 'recording',
        subjectId: r.id,
        siteId: r.siteId,
        details: { sessionId: r.sessionId, bytes: r.bytes },
      });
    });
  }
  return purged;
}

/** Demo recordings: a tiny sample video for the first sessions of each demo group that has none. Never in production. */
export async function seedDemoRecordings(db: Db, options: { fileStoreDir: string; samples: readonly string[]; groupIds: readonly number[] }): Promise<number> {
  if (options.groupIds.length === 0) return 0;
  const sessions = await db
    .select({ id: groupSessions.id, groupId: groupSessions.groupId })
    .from(groupSessions)
    .where(and(inArray(groupSessions.groupId, [...options.groupIds]), ne(groupSessions.status, 'cancelled')))
    .orderBy(asc(groupSessions.sessionDate), asc(groupSessions.startTime));
  const have = new Set((await db.select({ sessionId: recordings.sessionId }).from(recordings)).map((r) => r.sessionId));
  let added = 0;
  for (const groupId of options.groupIds) {
    const first = sessions.filter((s) => s.groupId === groupId).slice(0, options.samples.length);
    for (const [i, s] of first.entries()) {
      if (have.has(s.id)) continue;
      const sample = options.samples[i];
      const verdict = await readVideo(sample);
      if (!verdict.accepted) throw new Error(`demo sample ${sample} is not a video: ${verdict.reason}`);
      const session = await loadSession(db, s.id);
      // The system records them; the uploader named is the session's first facilitator.
      await keepRecording(
        db,
        systemActor,
        session,
        { path: sample, sha256: await sha256Of(sample), fileStoreDir: options.fileStoreDir },
        verdict.video,
        copyFile,
      );
      added++;
    }
  }
  return added;
}
