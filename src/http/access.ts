// Every route, page or API, declares who may call it in its config; the authentication plugin enforces it and
// a test walks the route table to prove no route was left undeclared. A guarded route names an action of the
// permissions table, so the route, the service behind it and the navigation agree.
import { can, type Action } from '../domain/permissions.js';
import type { Role } from '../domain/roles.js';
import type { Actor } from '../services/access.js';

export type RouteAccess = 'public' | 'signed_in' | { readonly action: Action };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const publicRoute = { access: 'public' } as const satisfies { access: RouteAccess };
export const signedIn = { access: 'signed_in' } as const satisfies { access: RouteAccess };
export const permits = (action: Action) => ({ access: { action } }) as const satisfies { access: RouteAccess };

/** Whether a signed-in role passes a route's declared access (the service still checks the record's site). */
export function routeAllows(access: RouteAccess, role: Role): boolean {
  if (access === 'public' || access === 'signed_in') return true;
  return can(role, access.action);
}
