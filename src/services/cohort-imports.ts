// Imports cohort files for outcome evaluation: a comparison pool of untreated men, or a complete linked
// cohort. Files hold pseudonyms only; a file with any bad row is refused whole, naming its bad lines, and
// importing the same file twice changes nothing. A file is read as a stream and checked on a worker thread
// a piece at a time, then stored in small pieces: a 50 MB file never stops the server answering and is never
// held whole in memory. Each upload has a progress record the import page shows as it goes.
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { and, asc, desc, eq, isNull, notInArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { cohortImportChunks, cohortImportProgress, cohortImports } from '../db/schema.js';
import { onlyOwn } from '../domain/permissions.js';
import { authorise, type Actor } from './access.js';
import type { FileCheck } from './cohort-file-check.js';
import { appendAudit } from './audit.js';
import { NotFound, ValidationFailed, type FieldError } from './errors.js';
import { validate } from './validate.js';

export const maxImportBytes = 64 * 1024 * 1024;
/** Characters handed to the file check at a time. */
const parsePiece = 256 * 1024;
/**
 * Characters per stored piece of the file: one insert each. PGlite runs each statement on the server's own
 * thread, so a piece is kept small enough (a few milliseconds to store) for requests to get in between.
 */
const storedPiece = 128 * 1024;
/** How often (in rows read) the count is written to the progress record. */
const progressEveryRows = 5000;

export type CohortImport = typeof cohortImports.$inferSelect;
export type CohortImportStatus = 'queued' | 'parsing' | 'storing' | 'done' | 'failed';
export type CohortImportProgress = Omit<typeof cohortImportProgress.$inferSelect, 'status' | 'problems'> & {
  status: CohortImportStatus;
  problems: FieldError[];
};

const kindAndName = {
  kind: z.enum(['comparison', 'cohort'], { error: 'Choose what the file holds' }),
  fileName: z.string({ error: 'Choose a CSV file' }).trim().min(1, 'Choose a CSV file').max(200, 'File name must be 200 characters or fewer'),
};
const sizeLimit = 'The file must be smaller than 64 MB';

/** An uploaded file: its size in bytes is checked before anything is read. */
export const cohortUploadInput = z.object({
  ...kindAndName,
  bytes: z.number({ error: 'Choose a CSV file' }).int().min(1, 'The file is empty').max(maxImportBytes, sizeLimit),
});

export const cohortImportInput = z.object({
  ...kindAndName,
  content: z.string({ error: 'Choose a CSV file' }).min(1, 'The file is empty').max(maxImportBytes, sizeLimit),
});

/** Validates an upload's input; a problem with its name, size or text is a problem with the file field. */
function validUpload<T>(schema: z.ZodType<T>, input: unknown): T {
  try {
    return validate(schema, input);
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    throw new ValidationFailed(error.errors.map((e) => (e.field === 'kind' ? e : { ...e, field: 'file' })));
  }
}

/** A cohort file's text, piece by piece (about `size` characters each); it can be read more than once. */
export type CohortText = (size: number) => AsyncIterable<string>;

/** The text of a file on disk, decoded as UTF-8 (a character split between two reads is kept whole). */
export function cohortTextOfFile(path: string): CohortText {
  return (size) => createReadStream(path, { encoding: 'utf8', highWaterMark: size });
}

/** Text already in memory, in pieces that never split a surrogate pair (each piece is stored as text). */
export function cohortTextOf(content: string): CohortText {
  return async function* pieces(size) {
    for (let from = 0; from < content.length;) {
      let to = Math.min(from + size, content.length);
      if (to < content.length && /[\uD800-\uDBFF]/.test(content[to - 1])) to--;
      yield content.slice(from, to);
      from = to;
    }
  };
}

/** The import was stopped before it finished (the server is shutting down). */
class ImportStopped extends Error {}

const turnOfEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Starts the file check's worker, which lives beside this module. Compiled, it is plain JavaScript; run from
 * source (tests, benchmarks) it is TypeScript, and Node 20 does not pass tsx's loader on to worker threads,
 * so the worker loads it through tsx's API.
 */
function startCheckWorker(workerData: { kind: 'comparison' | 'cohort' }): Worker {
  const extension = extname(fileURLToPath(import.meta.url));
  const file = new URL(`./cohort-file-check-worker${extension}`, import.meta.url);
  if (extension === '.js') return new Worker(file, { workerData });
  const load = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(load, { eval: true, workerData });
}

/** The worker's next message; its failure or early exit is an error here. */
function nextMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const stopListening = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: T) => (stopListening(), resolve(message));
    const onError = (error: Error) => (stopListening(), reject(error));
    const onExit = (code: number) => (stopListening(), reject(new Error(`the cohort file check stopped early (exit code ${code})`)));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/**
 * Checks a cohort file on a worker thread: this thread only reads the file and hands it over a piece at a
 * time, so parsing a million rows (and collecting their garbage) never holds up the requests it serves.
 */
