// Resumable uploads of session recordings: the tus 1.0.0 protocol (core and the creation extension, plus
// termination) by @tus/server, storing on disk with @tus/file-store under <FILE_STORE_DIR>/uploads, so an upload
// survives a dropped connection and a server restart and resumes at the offset the server reports.
// The same handler is mounted twice: /api/v1/uploads for API tokens, and /uploads for the signed-in page (where
// the CSRF check applies to every POST, PATCH and DELETE, the token sent in the X-CSRF-Token header).
// Who may upload is the recordings service's decision; this module translates between tus and the service.
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { MemoryLocker, Server, type Upload } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../services/access.js';
import { AccessDenied, NotFound, ValidationFailed } from '../services/errors.js';
import { uploadsFolder } from '../services/recordings.js';
import { permits } from './access.js';
import { RecordingUploadStore } from './recording-upload-store.js';
import type { RouteContext } from './context.js';

const uploaders = permits('recording.upload');

/** The signed-in caller of each request tus is handling: tus's hooks see only the request. */
const actors = new WeakMap<IncomingMessage, Actor>();

/** One store and one lock table per app, shared by both mounts, so the page and the API never write one upload at once. */
const stores = new WeakMap<RouteContext, { store: () => RecordingUploadStore; locker: MemoryLocker; close: () => Promise<void> }>();

function sharedStore(context: RouteContext) {
  let shared = stores.get(context);
  if (!shared) {
    let store: RecordingUploadStore | undefined;
    // Made on first use: building the app creates no folders.
    shared = {
      store: () => (store ??= new RecordingUploadStore({ directory: uploadsFolder(context.config.fileStoreDir) })),
      locker: new MemoryLocker(),
      close: async () => store?.close(),
    };
    stores.set(context, shared);
  }
  return shared;
}

interface TusRefusal {
  status_code: number;
  body: string;
}

/** A service's refusal as tus sends it: the status, and the API's `{ error: { code, message, field } }` as the body. */
function refusal(status: number, code: string, message: string, field?: string): TusRefusal {
  return { status_code: status, body: JSON.stringify({ error: { code, message, ...(field ? { field } : {}) } }) };
}

function asTusRefusal(error: unknown): TusRefusal {
  if (error instanceof ValidationFailed) return refusal(400, 'validation_failed', error.errors[0].message, error.errors[0].field);
  if (error instanceof AccessDenied) return refusal(403, 'forbidden', error.message);
  if (error instanceof NotFound) return refusal(404, 'not_found', error.message);
  throw error;
}

function actorOf(req: Request): Actor {
  const node = (req as Request & { runtime?: { node?: { req: IncomingMessage } } }).runtime?.node?.req;
  const actor = node ? actors.get(node) : undefined;
  if (!actor) throw new Error('a tus request reached its hooks without a signed-in caller');
  return actor;
}

const positiveInteger = /^[1-9]\d{0,9}$/;
const sha256Hex = /^[0-9a-f]{64}$/;

