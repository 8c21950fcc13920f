// Administrators' site pages: list and create prisons.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../../../../http/context.js';
import { permits } from '../../../../http/access.js';
import { ValidationFailed } from '../../../../services/errors.js';
import { errorView } from '../../../forms.js';

const siteManagers = permits('site.manage');

export async function siteAdminRoutes(app: FastifyInstance, { services }: RouteContext): Promise<void> {
  app.get('/admin/sites', { config: siteManagers }, async (request, reply) =>
    reply.render('admin/sites/list.njk', { pageTitle: 'Sites', sites: await services.sites.listSites(request.actor!) }),
  );
  app.get('/admin/sites/new', { config: siteManagers }, async (_request, reply) =>
    reply.render('admin/sites/new.njk', { pageTitle: 'Add a site', values: {} }),
  );
  app.post('/admin/sites', { config: siteManagers }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      await services.sites.createSite(request.actor!, body);
      return reply.redirect('/admin/sites', 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return reply.status(400).render('admin/sites/new.njk', { pageTitle: 'Add a site', values: body, ...errorView(error) });
    }
  });
}