async function checkOffThread(
  kind: 'comparison' | 'cohort',
  text: CohortText,
  signal: AbortSignal | undefined,
  onRows: (rows: number) => Promise<void>,
): Promise<FileCheck> {
  const worker = startCheckWorker({ kind });
  try {
    for await (const piece of text(parsePiece)) {
      if (signal?.aborted) throw new ImportStopped();
      worker.postMessage({ piece });
      await onRows((await nextMessage<{ rows: number }>(worker)).rows);
    }
    worker.postMessage({});
    return (await nextMessage<{ check: FileCheck }>(worker)).check;
  } finally {
    await worker.terminate();
  }
}

async function setProgress(ex: Executor, id: number, changes: Partial<typeof cohortImportProgress.$inferInsert>): Promise<void> {
  await ex
    .update(cohortImportProgress)
    .set({ ...changes, updatedAt: new Date(), version: sql`${cohortImportProgress.version} + 1` })
    .where(eq(cohortImportProgress.id, id));
}

/** Records an upload as queued (its kind, name and size checked); the import itself is `runCohortImport`. */
export async function queueCohortImport(db: Db, actor: Actor, input: unknown): Promise<CohortImportProgress> {
  authorise(actor, 'evaluation.import');
  const { kind, fileName } = validUpload(cohortUploadInput, input);
  const [row] = await db.insert(cohortImportProgress).values({ kind, fileName, requestedBy: actor.userId! }).returning();
  return row as CohortImportProgress;
}

/**
 * Checks and stores a queued upload, recording its progress: done (with the cohort import, new or the
 * same file imported before) or failed (with its problems, nothing imported). All or nothing: the file's
 * pieces are staged under the upload, a batch at a time, and become a cohort import in one short
 * transaction at the end, so no long transaction holds the database while a large file is stored.
 */
export async function runCohortImport(db: Db, actor: Actor, id: number, text: CohortText, signal?: AbortSignal): Promise<CohortImportProgress> {
  authorise(actor, 'evaluation.import');
  const [queued] = await db.select().from(cohortImportProgress).where(eq(cohortImportProgress.id, id));
  if (!queued) throw new NotFound('Cohort import');
  const kind = queued.kind as 'comparison' | 'cohort';
  try {
    await setProgress(db, id, { status: 'parsing' });
    let reported = 0;
    const check = await checkOffThread(kind, text, signal, async (rows) => {
      if (rows - reported < progressEveryRows) return;
      reported = rows;
      await setProgress(db, id, { rowsRead: rows });
    });
    const [existing] = await db
      .select()
      .from(cohortImports)
      .where(and(eq(cohortImports.kind, kind), eq(cohortImports.sha256, check.sha256)));
    if (existing) {
      await setProgress(db, id, { status: 'done', rowsRead: existing.rows, cohortImportId: existing.id, alreadyImported: true });
    } else if (check.errors.length) {
      await setProgress(db, id, { status: 'failed', rowsRead: check.rows, problems: check.errors });
    } else {
      await setProgress(db, id, { status: 'storing', rowsRead: check.rows });
      await storeCohortFile(db, actor, queued, check, text, signal);
    }
  } catch (error) {
    await abandon(
      db,
      id,
      error instanceof ImportStopped
        ? 'The import stopped because the service was shutting down: upload the file again'
        : 'The file could not be imported because of a problem in the service: try again',
    );
    if (!(error instanceof ImportStopped)) throw error;
  }
  const [finished] = await db.select().from(cohortImportProgress).where(eq(cohortImportProgress.id, id));
  return finished as CohortImportProgress;
}

async function storeCohortFile(
  db: Db,
  actor: Actor,
  upload: typeof cohortImportProgress.$inferSelect,
  check: FileCheck,
  text: CohortText,
  signal?: AbortSignal,
): Promise<void> {
  let seq = 0;
  for await (const piece of text(storedPiece)) {
    if (signal?.aborted) throw new ImportStopped();
    await db.insert(cohortImportChunks).values({ uploadId: upload.id, seq: seq++, content: piece });
    await setProgress(db, upload.id, {});
    await turnOfEventLoop();
  }
  const { kind, fileName } = upload;
  const { sha256, rows, columns } = check;
  const stored = await db.transaction(async (tx) => {
    // Ended as stalled meanwhile (its staged pieces are gone): it must not become an import.
    const [still] = await tx
      .select({ status: cohortImportProgress.status })
      .from(cohortImportProgress)
      .where(eq(cohortImportProgress.id, upload.id))
      .for('update');
    if (still?.status !== 'storing') throw new ImportStopped();
    // The same file may have finished importing from another upload meanwhile: then this one changes nothing.
    const [row] = await tx.insert(cohortImports).values({ kind, fileName, sha256, rows, columns, importedBy: actor.userId! }).onConflictDoNothing().returning();
    if (!row) return undefined;
    await tx.update(cohortImportChunks).set({ cohortImportId: row.id }).where(eq(cohortImportChunks.uploadId, upload.id));
    await setProgress(tx, upload.id, { status: 'done', cohortImportId: row.id });
    await appendAudit(tx, actor, { action: 'cohort_import.created', subjectType: 'cohort_import', subjectId: row.id, details: { kind, rows, sha256 } });
    return row;
  });
  if (stored) return;
  await db.delete(cohortImportChunks).where(and(eq(cohortImportChunks.uploadId, upload.id), isNull(cohortImportChunks.cohortImportId)));
  const [existing] = await db
    .select()
    .from(cohortImports)
    .where(and(eq(cohortImports.kind, kind), eq(cohortImports.sha256, sha256)));
  await setProgress(db, upload.id, { status: 'done', cohortImportId: existing.id, alreadyImported: true });
}

