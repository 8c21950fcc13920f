// The audit after its sample is drawn (issue 13): the auditor watches each sampled recording and keeps notes on it,
// rates the two criteria, the site's treatment manager responds with an action plan, the auditor closes the audit,
// the site marks actions done; and the printable report and the national overview.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { can } from '../../../domain/permissions.js';
import { auditStatus } from '../../../domain/qa/audit-workflow.js';
import { checklistItems } from '../../../domain/qa/checklist.js';
import { ratingCriteria } from '../../../domain/qa/ratings.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { AccessDenied, ValidationFailed } from '../../../services/errors.js';
import { londonToday } from '../../../clock.js';
import { addDays } from '../../../services/scheduling.js';
import { DateInputs, dateInputExample } from '../../dates.js';
import { checkedValues, errorView } from '../../forms.js';
import { idParam } from '../../params.js';
import { longDay } from '../../timetable-display.js';

type Body = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' ? v : '');
/** The rows of the action-plan form: enough for a plan, without JavaScript to add more. */
export const actionRows = 6;
const rowNumbers = Array.from({ length: actionRows }, (_, i) => i + 1);
/** Each row's due date, a GOV.UK date input named action<N>DueOn. */
const dueDates = Object.fromEntries(rowNumbers.map((n) => [`action${n}DueOn`, `The date action ${n} is due`]));

