// Every route declares who may call it in its config; the authentication plugin enforces it and a
// test walks the route table to prove no route was left undeclared.
import type { Role } from '../domain/roles.js';
import type { Actor } from '../services/access.js';

export type RouteAccess = 'public' | 'signed_in' | readonly Role[];

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
export const forRoles = (...roles: Role[]) => ({ access: roles as readonly Role[] });
