// CSRF protection for every form: a POST without this visitor's token is refused with 403.
// Tokens are bound to the server session they were issued in (a token from a signed-out page, or from
// another session, does not work once signed in), and the secret is replaced at sign-in.
// The API is exempt because it authenticates with bearer tokens, never cookies.
import { createHash } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isApiRequest, sessionCookie } from './session.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function cookies(app: FastifyInstance, options: { secret: string }): Promise<void> {
  await app.register(cookie, { secret: options.secret });
}

export const csrfCookie = 'sotp_csrf';

/** What a token is bound to: the digest of the signed-in session's cookie, or "signed out". */
function sessionBinding(request: FastifyRequest): string {
  const token = request.cookies[sessionCookie];
  return request.actor && token ? createHash('sha256').update(token).digest('hex') : 'signed-out';
}

/** A CSRF token for this page, bound to the caller's session. */
export function csrfTokenFor(reply: FastifyReply): string {
  return reply.generateCsrf({ userInfo: sessionBinding(reply.request) } as Parameters<FastifyReply['generateCsrf']>[0]);
}

export async function csrfProtection(app: FastifyInstance, options: { secure: boolean; hmacKey: string }): Promise<void> {
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: csrfCookie,
    getUserInfo: sessionBinding,
    csrfOpts: { hmacKey: options.hmacKey },
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure: options.secure },
  });
  app.addHook('preHandler', (request, reply, done) => {
    if (safeMethods.has(request.method) || isApiRequest(request) || request.is404) return done();
    app.csrfProtection(request, reply, done);
  });
}
