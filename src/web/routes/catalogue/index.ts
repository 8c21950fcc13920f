// The public programme catalogue: no sign-in needed.
import type { FastifyInstance } from 'fastify';
import { catalogueFacets, facetOptions, filterCatalogue, type CatalogueFilter } from '../../../domain/programme/catalogue.js';
import type { RouteContext } from '../../../http/context.js';
import { publicRoute } from '../../../http/access.js';
import { NotFound } from '../../../services/errors.js';

function readFilter(query: Record<string, unknown>): CatalogueFilter {
  const filter: CatalogueFilter = {};
  for (const f of catalogueFacets) {
    const value = query[f.id];
    if (typeof value === 'string' && value !== '') filter[f.id] = value;
  }
  return filter;
}

export async function catalogueRoutes(app: FastifyInstance, { programmes }: RouteContext): Promise<void> {
  app.get('/programmes', { config: publicRoute }, async (request, reply) => {
    const filter = readFilter(request.query as Record<string, unknown>);
    return reply.render('catalogue/list.njk', {
      pageTitle: 'Programme catalogue',
      facets: facetOptions(programmes),
      filter,
      programmes: filterCatalogue(programmes, filter),
    });
  });

  app.get('/programmes/:id', { config: publicRoute }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const [programme] = filterCatalogue(
      programmes.filter((p) => p.id === id),
      {},
    );
    if (!programme) throw new NotFound('Programme');
    return reply.render('catalogue/programme.njk', { pageTitle: programme.name, programme });
  });
}
