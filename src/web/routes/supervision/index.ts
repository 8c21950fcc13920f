// Supervision pages: the form a treatment manager records a supervision with (opening the recordings of the
// facilitator's recent sessions from it), marking an agreed action done, and a site's staff overview (named
// treatment managers, who supervises whom and when each facilitator was last supervised).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { can } from '../../../domain/permissions.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { ValidationFailed } from '../../../services/errors.js';
import { maxActions } from '../../../services/staff/supervision.js';
import { DateInputs, dateInputExample } from '../../dates.js';
import { checkedValues, errorView } from '../../forms.js';
import { idParam } from '../../params.js';
import { supervisionTags } from '../../timetable-display.js';

type Body = Record<string, unknown>;
const actionRows = Array.from({ length: maxActions }, (_, i) => i + 1);
/** The form's dates, GOV.UK date inputs: the supervision's, and each agreed action's due date. */
const supervisionDates = {
  supervisedOn: 'Date of the supervision',
  ...Object.fromEntries(actionRows.map((n) => [`action${n}DueOn`, `The date action ${n} is due`])),
};
const text = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * The form's flat fields as the service's input. Only ticked recordings and action rows with something typed in are
 * sent; `idOf` names, for each field the service may refuse, the form element it came from.
 */
function supervisionInputFrom(body: Body) {
  const watched = checkedValues(body.watched);
  const rows = actionRows.filter((n) => text(body[`action${n}Description`]).trim() || text(body[`action${n}DueOn`]).trim());
  const idOf = (field: string): string => {
    const [list, index, name] = field.split('.');
    if (list === 'observed' && index !== undefined) return `${name === 'minutesWatched' ? 'minutes' : 'watched'}-${watched[Number(index)]}`;
    if (list === 'actions' && index !== undefined) return `action${rows[Number(index)]}${name === 'dueOn' ? 'DueOn' : 'Description'}`;
    return field;
  };
  return {
    input: {
      supervisedOn: body.supervisedOn,
      supervisorId: body.supervisorId,
      siteId: text(body.siteId) === '' ? undefined : body.siteId,
      notes: body.notes,
      observed: watched.map((id) => ({ recordingId: id, minutesWatched: body[`minutes-${id}`] })),
      actions: rows.map((n) => ({ description: body[`action${n}Description`], dueOn: body[`action${n}DueOn`] })),
    },
    idOf,
  };
}

export async function supervisionRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  const renderForm = async (reply: FastifyReply, facilitatorId: number, dates?: DateInputs, extra: Body = {}) => {
    const form = await services.supervision.supervisionForm(reply.request.actor!, facilitatorId);
    return reply.render('supervision/new.njk', {
      pageTitle: `Record a supervision: ${form.facilitator.displayName}`,
      form,
      actionRows,
      dateItems: (dates ?? DateInputs.fromRecord({ supervisedOn: form.today }, supervisionDates)).allItems(),
      today: dateInputExample(form.today),
      values: { supervisorId: String(reply.request.actor!.userId), watched: [] as string[] },
      ...extra,
    });
  };

  app.get('/facilitators/:id/supervisions/new', { config: permits('supervision.record') }, async (request, reply) =>
    renderForm(reply, idParam(request.params, 'id', 'Facilitator')),
  );

  app.post('/facilitators/:id/supervisions', { config: permits('supervision.record') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Facilitator');
    const dates = DateInputs.fromForm((request.body ?? {}) as Body, supervisionDates);
    const body = dates.input;
    const { input, idOf } = supervisionInputFrom(body);
    try {
      const { id: supervisionId } = await services.supervision.recordSupervision(request.actor!, id, input);
      return reply.redirect(`/facilitators/${id}#supervision-${supervisionId}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      // Each refusal named by the form element it came from, so dates link to their day box.
      const named = new ValidationFailed(error.errors.map((e) => ({ ...e, field: idOf(e.field) })));
      return renderForm(reply.status(400), id, dates, { values: { ...body, watched: checkedValues(body.watched) }, ...dates.view(named) });
    }
  });

  app.post('/supervision-actions/:id/complete', { config: permits('supervision.action.complete') }, async (request, reply) => {
    const actionId = idParam(request.params, 'id', 'Supervision action');
    await services.supervision.completeSupervisionAction(request.actor!, actionId, request.body ?? {});
    const back = text((request.body as Body | undefined)?.facilitatorId);
    return reply.redirect(/^\d+$/.test(back) ? `/facilitators/${back}#supervision` : '/', 303);
  });

  const renderStaff = async (reply: FastifyReply, siteId: number, extra: Body = {}) => {
    const staff = await services.siteStaff.siteStaff(reply.request.actor!, siteId);
    return reply.render('supervision/site-staff.njk', {
      pageTitle: `Staff and supervision: ${staff.site.name}`,
      staff,
      supervisionTags,
      shortName: (id: string) => programmes.find((p) => p.id === id)?.shortName ?? id,
      canName: can(reply.request.actor!.role, 'site.treatment_manager.name'),
      ...extra,
    });
  };

  app.get('/sites/:siteId/staff', { config: permits('site.staff.read') }, async (request, reply) =>
    renderStaff(reply, idParam(request.params, 'siteId', 'Site')),
  );

  app.post('/sites/:siteId/treatment-managers', { config: permits('site.treatment_manager.name') }, async (request, reply) => {
    const siteId = idParam(request.params, 'siteId', 'Site');
    const body = (request.body ?? {}) as Body;
    try {
      await services.siteStaff.nameTreatmentManager(request.actor!, siteId, body);
      return reply.redirect(`/sites/${siteId}/staff`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const programmeId = text(body.programmeId);
      const view = errorView(error, { fieldId: () => `manager-${programmeId}` });
      return renderStaff(reply.status(400), siteId, { errors: { [`manager-${programmeId}`]: Object.values(view.errors)[0] }, errorList: view.errorList });
    }
  });
}
