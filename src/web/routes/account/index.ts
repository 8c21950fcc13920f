// The signed-in user's own account: change the password (other sessions end) and sign out everywhere.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { signedIn } from '../../../http/access.js';
import { ValidationFailed } from '../../../services/errors.js';
import { sessionCookie } from '../../plugins/session.js';
import { errorView } from '../../forms.js';

function render(reply: FastifyReply, extra: Record<string, unknown> = {}) {
  return reply.render('account/account.njk', { pageTitle: 'Your account', errors: {}, ...extra });
}

export async function accountRoutes(app: FastifyInstance, { services }: RouteContext): Promise<void> {
  app.get('/account', { config: signedIn }, async (request, reply) => {
    const { changed } = request.query as { changed?: string };
    return render(reply, { changed: changed !== undefined ? Number(changed) || 0 : undefined });
  });

  app.post('/account/password', { config: signedIn }, async (request, reply) => {
    try {
      const { sessionsEnded } = await services.authentication.changePassword(request.actor!, request.body ?? {}, request.cookies[sessionCookie] ?? '');
      return reply.redirect(`/account?changed=${sessionsEnded}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return render(reply.status(400), { pageTitle: 'Error: Your account', ...errorView(error) });
    }
  });

  app.post('/account/sign-out-everywhere', { config: signedIn }, async (request, reply) => {
    await services.authentication.signOutEverywhere(request.actor!);
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.redirect('/sign-in', 303);
  });
}
