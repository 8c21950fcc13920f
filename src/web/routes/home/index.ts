// The signed-in home page: the areas of the service for the user's role; for treatment managers the
// facilitators whose supervision is due, overdue or lapsed (with the sessions planned after it lapsed), overdue
// supervision actions, and the audits of their sites waiting for their response or with actions overdue; for
// facilitators their day.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { can } from '../../../domain/permissions.js';
import { signedIn } from '../../../http/access.js';
import { longDay, presentAffected, supervisionTags } from '../../timetable-display.js';
import { areasFor } from './areas.js';

export async function homeRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  app.get('/', { config: signedIn }, async (request, reply) => {
    const actor = request.actor!;
    const alerts = can(actor.role, 'supervision.alerts.read') ? await services.supervision.supervisionAlerts(actor) : { supervision: [], overdueActions: [] };
    const day = can(actor.role, 'own_week.read') ? await services.delivery.facilitatorDay(actor) : null;
    const present = (sessions: NonNullable<typeof day>['todaySessions']) => sessions.map((s) => ({ ...s, day: longDay(s.date) }));
    const monitorAlerts = can(actor.role, 'monitor.alerts.read') ? await services.harmMonitor.monitorAlerts(actor) : [];
    const auditAlerts = can(actor.role, 'audit.respond') ? await services.qa.siteAuditAlerts(actor) : { awaitingResponse: [], overdueActions: [] };
    return reply.render('home/home.njk', {
      pageTitle: 'Home',
      areas: areasFor(actor.role),
      day: day && { ...day, todaySessions: present(day.todaySessions), weekSessions: present(day.weekSessions), weekStartDay: longDay(day.weekStart) },
      monitorAlerts: monitorAlerts.map((a) => ({ ...a, programmeName: programmes.find((p) => p.id === a.programmeId)?.name ?? a.programmeId })),
      overdueActions: alerts.overdueActions,
      auditAlerts,
      supervision: alerts.supervision.map((a) => ({
        ...a,
        tag: supervisionTags[a.status],
        programmeName: programmes.find((p) => p.id === a.programmeId)?.shortName ?? a.programmeId,
        affected: presentAffected(a.affected),
      })),
    });
  });
}
