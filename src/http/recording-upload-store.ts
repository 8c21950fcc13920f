// The tus file store for recordings, computing each upload's SHA-256 as its bytes are written, so finishing a
// 1–4 GB upload does not read the whole file back from disk to check it. The hashing runs on a worker thread
// (recording-hash-worker.ts): on the main thread it would take as long as receiving the bytes.
// The hash's running state lives in memory only (Node cannot save a SHA-256 part way), so it covers an upload only
// if this store wrote every byte of it: after a server restart, if the file on disk is not where this store last
// left it, or if the worker thread was lost, there is no streamed checksum and the finishing checks read the file.
import type { IncomingMessage } from 'node:http';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { FileStore } from '@tus/file-store';
import { startWorker } from '../worker-threads.js';
import type { FromHashWorker, ToHashWorker } from './recording-hash-worker.js';

/** Bytes are sent to the worker in pieces of this size (one message each, the piece moved, not copied). */
const pieceBytes = 2 ** 20;
/** How far the worker may fall behind the bytes written before the upload waits for it: bounds the memory held. */
const mostBytesBehind = 16 * 2 ** 20;
/**
 * Uploads begun and never finished or ended leave their running hash behind; past this many the oldest is
 * dropped (that upload, if it ever finishes, is then checked by reading its file).
 */
const keptHashes = 1000;

/** The hash worker, started on first use; if it fails, every hash it held is lost and the next write starts another. */
class HashThread {
  #worker: Worker | undefined;
  /** Counts the workers started: a hash begun on an earlier one is lost. */
  generation = 0;
  #behind = 0;
  #caughtUp: Array<() => void> = [];
  #digests = new Map<string, (sha256: string | undefined) => void>();

  #running(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker('recording-hash-worker', import.meta.url);
    // An idle worker does not keep the process alive; a server that closes terminates it.
    worker.unref();
    worker.on('message', (message: FromHashWorker) => {
      if ('hashed' in message) {
        this.#behind -= message.hashed;
        if (this.#behind <= mostBytesBehind) this.#release();
      } else {
        this.#digests.get(message.id)?.(message.sha256);
        this.#digests.delete(message.id);
      }
    });
    const lost = () => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#behind = 0;
      this.#release();
      for (const answer of this.#digests.values()) answer(undefined);
      this.#digests.clear();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.generation++;
    return (this.#worker = worker);
  }

  #release(): void {
    for (const resume of this.#caughtUp.splice(0)) resume();
  }

  #post(message: ToHashWorker, transfer: ArrayBuffer[] = []): void {
    this.#running().postMessage(message, transfer);
  }

  /** Starts the worker if needed, so a hash begun now belongs to the generation returned. */
  begin(): number {
    this.#running();
    return this.generation;
  }

  /** Hands `bytes` (no longer usable here) to the worker; a promise when the worker is too far behind to send more. */
  update(id: string, bytes: ArrayBuffer): Promise<void> | undefined {
    this.#behind += bytes.byteLength;
    this.#post({ id, bytes }, [bytes]);
    return this.#behind > mostBytesBehind ? new Promise((resolve) => this.#caughtUp.push(resolve)) : undefined;
  }

  digest(id: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.#digests.set(id, resolve);
      this.#post({ id, digest: true });
    });
  }

  forget(id: string): void {
    if (this.#worker) this.#post({ id, forget: true });
  }

  async close(): Promise<void> {
    await this.#worker?.terminate();
  }
}

interface RunningHash {
  /** How many bytes of the upload, from its first, the hash has taken in: the file's size when this store last wrote. */
  offset: number;
  /** The worker generation holding it. */
  generation: number;
}

export class RecordingUploadStore extends FileStore {
  readonly #thread = new HashThread();
  readonly #hashes = new Map<string, RunningHash>();

  override async write(readable: IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const running = this.#take(id);
    const resumes = running?.offset === offset && running.generation === this.#thread.generation;
    if (running && !resumes) this.#thread.forget(id);
    // Bytes before `offset` that this store did not hash (written before a restart) cannot be hashed now.
    if (!resumes && offset !== 0) return super.write(readable, id, offset);
    const generation = resumes ? running.generation : this.#thread.begin();
    const thread = this.#thread;
    let hashed = 0;
    let piece = Buffer.allocUnsafeSlow(pieceBytes);
    let filled = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        let behind: Promise<void> | undefined;
        for (let from = 0; from < chunk.length;) {
          const copied = chunk.copy(piece, filled, from);
          filled += copied;
          from += copied;
          if (filled === piece.length) {
            behind = thread.update(id, piece.buffer as ArrayBuffer) ?? behind;
            piece = Buffer.allocUnsafeSlow(pieceBytes);
            filled = 0;
          }
        }
        hashed += chunk.length;
        if (behind) void behind.then(() => done(null, chunk));
        else done(null, chunk);
      },
      flush(done) {
        if (filled > 0) void thread.update(id, piece.buffer.slice(0, filled) as ArrayBuffer);
        done();
      },
    });
    try {
      // An error of the request's stream reaches super.write through `hashing`.
      const written = await super.write(
        pipeline(readable, hashing, () => {}),
        id,
        offset,
      );
      // Every byte hashed was written (an interrupted request ends the stream, and what arrived is kept).
      if (written === offset + hashed && generation === this.#thread.generation) this.#remember(id, { offset: written, generation });
      else this.#thread.forget(id);
      return written;
    } catch (error) {
      // The file may hold fewer bytes than were hashed.
      this.#thread.forget(id);
      throw error;
    }
  }

  /**
   * The SHA-256 (hex) of the upload's bytes as they were written, when this store wrote all `size` of them;
   * undefined otherwise, and the file must be read to know it. Asked once, when the upload finishes.
   */
  async takeStreamedSha256(id: string, size: number): Promise<string | undefined> {
    const running = this.#take(id);
    if (running?.offset !== size || running.generation !== this.#thread.generation) {
      if (running) this.#thread.forget(id);
      return undefined;
    }
    return this.#thread.digest(id);
  }

  override async remove(id: string): Promise<void> {
    if (this.#take(id)) this.#thread.forget(id);
    await super.remove(id);
  }

  /** Stops the hash worker (the server is closing). */
  close(): Promise<void> {
    return this.#thread.close();
  }

  #take(id: string): RunningHash | undefined {
    const running = this.#hashes.get(id);
    this.#hashes.delete(id);
    return running;
  }

  #remember(id: string, running: RunningHash): void {
    this.#hashes.set(id, running);
    if (this.#hashes.size > keptHashes) {
      const oldest = this.#hashes.keys().next().value!;
      this.#hashes.delete(oldest);
      this.#thread.forget(oldest);
    }
  }
}
