// GET /api/v1/me: who the token belongs to.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles } from '../domain/roles.js';
import type { RouteContext } from '../http/context.js';
import { signedIn } from '../http/access.js';

const me = z.object({
  username: z.string(),
  role: z.enum(roles),
  sites: z.array(z.object({ id: z.number().int(), name: z.string() })),
});

export async function meRoutes(api: FastifyInstance, _context: RouteContext): Promise<void> {
  api
    .withTypeProvider<ZodTypeProvider>()
    .get('/me', { config: signedIn, schema: { summary: 'The calling user', tags: ['users'], response: { 200: me } } }, async (request) => {
      const actor = request.actor!;
      return {
        username: actor.username,
        role: actor.role,
        sites: actor.siteIds.map((id, i) => ({ id, name: actor.siteNames?.[i] ?? '' })),
      };
    });
}
