// Resolves who is calling: pages use the server-side session cookie, the API a bearer token.
// Cookies are ignored on /api so that the API cannot be driven cross-site.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type SessionSettings } from '../../services/authentication.js';
import type { Services } from '../../services/index.js';

export const sessionCookie = 'sotp_session';

/**
 * Whether the request is for the API, judged by the route it was matched to: the router decodes the path, so
 * `/%61pi/v1/people` reaches an API route while its raw URL does not start with /api/ — and the API must never
 * accept a session cookie. Unmatched paths (404s) are judged by their decoded path.
 */
export function isApiRequest(request: FastifyRequest): boolean {
  const path = request.routeOptions.url ?? decodedPath(request.url);
  return path === '/api/v1' || path.startsWith('/api/');
}

function decodedPath(url: string): string {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}

export async function session(app: FastifyInstance, options: { services: Services; session: SessionSettings }): Promise<void> {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    if (isApiRequest(request)) {
      const token = bearerToken(request);
      request.actor = token ? await options.services.authentication.actorFromApiToken(token) : null;
      return;
    }
    const token = request.cookies[sessionCookie];
    request.actor = token ? await options.services.authentication.actorFromSession(token, options.session) : null;
  });
}
