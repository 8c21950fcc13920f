// Server-rendered pages: Nunjucks with GOV.UK Frontend's templates. `reply.render` adds what every
// page needs (who is signed in, the CSRF token, the CSP nonce, the navigation for their role).
import view from '@fastify/view';
import type { FastifyInstance, FastifyReply } from 'fastify';
import nunjucks from 'nunjucks';
import { roleLabels } from '../../domain/roles.js';
import type { Actor } from '../../services/access.js';
import { navigationFor } from '../navigation.js';
import { addFilters, templateRoots } from '../templates.js';
import { csrfTokenFor } from './csrf.js';

declare module 'fastify' {
  interface FastifyReply {
    render(template: string, data?: Record<string, unknown>): FastifyReply;
  }
}

function pageLocals(reply: FastifyReply, actor: Actor | null): Record<string, unknown> {
  return {
    actor,
    actorRoleLabel: actor ? roleLabels[actor.role] : undefined,
    actorSiteNames: actor?.siteNames?.join(', '),
    navigation: navigationFor(actor, reply.request.url),
    csrfToken: csrfTokenFor(reply),
    cspNonce: reply.cspNonce?.script,
  };
}

export async function views(app: FastifyInstance, options: { production: boolean }): Promise<void> {
  await app.register(view, {
    engine: { nunjucks },
    templates: templateRoots,
    options: {
      autoescape: true,
      noCache: !options.production,
      onConfigure: addFilters,
    },
  });
  app.decorateReply('render', function render(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    this.type('text/html; charset=utf-8');
    return this.view(template, { ...pageLocals(this, this.request.actor), ...data });
  });
}
