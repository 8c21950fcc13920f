// Enforces each route's declared access before its body is even parsed: signed-out page requests
// go to the sign-in page, API requests get 401 JSON, signed-in callers without the role get 403.
import type { FastifyInstance } from 'fastify';
import { routeAllows } from '../../http/access.js';
import { AccessDenied } from '../../services/errors.js';
import { isApiRequest } from './session.js';

export class NotSignedIn extends Error {
  readonly statusCode = 401;
}

export async function authentication(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    if (access === undefined) throw new Error(`route ${request.routeOptions.url} declares no access`);
    if (!request.actor) {
      if (isApiRequest(request)) throw new NotSignedIn('Sign in with an API token: Authorization: Bearer <token>');
      const returnTo = request.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`/sign-in${returnTo}`, 303);
    }
    if (!routeAllows(access, request.actor.role)) throw new AccessDenied();
  });
}
