// The signed-in home page: the areas of the service for the user's role.
import type { FastifyInstance } from 'fastify';
import { signedIn } from '../../access.js';
import { areasFor } from './areas.js';

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { config: signedIn }, async (request, reply) => {
    const actor = request.actor!;
    return reply.render('home/home.njk', { pageTitle: 'Home', areas: areasFor(actor.role) });
  });
}
