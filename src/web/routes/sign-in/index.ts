// Sign-in and sign-out pages.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { publicRoute, signedIn } from '../../../http/access.js';
import { ValidationFailed } from '../../../services/errors.js';
import { sessionCookie } from '../../plugins/session.js';
import { csrfCookie } from '../../plugins/csrf.js';
import { errorView } from '../../forms.js';

// One leading slash not followed by another slash or a backslash, then printable ASCII other than the
// backslash: browsers drop tabs and newlines from URLs and read `\` as `/`, so `/\t/evil.example` or
// `/\\evil.example` would leave the site, and a control or non-ASCII character cannot go in a Location header.
// Paths sotp itself sends here are percent-encoded, so they always fit.
const localPath = /^\/(?![/\\])[\x21-\x5B\x5D-\x7E]*$/;

/** Only local paths: an open redirect after sign-in would help phishing. Anything else returns home. */
function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && localPath.test(value) && !value.startsWith('/sign-') ? value : '/';
}

/** "45 seconds", "1 minute", "12 minutes": how long to wait, in words. */
function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export async function signInRoutes(app: FastifyInstance, { services, config }: RouteContext): Promise<void> {
  app.get('/sign-in', { config: publicRoute }, async (request, reply) => {
    if (request.actor) return reply.redirect('/', 303);
    const { returnTo } = request.query as { returnTo?: string };
    return reply.render('sign-in/sign-in.njk', { pageTitle: 'Sign in', returnTo: safeReturnTo(returnTo), values: {} });
  });

  app.post('/sign-in', { config: publicRoute }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const returnTo = safeReturnTo(body.returnTo);
    const values = { username: typeof body.username === 'string' ? body.username : '' };
    try {
      const result = await services.authentication.signIn(body, request.ip, config.session, config.signIn);
      if (result.outcome === 'too_many_attempts') {
        return reply.status(429).render('sign-in/too-many-attempts.njk', { pageTitle: 'Too many sign-in attempts', wait: waitText(result.retryAfterSeconds) });
      }
      if (result.outcome === 'invalid') {
        const failure = ValidationFailed.one('username', 'Enter a correct user name and password');
        return reply.status(400).render('sign-in/sign-in.njk', { pageTitle: 'Sign in', returnTo, values, ...errorView(failure) });
      }
      reply.setCookie(sessionCookie, result.sessionToken, {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        path: '/',
      });
      // A new session gets a new CSRF secret: nothing issued before sign-in carries over.
      reply.clearCookie(csrfCookie, { path: '/' });
      return reply.redirect(returnTo, 303);
    } catch (error) {
      if (error instanceof ValidationFailed) {
        return reply.status(400).render('sign-in/sign-in.njk', { pageTitle: 'Sign in', returnTo, values, ...errorView(error) });
      }
      throw error;
    }
  });

  app.post('/sign-out', { config: signedIn }, async (request, reply) => {
    const token = request.cookies[sessionCookie];
    if (token) await services.authentication.signOut(token);
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.redirect('/sign-in', 303);
  });
}
