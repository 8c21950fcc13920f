// /api/v1/uploads (tus 1.0.0 resumable uploads of session recordings) and /api/v1/recordings/{id} (the video,
// honouring Range; the request that starts a viewing is audited).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../http/context.js';
import { permits } from '../http/access.js';
import { sendRecording } from '../http/recording-playback.js';
import { recordingUploadRoutes } from '../http/recording-uploads.js';
import { apiError, idParams } from './schemas.js';

export async function recordingApiRoutes(api: FastifyInstance, context: RouteContext): Promise<void> {
  await api.register(recordingUploadRoutes(context, '/uploads', '/api/v1'));
  api.withTypeProvider<ZodTypeProvider>().get(
    '/recordings/:id',
    {
      config: permits('recording.view'),
      schema: {
        summary:
          'A session recording’s video. Honours Range (bytes=start-end, one range): 206 with Content-Range, 416 when outside the file. The request without a Range, or from byte 0, is audited as a view',
        tags: ['recordings'],
        params: idParams,
        headers: z.object({ range: z.string().optional() }),
        response: { 400: apiError, 403: apiError, 404: apiError },
      },
    },
    async (request, reply) => sendRecording(request, reply, context, request.params.id, 'api'),
  );
}