function tusServer(context: RouteContext, path: string, log: FastifyInstance['log']): Server {
  const { services, config } = context;
  const shared = sharedStore(context);
  const datastore = shared.store();
  return new Server({
    path,
    datastore,
    locker: shared.locker,
    maxSize: config.recordings.maxBytes,
    relativeLocation: true,
    // Same origin only: no Access-Control-Allow-Origin header is sent.
    allowedOrigins: [],
    async onUploadCreate(req, upload) {
      const actor = actorOf(req);
      const sessionId = upload.metadata?.sessionId ?? '';
      if (upload.size === undefined) throw refusal(400, 'validation_failed', 'Upload-Length is required: the size of the whole file', 'Upload-Length');
      if (!positiveInteger.test(sessionId) || Number(sessionId) > 2_147_483_647) {
        throw refusal(400, 'validation_failed', 'sessionId (upload metadata) must name the session the recording is of', 'sessionId');
      }
      const checksum = upload.metadata?.sha256 ?? undefined;
      if (checksum !== undefined && !sha256Hex.test(checksum)) {
        throw refusal(400, 'validation_failed', 'sha256 (upload metadata) must be the file’s SHA-256 as 64 lower-case hexadecimal digits', 'sha256');
      }
      try {
        await services.recordings.checkRecordingUpload(actor, Number(sessionId));
      } catch (error) {
        throw asTusRefusal(error);
      }
      // Only what sotp needs is kept (a file name could name a man); the uploader is the server's to record.
      return { metadata: { sessionId, uploadedBy: String(actor.userId), ...(checksum ? { sha256: checksum } : {}) } };
    },
    async onIncomingRequest(req, id) {
      if (req.method === 'POST') return;
      // Only its uploader may resume, inspect or end an upload; to anyone else it does not exist.
      const upload = await datastore.getUpload(id);
      if (upload.metadata?.uploadedBy !== String(actorOf(req).userId)) throw refusal(404, 'not_found', 'Upload not found');
    },
    async onUploadFinish(req, upload: Upload) {
      const actor = actorOf(req);
      try {
        const { id } = await services.recordings.finishRecordingUpload(actor, {
          sessionId: Number(upload.metadata?.sessionId),
          path: upload.storage?.path ?? join(datastore.directory, upload.id),
          declaredSha256: upload.metadata?.sha256 ?? undefined,
          storedSha256: await datastore.sha256Of(upload.id, upload.size!),
          fileStoreDir: config.fileStoreDir,
        });
        return { headers: { 'Recording-Id': id } };
      } catch (error) {
        throw asTusRefusal(error);
      } finally {
        // The upload is over either way: its file was moved or deleted, so its resumption record goes too.
        await datastore.configstore.delete(upload.id);
      }
    },
    async onResponseError(_req, error) {
      if ('status_code' in error) return;
      // Logged by class and code only: a file system error's message names paths.
      log.error({ err: { type: error.name, code: (error as NodeJS.ErrnoException).code } }, 'recording upload failed');
      return refusal(500, 'internal_error', 'The upload could not be stored. Nothing was recorded; try again later.');
    },
  });
}

/**
 * Mounts the tus endpoint at `path` (creation at `path`, each upload at `path/:upload`) in an encapsulated plugin,
 * so the body parser that leaves upload bytes unread for tus applies to these routes only.
 */
export function recordingUploadRoutes(context: RouteContext, path: string, prefix = '') {
  return async (app: FastifyInstance): Promise<void> => {
    let server: Server | undefined;
    app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));
    // Both mounts close it: closing twice is harmless.
    app.addHook('onClose', () => sharedStore(context).close());
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      server ??= tusServer(context, `${prefix}${path}`, app.log);
      actors.set(request.raw, request.actor!);
      // tus answers on the raw response: the headers set so far (security headers) go with it.
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
      reply.raw.setHeader('cache-control', 'no-store');
      reply.hijack();
      await server.handle(request.raw, reply.raw);
    };
    const describe = (summary: string) => ({ summary, tags: ['recordings'] });
    app.route({
      method: ['POST', 'OPTIONS'],
      url: path,
      config: uploaders,
      schema: describe(
        'tus 1.0.0 creation: Upload-Length (at most RECORDING_MAX_BYTES) and Upload-Metadata with sessionId (and optionally sha256, the whole file’s hex SHA-256) → 201 with Location',
      ),
      handler: handle,
    });
    app.route({
      method: ['HEAD', 'PATCH', 'DELETE'],
      url: `${path}/:upload`,
      config: uploaders,
      schema: describe(
        'tus 1.0.0: HEAD gives the offset to resume from; PATCH (application/offset+octet-stream) appends at Upload-Offset; the last PATCH answers with Recording-Id, or 400 naming checksum or file when refused; DELETE ends an upload',
      ),
      handler: handle,
    });
  };
}
