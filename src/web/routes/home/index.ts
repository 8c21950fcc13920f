// The signed-in home page: the areas of the service for the user's role, and for treatment managers the
// facilitators whose supervision is due or has lapsed under planned sessions.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { can } from '../../../domain/permissions.js';
import { signedIn } from '../../../http/access.js';
import { presentAffected, supervisionTags } from '../../timetable-display.js';
import { areasFor } from './areas.js';

export async function homeRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  app.get('/', { config: signedIn }, async (request, reply) => {
    const actor = request.actor!;
    const alerts = can(actor.role, 'supervision.alerts.read') ? await services.facilitators.supervisionAlerts(actor) : [];
    const monitorAlerts = can(actor.role, 'monitor.alerts.read') ? await services.harmMonitor.monitorAlerts(actor) : [];
    return reply.render('home/home.njk', {
      pageTitle: 'Home',
      areas: areasFor(actor.role),
      monitorAlerts: monitorAlerts.map((a) => ({ ...a, programmeName: programmes.find((p) => p.id === a.programmeId)?.name ?? a.programmeId })),
      supervision: alerts.map((a) => ({
        ...a,
        tag: supervisionTags[a.status],
        programmeName: programmes.find((p) => p.id === a.programmeId)?.shortName ?? a.programmeId,
        affected: presentAffected(a.affected),
      })),
    });
  });
}
