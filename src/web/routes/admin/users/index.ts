// Administrators' user pages: list, create, view, disable and re-enable, and each user's API tokens. These work
// while the server runs, which the command line cannot do on an embedded database.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Actor } from '../../../../services/access.js';
import type { RouteContext } from '../../../../http/context.js';
import { permits } from '../../../../http/access.js';
import { roleLabels, roles, nationalRoles } from '../../../../domain/roles.js';
import { ValidationFailed } from '../../../../services/errors.js';
import { errorView } from '../../../forms.js';
import { idParam } from '../../../params.js';

const userManagers = permits('user.manage');
const tokenManagers = permits('api_token.manage');

export async function userAdminRoutes(app: FastifyInstance, { services }: RouteContext): Promise<void> {
  const siteNames = async (actor: Actor) => new Map((await services.sites.listSites(actor)).map((s) => [s.id, s.name]));

  const renderForm = async (reply: FastifyReply, values: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const sites = await services.sites.listSites(reply.request.actor!);
    const chosen = new Set([values.siteIds ?? []].flat().map(String));
    return reply.render('admin/users/new.njk', {
      pageTitle: 'Create a user',
      values,
      roleItems: roles.map((r) => ({
        value: r,
        text: roleLabels[r],
        checked: values.role === r,
        hint: nationalRoles.has(r) ? { text: 'Sees every site' } : undefined,
      })),
      siteItems: sites.map((s) => ({ value: String(s.id), text: s.name, checked: chosen.has(String(s.id)) })),
      ...extra,
    });
  };

  app.get('/admin/users', { config: userManagers }, async (request, reply) => {
    const actor = request.actor!;
    const [users, names] = await Promise.all([services.users.listUsers(actor), siteNames(actor)]);
    return reply.render('admin/users/list.njk', {
      pageTitle: 'Users',
      users: users.map((u) => ({ ...u, roleLabel: roleLabels[u.role], sites: u.siteIds.map((id) => names.get(id)).join(', ') || 'All sites' })),
    });
  });

  app.get('/admin/users/new', { config: userManagers }, async (_request, reply) => renderForm(reply, {}));

  app.post('/admin/users', { config: userManagers }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      const user = await services.users.createUser(request.actor!, body);
      return reply.redirect(`/admin/users/${user.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const { password: _omit, ...values } = body;
      return renderForm(reply.status(400), values, errorView(error));
    }
  });

  const renderUser = async (reply: FastifyReply, userId: number, extra: Record<string, unknown> = {}) => {
    const actor = reply.request.actor!;
    const [user, names, tokens] = await Promise.all([
      services.users.getUser(actor, userId),
      siteNames(actor),
      services.authentication.listApiTokens(actor, userId),
    ]);
    return reply.render('admin/users/show.njk', {
      pageTitle: user.displayName,
      user: { ...user, roleLabel: roleLabels[user.role], sites: user.siteIds.map((id) => names.get(id)).join(', ') || 'All sites' },
      isSelf: user.id === actor.userId,
      tokens,
      newToken: reply.takeOutcome<{ token: string; label: string }>(),
      values: {},
      errors: {},
      ...extra,
    });
  };

  app.get('/admin/users/:id', { config: userManagers }, async (request, reply) => renderUser(reply, idParam(request.params, 'id', 'User')));

  app.post('/admin/users/:id/tokens', { config: tokenManagers }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'User');
    const { label } = (request.body ?? {}) as { label?: unknown };
    try {
      const token = await services.authentication.createApiToken(request.actor!, id, typeof label === 'string' ? label : '');
      // Shown once, on the page the redirect leads to: only its digest is stored.
      return reply.redirectWithOutcome(`/admin/users/${id}`, { token, label });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      return renderUser(reply.status(400), id, { values: { label }, ...errorView(error, { prefix: 'token-' }) });
    }
  });

  app.post('/admin/users/:id/tokens/:tokenId/revoke', { config: tokenManagers }, async (request, reply) => {
    const id = idParam(request.params, 'id', 'User');
    await services.authentication.revokeApiToken(request.actor!, id, idParam(request.params, 'tokenId', 'Token'));
    return reply.redirect(`/admin/users/${id}#api-tokens`, 303);
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(`/admin/users/:id/${action}`, { config: userManagers }, async (request, reply) => {
      const id = idParam(request.params, 'id', 'User');
      await services.users.setUserDisabled(request.actor!, id, disabled, request.body ?? {});
      return reply.redirect(`/admin/users/${id}`, 303);
    });
  }
}
