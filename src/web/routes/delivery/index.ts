// What happens in the room: a session's log and the men's work from it (uploaded, listed and downloaded).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { megabytes } from '../../../domain/delivery/products.js';
import { ValidationFailed } from '../../../services/errors.js';
import { storeFolder } from '../../../services/file-store.js';
import { sendDownload } from '../../downloads.js';
import { errorView } from '../../forms.js';
import { idParam } from '../../params.js';
import { uploadedFile } from '../../plugins/uploads.js';
import { longDay } from '../../timetable-display.js';

type Outcome = { saved: number } | { uploaded: number };

export async function deliveryRoutes(app: FastifyInstance, { services, config }: RouteContext): Promise<void> {
  const store = { fileStoreDir: config.fileStoreDir, maxBytes: config.productMaxBytes };
  const ids = (request: FastifyRequest) => ({ groupId: idParam(request.params, 'id', 'Group'), sessionId: idParam(request.params, 'sessionId', 'Session') });
  const logPath = (groupId: number, sessionId: number) => `/groups/${groupId}/sessions/${sessionId}/log`;

  async function renderLog(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values?: Record<string, unknown>; personId?: unknown; failure?: ValidationFailed } = {},
  ) {
    const { groupId, sessionId } = ids(request);
    const page = await services.delivery.getSessionLog(request.actor!, groupId, sessionId);
    const submitted = form.values;
    const log = submitted
      ? {
          ...page.log,
          version: Number(submitted.version ?? page.log.version),
          blocksCovered: [submitted.blocksCovered ?? []].flat().map(Number),
          targetsCovered: String(submitted.targetsCovered ?? ''),
          deviations: String(submitted.deviations ?? ''),
          incidents: String(submitted.incidents ?? ''),
          notes: Object.fromEntries(page.men.map((m) => [m.personId, String(submitted[`note-${m.personId}`] ?? '')])),
        }
      : page.log;
    const outcome = reply.takeOutcome<Outcome>();
    return reply.render('delivery/log.njk', {
      pageTitle: `Session ${page.session.number} log – ${page.group.name}`,
      ...page,
      log,
      day: longDay(page.session.date),
      openUntilDay: longDay(page.openUntil),
      blockItems: page.blocks.map((b) => ({ value: String(b.number), text: `Block ${b.number}: ${b.title}`, checked: log.blocksCovered.includes(b.number) })),
      manItems: [
        { value: '', text: 'Choose a man' },
        ...page.men.map((m) => ({
          value: String(m.personId),
          text: `${m.name} (${m.prisonNumber})`,
          selected: String(form.personId ?? '') === String(m.personId),
        })),
      ],
      products: page.products.map((p) => ({ ...p, size: megabytes(p.bytes) })),
      maxSize: megabytes(store.maxBytes),
      saved: outcome && 'saved' in outcome,
      uploaded: outcome && 'uploaded' in outcome,
      ...(form.failure ? errorView(form.failure, { anchors: { blocksCovered: 'blocksCovered' } }) : {}),
    });
  }

  app.get('/groups/:id/sessions/:sessionId/log', { config: permits('session_log.read') }, async (request, reply) => renderLog(request, reply));

  app.post('/groups/:id/sessions/:sessionId/log', { config: permits('session_log.write') }, async (request, reply) => {
    const { groupId, sessionId } = ids(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      const { version } = await services.delivery.saveSessionLog(request.actor!, groupId, sessionId, body);
      return reply.redirectWithOutcome(logPath(groupId, sessionId), { saved: version });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderLog(request, reply.status(400), { values: body, failure: error });
    }
  });

  app.post(
    '/groups/:id/sessions/:sessionId/products',
    { config: { ...permits('product.upload'), upload: { incoming: storeFolder(config.fileStoreDir, 'products').incoming, maxBytes: config.productMaxBytes } } },
    async (request, reply) => {
      const { groupId, sessionId } = ids(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      try {
        const { id } = await services.delivery.uploadProduct(
          request.actor!,
          groupId,
          sessionId,
          { personId: body.personId, file: uploadedFile(body, 'file') },
          store,
        );
        return reply.redirectWithOutcome(`${logPath(groupId, sessionId)}#products`, { uploaded: id });
      } catch (error) {
        if (!(error instanceof ValidationFailed)) throw error;
        return renderLog(request, reply.status(400), { personId: body.personId, failure: error });
      }
    },
  );

  app.get('/groups/:id/sessions/:sessionId/products/:productId', { config: permits('product.read') }, async (request, reply) => {
    const download = await services.delivery.downloadProduct(
      request.actor!,
      { ...ids(request), productId: idParam(request.params, 'productId', 'Work') },
      store,
    );
    return sendDownload(reply, download);
  });
}
