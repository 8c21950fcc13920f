// Administrators' user pages: list, create, view, disable and re-enable.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Actor } from '../../../../services/access.js';
import type { AppContext } from '../../../../http/context.js';
import { permits } from '../../../../http/access.js';
import { roleLabels, roles, nationalRoles } from '../../../../domain/roles.js';
import { createUser, getUser, listUsers, setUserDisabled } from '../../../../services/users.js';
import { listSites } from '../../../../services/sites.js';
import { ValidationFailed } from '../../../../services/errors.js';
import { errorView } from '../../../forms.js';
import { idParam } from '../../../params.js';

const userManagers = permits('user.manage');


export async function userAdminRoutes(app: FastifyInstance, { database }: AppContext): Promise<void> {
  const { db } = database;
  const siteNames = async (actor: Actor) =>
    new Map((await listSites(db, actor)).map((s) => [s.id, s.name]));

  const renderForm = async (reply: FastifyReply, values: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const sites = await listSites(db, reply.request.actor!);
    const chosen = new Set([values.siteIds ?? []].flat().map(String));
    return reply.render('admin/users/new.njk', {
      pageTitle: 'Create a user',
      values,
      roleItems: roles.map((r) => ({ value: r, text: roleLabels[r], checked: values.role === r, hint: nationalRoles.has(r) ? { text: 'Sees every site' } : undefined })),
      siteItems: sites.map((s) => ({ value: String(s.id), text: s.name, checked: chosen.has(String(s.id)) })),
      ...extra,
    });
  };

  app.get('/admin/users', { config: userManagers }, async (request, reply) => {
    const actor = request.actor!;
    const [users, names] = await Promise.all([listUsers(db, actor), siteNames(actor)]);
    return reply.render('admin/users/list.njk', {
      pageTitle: 'Users',
      users: users.map((u) => ({ ...u, roleLabel: roleLabels[u.role], sites: u.siteIds.map((id) => names.get(id)).join(', ') || 'All sites' })),
    });
  });

  app.get('/admin/users/new', { config: userManagers }, async (_request, reply) => renderForm(reply, {}));

  app.post('/admin/users', { config: userManagers }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      const user = await createUser(db, request.actor!, body);
      return reply.redirect(`/admin/users/${user.id}`, 303);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      const { password: _omit, ...values } = body;
      return renderForm(reply.status(400), values, errorView(error));
    }
  });

  app.get('/admin/users/:id', { config: userManagers }, async (request, reply) => {
    const actor = request.actor!;
    const [user, names] = await Promise.all([getUser(db, actor, idParam(request.params, 'id', 'User')), siteNames(actor)]);
    return reply.render('admin/users/show.njk', {
      pageTitle: user.displayName,
      user: { ...user, roleLabel: roleLabels[user.role], sites: user.siteIds.map((id) => names.get(id)).join(', ') || 'All sites' },
      isSelf: user.id === actor.userId,
    });
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`/admin/users/:id/${action}`, { config: userManagers }, async (request, reply) => {
      const id = idParam(request.params, 'id', 'User');
      await setUserDisabled(db, request.actor!, id, disabled, request.body ?? {});
      return reply.redirect(`/admin/users/${id}`, 303);
    });
  }
}
