// The file store (config.fileStoreDir: FILE_STORE_DIR, or a files folder in DATA_DIR): files arrive as a stream,
// are hashed (SHA-256) and counted as they are written to a temporary file in the folder they will live in, and
// are renamed into place only when their record is written, so a half-written file is never taken for a whole one.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where a kind of file lives in the store, and where its uploads are written until they are recorded. */
export function storeFolder(fileStoreDir: string, kind: 'products' | 'staff-evidence'): { directory: string; incoming: string } {
  const directory = join(fileStoreDir, kind);
  return { directory, incoming: join(directory, '.incoming') };
}

export interface ReceivedFile {
  /** The temporary file ('' when nothing was kept: too large, or the write failed). */
  path: string;
  bytes: number;
  sha256: string;
  tooLarge: boolean;
  /** The file could not be written (a full disk, a missing folder): nothing was kept. */
  writeFailed: boolean;
}

export async function removeFile(path: string): Promise<void> {
  if (!path) return;
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/**
 * Writes a stream to a new temporary file in `incoming`, hashing and counting its bytes on the way. Past
 * `maxBytes`, or after a write error (a full disk), nothing more is written but the stream is still read to its
 * end, so the request around it can be answered; the partial file is removed. Holds no more than a chunk in memory.
 * A stream that fails (the client went away) removes the file and rejects.
 */
export async function receiveFile(source: Readable, incoming: string, maxBytes: number): Promise<ReceivedFile> {
  const hash = createHash('sha256');
  const path = join(incoming, `${randomUUID()}.part`);
  let bytes = 0;
  let tooLarge = false;
  let writeFailed = false;
  const file = await mkdir(incoming, { recursive: true })
    .then(() => open(path, 'wx', 0o600))
    .catch(() => {
      writeFailed = true;
      return undefined;
    });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) tooLarge = true;
      if (tooLarge || writeFailed || !file) return done();
      hash.update(chunk);
      writeAll(file, chunk).then(
        () => done(),
        () => {
          writeFailed = true;
          done();
        },
      );
    },
  });
  let complete = false;
  try {
    await pipeline(source, sink);
    complete = true;
  } finally {
    await file?.close().catch(() => {
      writeFailed = true;
    });
    // Only a file that was opened can be left behind.
    if (file && (!complete || tooLarge || writeFailed)) await removeFile(path);
  }
  if (tooLarge || writeFailed) return { path: '', bytes, sha256: '', tooLarge, writeFailed };
  return { path, bytes, sha256: hash.digest('hex'), tooLarge, writeFailed };
}

async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length;) offset += (await file.write(chunk, offset)).bytesWritten;
}

/** Moves a received file into its folder under a new name, returned as the record's storage key. */
export async function keepFile(path: string, directory: string, extension: string): Promise<{ storageKey: string; finalPath: string }> {
  const storageKey = `${randomUUID()}.${extension}`;
  const finalPath = join(directory, storageKey);
  await rename(path, finalPath);
  return { storageKey, finalPath };
}
