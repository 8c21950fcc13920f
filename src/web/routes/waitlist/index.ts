// The waitlist page: for one site and programme, men awaiting allocation in the order they should be offered
// a place, with days waiting and a warning tag when release may come before a group starting now ends.
import type { FastifyInstance } from 'fastify';
import { londonToday } from '../../../clock.js';
import { ValidationFailed } from '../../../services/errors.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { riskLabels, riskTagClasses } from '../../records.js';

export async function waitlistRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  app.get('/waitlist', { config: permits('waitlist.read') }, async (request, reply) => {
    const actor = request.actor!;
    const query = request.query as Record<string, string | undefined>;
    const sites = await services.sites.listSites(actor);
    const siteId = query.siteId ? Number(query.siteId) : sites[0]?.id;
    const programmeId = query.programmeId || programmes[0]?.id;
    if (siteId === undefined || !programmeId) throw ValidationFailed.one('siteId', 'You have no sites to show a waitlist for');
    const waitlist = await services.waitlist.listWaitlist(actor, { siteId, programmeId, today: londonToday() });
    const site = sites.find((s) => s.id === siteId);
    const programme = programmes.find((p) => p.id === programmeId);
    return reply.render('waitlist/list.njk', {
      pageTitle: `Waitlist: ${programme?.shortName ?? programmeId} at ${site?.name ?? ''}`,
      waitlist,
      siteName: site?.name,
      programmeName: programme?.name ?? programmeId,
      siteItems: sites.map((s) => ({ value: String(s.id), text: s.name, selected: s.id === siteId })),
      programmeItems: programmes.map((p) => ({ value: p.id, text: p.name, selected: p.id === programmeId })),
      rows: waitlist.entries.map((e) => ({
        ...e,
        riskTag: e.riskCategory ? { text: riskLabels[e.riskCategory], classes: riskTagClasses[e.riskCategory] } : null,
      })),
    });
  });
}