/** The response form's flat fields as the service's input: only the action rows with something typed in are sent. */
function responseInputFrom(body: Body) {
  const rows = rowNumbers.filter((n) => ['Description', 'Owner', 'DueOn'].some((f) => text(body[`action${n}${f}`]).trim() !== ''));
  const idOf = (field: string): string => {
    const [list, index, name] = field.split('.');
    if (list === 'actions' && index !== undefined && name !== undefined) return `action${rows[Number(index)]}${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    return field === 'actions' ? 'action1Description' : field;
  };
  return {
    input: {
      version: body.version,
      response: body.response,
      actions: rows.map((n) => ({ description: body[`action${n}Description`], owner: body[`action${n}Owner`], dueOn: body[`action${n}DueOn`] })),
    },
    idOf,
  };
}

export async function auditReviewRoutes(app: FastifyInstance, { services, programmes, config }: RouteContext): Promise<void> {
  const programmeName = (id: string) => programmes.find((p) => p.id === id)?.name ?? id;

  // Watching a sampled recording.
  const renderWatch = async (reply: FastifyReply, auditId: number, recordingId: number, extra: Body = {}) => {
    const actor = reply.request.actor!;
    const audit = await services.qa.getAudit(actor, auditId);
    const review = await services.qa.recordingReview(actor, auditId, recordingId);
    const detail = await services.recordings.getRecording(actor, recordingId, config.recordings.retentionDays);
    return reply.render('audits/watch.njk', {
      pageTitle: `Watch: session ${detail.session.number}, ${detail.session.groupName}`,
      audit,
      review,
      recording: detail.recording,
      session: { ...detail.session, day: longDay(detail.session.date) },
      sampled: audit.sample?.recordings.find((r) => r.id === recordingId),
      mayWrite: can(actor.role, 'audit.review') && audit.status === 'in_progress',
      values: { notes: review.notes?.text ?? '' },
      errors: {},
      ...extra,
    });
  };

  app.get('/audits/:id/recordings/:recordingId', { config: permits('audit.review') }, async (request, reply) =>
    renderWatch(reply, idParam(request.params, 'id', 'Audit'), idParam(request.params, 'recordingId', 'Recording')),
  );

  app.post('/audits/:id/recordings/:recordingId', { config: permits('audit.review') }, async (request, reply) => {
    const auditId = idParam(request.params, 'id', 'Audit');
    const recordingId = idParam(request.params, 'recordingId', 'Recording');
    const body = (request.body ?? {}) as Body;
    try {
      await services.qa.recordRecordingReview(request.actor!, auditId, recordingId, body);
      return reply.redirect(`/audits/${auditId}#sample`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const view = errorView(error, { anchors: { audit: 'notes', version: 'notes' } });
      const notesError = view.errors.notes ?? view.errors.audit ?? view.errors.version;
      return renderWatch(reply.status(400), auditId, recordingId, { values: { notes: body.notes }, errors: { notes: notesError }, errorList: view.errorList });
    }
  });

  // Rating the two criteria.
  const renderRatings = async (reply: FastifyReply, auditId: number, extra: Body = {}) => {
    const actor = reply.request.actor!;
    const audit = await services.qa.getAudit(actor, auditId);
    const rules = await services.qa.ratingRules(actor, auditId);
    const citable = [
      ...(audit.sample?.recordings ?? [])
        .filter((r) => rules.watched.includes(r.id))
        .map((r) => ({ value: `recording:${r.id}`, text: `Recording: ${r.groupName}, block ${r.block}, ${longDay(r.date)}` })),
      ...checklistItems.filter((i) => rules.examined.includes(i.id)).map((i) => ({ value: `checklist:${i.id}`, text: `Checklist: ${i.label}` })),
    ];
    return reply.render('audits/ratings.njk', {
      pageTitle: `Rate the audit of ${audit.siteName}`,
      audit,
      rules,
      criteria: ratingCriteria,
      citable,
      enoughWatched: rules.watched.length >= rules.minimum,
      values: {} as Body,
      errors: {},
      ...extra,
    });
  };

  app.get('/audits/:id/ratings', { config: permits('audit.rate') }, async (request, reply) => renderRatings(reply, idParam(request.params, 'id', 'Audit')));

  app.post('/audits/:id/ratings', { config: permits('audit.rate') }, async (request, reply) => {
    const auditId = idParam(request.params, 'id', 'Audit');
    const body = (request.body ?? {}) as Body;
    try {
      await services.qa.rateAudit(request.actor!, auditId, body);
      return reply.redirect(`/audits/${auditId}#ratings`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const view = errorView(error, { anchors: { audit: 'watched', version: 'watched' } });
      const values = { ...body, ...Object.fromEntries(ratingCriteria.map((c) => [`cites_${c.id}`, checkedValues(body[`cites_${c.id}`])])) };
      return renderRatings(reply.status(400), auditId, { values, errors: view.errors, errorList: view.errorList });
    }
  });

  // The site's response and action plan.
  const renderResponse = async (reply: FastifyReply, auditId: number, dates: DateInputs, extra: Body = {}) => {
    const audit = await services.qa.getAudit(reply.request.actor!, auditId);
    // The service refuses the response itself; the form is not offered to a manager who could not send it.
    if (!audit.readerIsSitesTreatmentManager) throw new AccessDenied('Only the site’s treatment manager for this programme may respond to its audit');
    return reply.render('audits/response.njk', {
      pageTitle: `Respond to the audit of ${audit.siteName}`,
      audit,
      programmeName: programmeName(audit.programmeId),
      criteria: ratingCriteria,
      actionRows: rowNumbers,
      dateItems: dates.allItems(),
      exampleDue: dateInputExample(addDays(londonToday(), 30)),
      values: {} as Body,
      errors: {},
      ...extra,
    });
  };

  app.get('/audits/:id/response', { config: permits('audit.respond') }, async (request, reply) =>
    renderResponse(reply, idParam(request.params, 'id', 'Audit'), DateInputs.fromRecord({}, dueDates)),
  );

  app.post('/audits/:id/response', { config: permits('audit.respond') }, async (request, reply) => {
    const auditId = idParam(request.params, 'id', 'Audit');
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, dueDates);
    const body = dates.input;
    const { input, idOf } = responseInputFrom(body);
    try {
      await services.qa.respondToAudit(request.actor!, auditId, input);
      return reply.redirect(`/audits/${auditId}#action-plan`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      // Each refusal named by the form's own field: a row's, or the response box for the audit's state.
      const named = new ValidationFailed(error.errors.map((e) => ({ ...e, field: e.field === 'audit' || e.field === 'version' ? 'response' : idOf(e.field) })));
      return renderResponse(reply.status(400), auditId, dates, { values: body, ...dates.view(named) });
    }
  });

  app.post('/audit-actions/:id/complete', { config: permits('audit.action.complete') }, async (request, reply) => {
    const { auditId } = await services.qa.completeAuditAction(request.actor!, idParam(request.params, 'id', 'Action'), request.body ?? {});
    return reply.redirect(`/audits/${auditId}#action-plan`, 303);
  });

  // The printable report.
  app.get('/audits/:id/report', { config: permits('audit.read') }, async (request, reply) => {
    const actor = request.actor!;
    const audit = await services.qa.getAudit(actor, idParam(request.params, 'id', 'Audit'));
    const indicators = await services.qa.operationalIndicators(actor, { siteId: audit.siteId, programmeId: audit.programmeId, from: audit.from, to: audit.to });
    const comments = await services.qa.indicatorComments(actor, audit.id);
    return reply.render('audits/report.njk', {
      pageTitle: `Audit report: ${audit.siteName}, ${audit.from} to ${audit.to}`,
      audit,
      indicators,
      comments: Object.fromEntries(comments),
      programmeName: programmeName(audit.programmeId),
      statusTag: auditStatus(audit.status),
      criteria: ratingCriteria,
    });
  });

  app.get('/audits/national', { config: permits('audit.overview.read') }, async (request, reply) => {
    const rows = await services.qa.auditOverview(request.actor!);
    return reply.render('audits/national.njk', { pageTitle: 'Audits across the country', rows, criteria: ratingCriteria, statusTag: auditStatus });
  });
}
