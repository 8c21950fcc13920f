// CSRF protection for every form: a POST without this visitor's token is refused with 403.
// The API is exempt because it authenticates with bearer tokens, never cookies.
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import { isApiRequest } from './session.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function cookies(app: FastifyInstance, options: { secret: string }): Promise<void> {
  await app.register(cookie, { secret: options.secret });
}

export async function csrfProtection(app: FastifyInstance, options: { secure: boolean }): Promise<void> {
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'sotp_csrf',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/', secure: options.secure },
  });
  app.addHook('preHandler', (request, reply, done) => {
    if (safeMethods.has(request.method) || isApiRequest(request) || request.is404) return done();
    app.csrfProtection(request, reply, done);
  });
}
