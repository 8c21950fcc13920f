// Administrators' site pages: list and create prisons.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../../http/context.js';
import { permits } from '../../../../http/access.js';
import { createSite, listSites } from '../../../../services/sites.js';
import { ValidationFailed } from '../../../../services/errors.js';
import { errorView } from '../../../forms.js';

const siteManagers = permits('site.manage');

export async function siteAdminRoutes(app: FastifyInstance, { database }: AppContext): Promise<void> {
  const { db } = database;
  app.get('/admin/sites', { config: siteManagers }, async (request, reply) =>
    reply.render('admin/sites/list.njk', { pageTitle: 'Sites', sites: await listSites(db, request.actor!) }),
  );
  app.get('/admin/sites/new', { config: siteManagers }, async (_request, reply) =>
    reply.render('admin/sites/new.njk', { pageTitle: 'Add a site', values: {} }),
  );
  app.post('/admin/sites', { config: siteManagers }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      await createSite(db, request.actor!, body);
      return reply.redirect('/admin/sites', 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return reply.status(400).render('admin/sites/new.njk', { pageTitle: 'Add a site', values: body, ...errorView(error) });
    }
  });
}
