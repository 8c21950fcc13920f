// The audit's checklist of material examined (issue 13, item 4): each item with the records it covers, linked to
// their pages, and the auditor's notes on it, one form per item.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { auditStatus } from '../../../domain/qa/audit-workflow.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { ValidationFailed } from '../../../services/errors.js';
import { errorView } from '../../forms.js';
import { idParam } from '../../params.js';

type Body = Record<string, unknown>;

export async function auditChecklistRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  const render = async (reply: FastifyReply, auditId: number, extra: Body = {}) => {
    const checklist = await services.qa.auditChecklist(reply.request.actor!, auditId);
    const { audit } = checklist;
    return reply.render('audits/checklist.njk', {
      pageTitle: `Material examined: audit of ${audit.siteName}`,
      checklist,
      audit,
      programmeName: programmes.find((p) => p.id === audit.programmeId)?.name ?? audit.programmeId,
      statusLabel: auditStatus(audit.status).label.toLowerCase(),
      typed: {},
      errors: {},
      ...extra,
    });
  };

  app.get('/audits/:id/checklist', { config: permits('audit.read') }, async (request, reply) => render(reply, idParam(request.params, 'id', 'Audit')));

  app.post('/audits/:id/checklist/:item', { config: permits('audit.review') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Audit');
    const item = (request.params as { item: string }).item;
    const body = (request.body ?? {}) as Body;
    try {
      await services.qa.recordChecklistItem(request.actor!, id, item, body);
      return reply.redirect(`/audits/${id}/checklist#item-${item}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      // Four forms share the page: the message goes beside the item's own box, which keeps what was typed. A broken
      // rule of the audit (not in progress) links to the item, whose form is then gone.
      const view = errorView(error, { prefix: `${item}-`, anchors: { audit: `item-${item}`, version: `${item}-notes` } });
      return render(reply.status(400), id, { typed: { [item]: body }, ...view });
    }
  });
}
