// Session recordings in the browser: a session's recordings with the resumable upload (tus, from the page, which
// needs JavaScript; the page says so and offers the API otherwise), a recording's page with its video, the video
// itself (honouring Range), and the tus endpoint the page uploads to.
import type { FastifyInstance } from 'fastify';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { sendRecording } from '../../../http/recording-playback.js';
import { recordingUploadRoutes } from '../../../http/recording-uploads.js';
import type { RecordingSummary } from '../../../services/recordings.js';
import { NotFound } from '../../../services/errors.js';
import { longDay } from '../../timetable-display.js';
import { idParam } from '../../params.js';

const viewers = permits('recording.view');

function duration(ms: number): string {
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`;
}

function size(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const shown = (r: RecordingSummary) => ({ ...r, duration: duration(r.durationMs), size: size(r.bytes) });

export async function recordingRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { services, config } = context;

  app.get('/groups/:id/sessions/:sessionId/recordings', { config: viewers }, async (request, reply) => {
    const groupId = idParam(request.params, 'id', 'Group');
    const found = await services.recordings.listSessionRecordings(request.actor!, idParam(request.params, 'sessionId', 'Session'));
    if (found.session.groupId !== groupId) throw new NotFound('Session');
    return reply.render('recordings/session.njk', {
      pageTitle: `Recordings of session ${found.session.number}`,
      session: { ...found.session, day: longDay(found.session.date) },
      recordings: found.recordings.map(shown),
      mayUpload: found.mayUpload,
      maxSize: size(config.recordings.maxBytes),
      chunkBytes: config.recordings.chunkBytes,
    });
  });

  app.get('/recordings/:id', { config: viewers }, async (request, reply) => {
    const detail = await services.recordings.getRecording(request.actor!, idParam(request.params, 'id', 'Recording'), config.recordings.retentionDays);
    return reply.render('recordings/show.njk', {
      pageTitle: `Recording of session ${detail.session.number}, ${detail.session.groupName}`,
      recording: shown(detail.recording),
      session: { ...detail.session, day: longDay(detail.session.date) },
      keptUntil: detail.keptUntil ? longDay(detail.keptUntil) : null,
    });
  });

  app.get('/recordings/:id/video', { config: viewers }, async (request, reply) =>
    sendRecording(request, reply, context, idParam(request.params, 'id', 'Recording'), 'page'),
  );

  await app.register(recordingUploadRoutes(context, '/uploads'));
}
