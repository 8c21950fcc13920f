// File uploads (multipart forms): fields are read into the body before the CSRF check, and the one file is
// streamed to a temporary file (never into memory) and given as { fileName, path, bytes }. A route that keeps
// files in the file store names its folder and size limit (`upload` in its config): the file is then written
// there, hashed on the way, and refused past the limit. A temporary file is deleted when the response has been
// sent unless a route claims it (a background import then owns it) or the service has moved it into place.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { maxImportBytes } from '../../services/cohort-imports.js';
import { receiveFile } from '../../services/file-store.js';

export interface UploadedFile {
  fileName: string;
  /** The temporary file holding the upload ('' when no file was chosen, or none was kept). */
  path: string;
  bytes: number;
  /** For an upload to the file store: the SHA-256 of the bytes written, and why nothing was kept. */
  sha256?: string;
  tooLarge?: boolean;
  writeFailed?: boolean;
}

/** A route's file store upload: the folder its temporary files are written to, and the largest accepted. */
export interface StoreUpload {
  incoming: string;
  maxBytes: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    upload?: StoreUpload;
  }
}

const unclaimed = new WeakMap<FastifyRequest, Set<string>>();

export async function removeUpload(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

async function removeUnclaimed(request: FastifyRequest): Promise<void> {
  for (const path of unclaimed.get(request) ?? []) await removeUpload(path);
  unclaimed.delete(request);
}

export async function uploads(app: FastifyInstance): Promise<void> {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: maxImportBytes, files: 1, fields: 50 },
    async onFile(part) {
      const paths = unclaimed.get(this) ?? new Set<string>();
      const store = this.routeOptions.config.upload;
      if (store) {
        const received = await receiveFile(part.file, store.incoming, store.maxBytes);
        if (received.path) unclaimed.set(this, paths.add(received.path));
        if (received.writeFailed) this.log.error('an upload to the file store could not be written');
        const value: UploadedFile = { fileName: part.filename, ...received };
        (part as unknown as { value: UploadedFile }).value = value;
        return;
      }
      const path = join(tmpdir(), `sotp-upload-${randomUUID()}.csv`);
      unclaimed.set(this, paths.add(path));
      await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
      const value: UploadedFile = { fileName: part.filename, path, bytes: (await stat(path)).size };
      (part as unknown as { value: UploadedFile }).value = value;
    },
  });
  app.addHook('onResponse', async (request) => removeUnclaimed(request));
  app.addHook('onRequestAbort', async (request) => removeUnclaimed(request));
}

/** The uploaded file of a form field, or an empty one when none was chosen. */
export function uploadedFile(body: Record<string, unknown>, field: string): UploadedFile {
  const value = body[field] as UploadedFile | undefined;
  return value && typeof value === 'object' && 'path' in value ? value : { fileName: '', path: '', bytes: 0 };
}

/** Takes the temporary file over from the request: the caller deletes it (removeUpload) when done with it. */
export function claimUpload(request: FastifyRequest, file: UploadedFile): string {
  unclaimed.get(request)?.delete(file.path);
  return file.path;
}

/** The whole text of a small upload (reconviction records), or '' when no file was chosen. */
export async function uploadedText(file: UploadedFile): Promise<string> {
  return file.path ? readFile(file.path, 'utf8') : '';
}
