// Facilitators' pages: their own week and calendar link, the facilitator's record (unavailable days, limits, how
// each accreditation stands, supervision history),
// the facilitators of a site for treatment managers, and the iCalendar feed behind each facilitator's secret link.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Week } from '../../../services/timetable/weeks.js';
import type { RouteContext } from '../../../http/context.js';
import { can } from '../../../domain/permissions.js';
import { permits, publicRoute } from '../../../http/access.js';
import { errorView } from '../../forms.js';
import { NotFound, ValidationFailed } from '../../../services/errors.js';
import { idParam } from '../../params.js';
import { longDay, presentAffected, statusTags, supervisionTags, weekPicker } from '../../timetable-display.js';

type Body = Record<string, unknown>;

function presentWeek(week: Week) {
  return week.days.map((d) => ({ ...d, label: longDay(d.date), entries: d.entries.map((e) => ({ ...e, tag: statusTags[e.status] })) }));
}

export async function facilitatorRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  app.get('/my/week', { config: permits('own_week.read') }, async (request, reply) => {
    const actor = request.actor!;
    const picker = weekPicker(request.query as Body);
    const week = await services.timetable.facilitatorWeek(actor, actor.userId!, picker.date);
    const secret = await services.facilitators.calendarSecret(actor);
    const origin = `${request.protocol}://${request.host}`;
    return reply.status(picker.status).render('facilitators/week.njk', {
      ...picker.view(week.monday),
      pageTitle: `My week beginning ${longDay(week.monday)}`,
      own: true,
      week,
      days: presentWeek(week),
      baseUrl: '/my/week',
      calendarUrl: `${origin}/calendar/${secret}.ics`,
      userId: actor.userId,
    });
  });

  app.post('/my/calendar-link', { config: permits('calendar_link.create') }, async (request, reply) => {
    await services.facilitators.calendarSecret(request.actor!, { renew: true });
    return reply.redirect('/my/week#calendar', 303);
  });

  app.get('/my/availability', { config: permits('own_week.read') }, async (request, reply) => reply.redirect(`/facilitators/${request.actor!.userId}`, 303));

  app.get('/facilitators', { config: permits('facilitator.list') }, async (request, reply) => {
    const actor = request.actor!;
    const query = request.query as Record<string, string | undefined>;
    const sites = await services.sites.listSites(actor);
    const siteId = query.site ? Number(query.site) : sites[0]?.id;
    if (!Number.isInteger(siteId)) throw ValidationFailed.one('site', 'Choose a site');
    const list = await services.facilitators.listSiteFacilitators(actor, siteId);
    return reply.render('facilitators/list.njk', {
      pageTitle: 'Facilitators',
      siteName: sites.find((s) => s.id === siteId)?.name ?? '',
      staffHref: can(actor.role, 'site.staff.read') ? `/sites/${siteId}/staff` : null,
      facilitators: list.map((f) => ({ ...f, accredited: f.accreditedFor.join(', ') || 'None current' })),
    });
  });

  app.get('/facilitators/:id/week', { config: permits('facilitator.read') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Facilitator');
    const picker = weekPicker(request.query as Body);
    const week = await services.timetable.facilitatorWeek(request.actor!, id, picker.date);
    return reply.status(picker.status).render('facilitators/week.njk', {
      ...picker.view(week.monday),
      pageTitle: `${week.facilitator}: week beginning ${longDay(week.monday)}`,
      own: request.actor!.userId === id,
      week,
      days: presentWeek(week),
      baseUrl: `/facilitators/${id}/week`,
      userId: id,
    });
  });

  const renderAvailability = async (reply: FastifyReply, userId: number, extra: Body = {}) => {
    const availability = await services.facilitators.getFacilitatorAvailability(reply.request.actor!, userId);
    const supervision = await services.supervision.facilitatorSupervision(reply.request.actor!, userId);
    return reply.render('facilitators/availability.njk', {
      pageTitle: `Availability: ${availability.displayName}`,
      supervision,
      canReadStaff: can(reply.request.actor!.role, 'staff.read'),
      availability,
      unavailable: availability.unavailable.map((u) => ({ ...u, day: longDay(u.date) })),
      affected: presentAffected(availability.affected),
      canReplan: can(reply.request.actor!.role, 'group.manage') && availability.canEditLimits,
      supervisionTags,
      accreditations: availability.accreditations.map((a) => ({
        ...a,
        programmeName: programmes.find((p) => p.id === a.programmeId)?.shortName ?? a.programmeId,
      })),
      limitValues: { maxSessionsPerDay: availability.maxSessionsPerDay, maxSessionsPerWeek: availability.maxSessionsPerWeek },
      unavailableValues: {},
      ...extra,
    });
  };

  app.get('/facilitators/:id', { config: permits('facilitator.read') }, async (request, reply) => {
    const added = String((request.query as Record<string, unknown>).added ?? '');
    return renderAvailability(reply, idParam(request.params, 'id', 'Facilitator'), /^\d+$/.test(added) ? { added: Number(added) } : {});
  });

  app.post('/facilitators/:id/unavailable', { config: permits('facilitator.availability.change') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Facilitator');
    const body = (request.body ?? {}) as Body;
    try {
      const result = await services.facilitators.addUnavailableDays(request.actor!, id, body);
      return reply.redirect(`/facilitators/${id}?added=${result.added}#unavailable`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderAvailability(reply.status(400), id, { unavailableValues: body, ...prefixed(errorView(error), 'unavailable') });
    }
  });

  app.post('/facilitators/:id/unavailable/:entryId/remove', { config: permits('facilitator.availability.change') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Facilitator');
    await services.facilitators.removeUnavailableDate(request.actor!, id, idParam(request.params, 'entryId', 'Unavailable date'));
    return reply.redirect(`/facilitators/${id}`, 303);
  });

  app.post('/facilitators/:id/limits', { config: permits('facilitator.profile.change') }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'Facilitator');
    const body = (request.body ?? {}) as Body;
    try {
      await services.facilitators.setFacilitatorLimits(request.actor!, id, body);
      return reply.redirect(`/facilitators/${id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderAvailability(reply.status(400), id, { limitValues: body, ...prefixed(errorView(error), 'limits') });
    }
  });

  // The secret in the address is the credential: calendar programs cannot sign in. Unknown secrets get a plain 404.
  app.get('/calendar/:file', { config: publicRoute }, async (request, reply) => {
    const file = (request.params as { file: string }).file;
    const secret = file.endsWith('.ics') ? file.slice(0, -4) : '';
    const feed = secret ? await services.timetable.calendarFeed(secret) : undefined;
    if (feed === undefined) throw new NotFound('Calendar');
    return reply
      .type('text/calendar; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', 'inline; filename="sotp-sessions.ics"')
      .send(feed);
  });
}

/** Several forms on one page: field ids are prefixed so the error summary links to the right input. */
function prefixed(view: ReturnType<typeof errorView>, prefix: string) {
  const errors: Record<string, { text: string }> = {};
  for (const [field, message] of Object.entries(view.errors)) errors[`${prefix}-${field}`] = message;
  return { errors, errorList: view.errorList.map((e) => ({ ...e, href: e.href.replace('#', `#${prefix}-`) })) };
}
