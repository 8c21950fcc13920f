// The tus file store for recordings, computing each upload's SHA-256 while it streams in, so finishing a 1–4 GB
// upload does not read the whole file back before answering. A worker thread hashes the file's bytes as they
// reach the disk, a few MB behind the writing: SHA-256 on the main thread would take as long as receiving the
// bytes, and reading back what was just written comes from the page cache. Since the worker reads the file, it
// hashes bytes written before a server restart just as well; its running state is in memory only, so after a
// restart it starts again from the file's first byte.
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { FileStore } from '@tus/file-store';
import { ERRORS } from '@tus/server';

/**
 * How much of a request the file's write stream may hold while a write is under way. The bytes arrive from the
 * socket 64 KB at a time; with the default 16 KB each piece was a write of its own, 16,000 for a 1 GB file, and
 * handing each to the thread pool took about a tenth of the main thread's time during an upload (profiled with
 * bench:upload). Holding more lets the pieces that arrive during one write go to disk together in the next.
 */
const writeBufferBytes = 4 * 2 ** 20;
/** While a request streams in, the worker is told how far the file has been written every this many bytes. */
const reportEvery = 8 * 2 ** 20;

type ToHasher = { id: string; path: string; upTo: number; digest?: true } | { id: string; forget: true };
type FromHasher = { id: string; sha256: string | undefined };

// Plain JavaScript run with `eval`, so the worker needs no loader whether the server runs compiled or from source.
// Messages: { id, path, upTo } hashes the file up to byte `upTo` (from where it stopped); with `digest` it answers
// { id, sha256 } (undefined if the file was shorter or unreadable) and forgets the upload; { id, forget } drops it.
const hasherSource = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { closeSync, openSync, readSync } = require('node:fs');
const running = new Map();
const piece = Buffer.allocUnsafe(2 ** 20);
function hashUpTo(id, path, upTo) {
  let state = running.get(id);
  if (!state) {
    running.set(id, (state = { hash: createHash('sha256'), offset: 0 }));
    // Uploads begun and never finished leave their hash here: past this many the oldest goes (and is started
    // again from the first byte if it carries on).
    if (running.size > 1000) running.delete(running.keys().next().value);
  }
  if (state.offset >= upTo) return state;
  const fd = openSync(path, 'r');
  try {
    while (state.offset < upTo) {
      const read = readSync(fd, piece, 0, Math.min(piece.length, upTo - state.offset), state.offset);
      if (read === 0) throw new Error('the file is shorter than was written');
      state.hash.update(piece.subarray(0, read));
      state.offset += read;
    }
  } finally {
    closeSync(fd);
  }
  return state;
}
parentPort.on('message', (message) => {
  if (message.forget) return void running.delete(message.id);
  let sha256;
  try {
    const state = hashUpTo(message.id, message.path, message.upTo);
    if (message.digest && state.offset === message.upTo) sha256 = state.hash.digest('hex');
  } catch {
    running.delete(message.id);
  }
  if (message.digest) {
    running.delete(message.id);
    parentPort.postMessage({ id: message.id, sha256 });
  }
});
`;

/** The hashing worker, started on first use; if it fails, its answers are undefined and the next use starts another. */
class Hasher {
  #worker: Worker | undefined;
  #answers = new Map<string, (sha256: string | undefined) => void>();

  #running(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(hasherSource, { eval: true });
    // An idle worker does not keep the process alive; a server that closes terminates it.
    worker.unref();
    worker.on('message', ({ id, sha256 }: FromHasher) => this.#answer(id, sha256));
    const lost = () => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      for (const id of [...this.#answers.keys()]) this.#answer(id, undefined);
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return (this.#worker = worker);
  }

  #answer(id: string, sha256: string | undefined): void {
    this.#answers.get(id)?.(sha256);
    this.#answers.delete(id);
  }

  post(message: ToHasher): void {
    this.#running().postMessage(message);
  }

  digest(id: string, path: string, size: number): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.#answers.set(id, resolve);
      this.post({ id, path, upTo: size, digest: true });
    });
  }

  forget(id: string): void {
    this.#worker?.postMessage({ id, forget: true } satisfies ToHasher);
  }

  async close(): Promise<void> {
    await this.#worker?.terminate();
  }
}

export class RecordingUploadStore extends FileStore {
  readonly #hasher = new Hasher();

  /** As FileStore's, telling the hashing worker how far the file is written as it goes. */
  override async write(readable: IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const path = join(this.directory, id);
    const hasher = this.#hasher;
    const file = createWriteStream(path, { flags: 'r+', start: offset, highWaterMark: writeBufferBytes });
    let reported = offset;
    const reporting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const stored = offset + file.bytesWritten;
        if (stored - reported >= reportEvery) {
          hasher.post({ id, path, upTo: stored });
          reported = stored;
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(readable, reporting, file);
    } catch {
      throw ERRORS.FILE_WRITE_ERROR;
    }
    const written = offset + file.bytesWritten;
    hasher.post({ id, path, upTo: written });
    return written;
  }

  /**
   * The SHA-256 (hex) of the upload's `size` bytes on disk, mostly computed while they streamed in; undefined if
   * the worker could not (then the file must be read to know it). Asked once, when the upload finishes.
   */
  sha256Of(id: string, size: number): Promise<string | undefined> {
    return this.#hasher.digest(id, join(this.directory, id), size);
  }

  override async remove(id: string): Promise<void> {
    this.#hasher.forget(id);
    await super.remove(id);
  }

  /** Stops the hashing worker (the server is closing). */
  close(): Promise<void> {
    return this.#hasher.close();
  }
}
