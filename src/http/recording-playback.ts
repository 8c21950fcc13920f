// Playing a recording, for the page's <video> element and the API alike: the file is streamed from disk (never
// held in memory) and honours `Range`, so a 4 GB recording seeks at once. The request that starts a viewing (no
// range, or one from the first byte) is audit-logged as a view; the seeks that follow are not.
import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerRange, startsAView } from '../domain/recordings/byte-range.js';
import type { RouteContext } from './context.js';

export async function sendRecording(
  request: FastifyRequest,
  reply: FastifyReply,
  { services, config }: RouteContext,
  recordingId: number,
  via: 'page' | 'api',
): Promise<FastifyReply> {
  const header = request.headers.range;
  // The size is needed to judge the range, and the access check comes before anything is said about the file.
  const probe = await services.recordings.openRecording(request.actor!, recordingId, { fileStoreDir: config.fileStoreDir, countsAsView: false, via });
  const answer = answerRange(header, probe.bytes);
  reply.header('accept-ranges', 'bytes');
  if (answer.kind === 'unsatisfiable') {
    return reply.status(416).header('content-range', `bytes */${probe.bytes}`).type('text/plain').send('The requested range is outside the recording');
  }
  const file = startsAView(answer)
    ? await services.recordings.openRecording(request.actor!, recordingId, { fileStoreDir: config.fileStoreDir, countsAsView: true, via })
    : probe;
  reply.type(file.mediaType);
  if (answer.kind === 'whole') return reply.header('content-length', file.bytes).send(createReadStream(file.path));
  const { start, end } = answer.span;
  return reply
    .status(206)
    .header('content-range', `bytes ${start}-${end}/${file.bytes}`)
    .header('content-length', end - start + 1)
    .send(createReadStream(file.path, { start, end }));
}
