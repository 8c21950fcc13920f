// Audit pages (issue 13): the auditor's list of audits, opening one (site, programme, period), and an audit's page
// with its status, period and drawn recording sample (seed, frame size, each recording linked to its page), where
// the auditor draws the sample. Administrators read them.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { can } from '../../../domain/permissions.js';
import { auditStatus } from '../../../domain/qa/audit-workflow.js';
import { indicatorAreas } from '../../../domain/qa/indicators.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { ValidationFailed } from '../../../services/errors.js';
import { DateInputs } from '../../dates.js';
import { sendCsv } from '../../downloads.js';
import { errorView } from '../../forms.js';
import { idParam } from '../../params.js';
import { auditReviewRoutes } from './review.js';

type Body = Record<string, unknown>;
const periodDates = { from: 'First day of the period', to: 'Last day of the period' } as const;

export async function auditRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { services, programmes } = context;
  const programmeName = (id: string) => programmes.find((p) => p.id === id)?.name ?? id;

  app.get('/audits', { config: permits('audit.read') }, async (request, reply) => {
    const list = await services.qa.listAudits(request.actor!);
    return reply.render('audits/list.njk', {
      pageTitle: 'Audits',
      audits: list.map((a) => ({ ...a, programmeName: programmeName(a.programmeId), statusTag: auditStatus(a.status) })),
      canOpen: can(request.actor!.role, 'audit.open'),
      canReadNational: can(request.actor!.role, 'audit.overview.read'),
    });
  });

  const renderNew = async (reply: FastifyReply, values: Body, dates: DateInputs, extra: Body = {}) => {
    const options = await services.qa.auditFormOptions(reply.request.actor!);
    return reply.render('audits/new.njk', {
      pageTitle: 'Open an audit',
      siteItems: [
        { value: '', text: 'Choose a site' },
        ...options.sites.map((s) => ({ value: String(s.id), text: s.name, selected: String(values.siteId ?? '') === String(s.id) })),
      ],
      programmeItems: options.programmes.map((p, i) => ({
        value: p.id,
        text: p.name,
        checked: values.programmeId === undefined ? i === 0 : values.programmeId === p.id,
      })),
      dateItems: dates.allItems(),
      errors: {},
      ...extra,
    });
  };

  app.get('/audits/new', { config: permits('audit.open') }, async (_request, reply) => renderNew(reply, {}, DateInputs.fromRecord({}, periodDates)));

  app.post('/audits', { config: permits('audit.open') }, async (request, reply) => {
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, periodDates);
    try {
      const { id } = await services.qa.openAudit(request.actor!, dates.input);
      return reply.redirect(`/audits/${id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderNew(reply.status(400), dates.input, dates, dates.view(error));
    }
  });

  const renderAudit = async (reply: FastifyReply, auditId: number, extra: Body = {}) => {
    const actor = reply.request.actor!;
    const audit = await services.qa.getAudit(actor, auditId);
    const indicators = await services.qa.operationalIndicators(actor, { siteId: audit.siteId, programmeId: audit.programmeId, from: audit.from, to: audit.to });
    const comments = await services.qa.indicatorComments(actor, auditId);
    return reply.render('audits/show.njk', {
      indicatorAreas: indicatorAreas.map((area) => ({ ...area, indicators: indicators.filter((i) => i.area === area.id) })),
      pageTitle: `Audit: ${audit.siteName}`,
      audit,
      programmeName: programmeName(audit.programmeId),
      statusTag: auditStatus(audit.status),
      canDraw: audit.transitions.some((t) => t.id === 'start') && can(reply.request.actor!.role, 'audit.sample.draw'),
      may: {
        watch: can(actor.role, 'audit.review') && audit.status === 'in_progress',
        rate: audit.transitions.some((t) => t.id === 'rate'),
        respond: audit.transitions.some((t) => t.id === 'respond') && audit.readerIsSitesTreatmentManager,
        close: audit.transitions.some((t) => t.id === 'close'),
        completeActions: can(actor.role, 'audit.action.complete') && audit.readerIsSitesTreatmentManager,
      },
      canWatchRecordings: can(actor.role, 'recording.view'),
      comments: Object.fromEntries(comments),
      // Comments may be written until the audit is closed.
      canComment: can(actor.role, 'audit.review') && auditStatus(audit.status).open,
      commentValues: {},
      values: {},
      errors: {},
      ...extra,
    });
  };

  app.get('/audits/:id', { config: permits('audit.read') }, async (request, reply) => renderAudit(reply, idParam(request.params, 'id', 'Audit')));

  app.post('/audits/:id/sample', { config: permits('audit.sample.draw') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Audit');
    const body = (request.body ?? {}) as Body;
    try {
      await services.qa.drawAuditSample(request.actor!, id, body);
      return reply.redirect(`/audits/${id}#sample`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      // The rule the draw broke (too few recordings, already drawn) is about the sample, whose only box is the seed.
      const view = errorView(error, { anchors: { sample: 'seed', audit: 'seed', version: 'seed' } });
      const seedError = view.errors.seed ?? view.errors.sample ?? view.errors.audit ?? view.errors.version;
      return renderAudit(reply.status(400), id, { values: { seed: body.seed }, errors: { seed: seedError }, errorList: view.errorList });
    }
  });

  app.post('/audits/:id/close', { config: permits('audit.close') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Audit');
    try {
      await services.qa.closeAudit(request.actor!, id, request.body ?? {});
      return reply.redirect(`/audits/${id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const view = errorView(error, { anchors: { audit: 'agreed', version: 'agreed' } });
      const agreedError = view.errors.agreed ?? view.errors.audit ?? view.errors.version;
      return renderAudit(reply.status(400), id, { errors: { agreed: agreedError }, errorList: view.errorList });
    }
  });

  app.post('/audits/:id/revise', { config: permits('audit.close') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Audit');
    const body = (request.body ?? {}) as Body;
    try {
      await services.qa.askForRevisedPlan(request.actor!, id, body);
      return reply.redirect(`/audits/${id}#action-plan`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const view = errorView(error, { anchors: { audit: 'reason', version: 'reason' } });
      const reasonError = view.errors.reason ?? view.errors.audit ?? view.errors.version;
      return renderAudit(reply.status(400), id, { values: { reason: body.reason }, errors: { reason: reasonError }, errorList: view.errorList });
    }
  });

  app.post('/audits/:id/indicators/:indicatorId/comment', { config: permits('audit.review') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Audit');
    const indicatorId = (request.params as { indicatorId: string }).indicatorId;
    const body = (request.body ?? {}) as Body;
    try {
      await services.qa.saveIndicatorComment(request.actor!, id, indicatorId, body);
      return reply.redirect(`/audits/${id}#indicator-${indicatorId}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      // Each indicator has its own form: the message goes beside that indicator's box, which keeps what was typed.
      const view = errorView(error, { prefix: `${indicatorId}-`, anchors: { audit: `${indicatorId}-comment`, version: `${indicatorId}-comment` } });
      return renderAudit(reply.status(400), id, { commentValues: { [indicatorId]: body }, ...view });
    }
  });

  app.get('/audits/:id/indicators.csv', { config: permits('audit.read') }, async (request, reply) => {
    const { fileName, csv } = await services.qa.indicatorsCsv(request.actor!, idParam(request.params, 'id', 'Audit'));
    return sendCsv(reply, fileName, csv);
  });

  await auditReviewRoutes(app, context);
}