/** An import that could not finish: its staged pieces go, and the page says why (the first reason found stands). */
async function abandon(db: Db, id: number, message: string): Promise<void> {
  await db.delete(cohortImportChunks).where(and(eq(cohortImportChunks.uploadId, id), isNull(cohortImportChunks.cohortImportId)));
  await db
    .update(cohortImportProgress)
    .set({ status: 'failed', problems: [{ field: 'file', message }], updatedAt: new Date(), version: sql`${cohortImportProgress.version} + 1` })
    .where(and(eq(cohortImportProgress.id, id), notInArray(cohortImportProgress.status, ['done', 'failed'])));
}

/**
 * Imports a cohort file given as text and answers when it is done: the same checks and storage as an
 * upload, for callers that wait for the result. Throws ValidationFailed naming the bad lines.
 */
export async function importCohortFile(db: Db, actor: Actor, input: unknown): Promise<{ cohortImport: CohortImport; alreadyImported: boolean }> {
  authorise(actor, 'evaluation.import');
  const { kind, fileName, content } = validUpload(cohortImportInput, input);
  const queued = await queueCohortImport(db, actor, { kind, fileName, bytes: Buffer.byteLength(content) });
  const outcome = await runCohortImport(db, actor, queued.id, cohortTextOf(content));
  if (outcome.status !== 'done') throw new ValidationFailed(outcome.problems);
  return { cohortImport: await getCohortImport(db, actor, outcome.cohortImportId!), alreadyImported: outcome.alreadyImported };
}

/**
 * An import whose progress has not moved for this long has stopped: the server running it was killed or lost
 * mid-import (a running import records progress every few thousand rows and every stored piece).
 */
const stalledAfterMs = 5 * 60_000;

/** An upload's progress: for the person who uploaded it, and administrators. A stalled import is ended here. */
export async function getCohortImportProgress(db: Db, actor: Actor, id: number, now = new Date()): Promise<CohortImportProgress> {
  authorise(actor, 'evaluation.import_progress.read');
  const [row] = await db.select().from(cohortImportProgress).where(eq(cohortImportProgress.id, id));
  if (!row || (onlyOwn(actor.role, 'evaluation.import_progress.read') && row.requestedBy !== actor.userId)) throw new NotFound('Cohort import');
  const running = row.status !== 'done' && row.status !== 'failed';
  if (!running || now.getTime() - row.updatedAt.getTime() < stalledAfterMs) return row as CohortImportProgress;
  await abandon(db, id, 'The import stopped part-way because the service stopped: nothing was imported; upload the file again');
  const [ended] = await db.select().from(cohortImportProgress).where(eq(cohortImportProgress.id, id));
  return ended as CohortImportProgress;
}

/**
 * Runs uploads' imports in the background, so that the upload answers at once; on shutdown each running
 * import is stopped (its staged pieces removed, its page saying so) before the database closes.
 */
export class CohortImportRunner {
  private readonly running = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts the import of a queued upload; `done` runs when it has finished, however it ended (say, to delete a temporary file). */
  start(actor: Actor, id: number, text: CohortText, done: () => Promise<void>): void {
    const job = runCohortImport(this.db, actor, id, text, this.stopping.signal)
      .catch(this.onError)
      .finally(() => done().catch(this.onError));
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.running]);
  }
}

export async function getCohortImport(db: Db, actor: Actor, id: number): Promise<CohortImport> {
  authorise(actor, 'evaluation.read');
  const [row] = await db.select().from(cohortImports).where(eq(cohortImports.id, id));
  if (!row) throw new NotFound('Cohort import');
  return row;
}

export async function listCohortImports(db: Db, actor: Actor): Promise<CohortImport[]> {
  authorise(actor, 'evaluation.read');
  return db.select().from(cohortImports).orderBy(desc(cohortImports.createdAt));
}

/** The stored file with its text (for an evaluation run). */
export async function cohortImportContent(db: Db, actor: Actor, id: number): Promise<CohortImport & { content: string }> {
  const row = await getCohortImport(db, actor, id);
  const pieces = await db
    .select({ content: cohortImportChunks.content })
    .from(cohortImportChunks)
    .where(eq(cohortImportChunks.cohortImportId, id))
    .orderBy(asc(cohortImportChunks.seq));
  return { ...row, content: pieces.map((p) => p.content).join('') };
}
