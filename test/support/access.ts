// Callers for tests that walk the route table: one signed-in browser and one API token per role (demo users),
// and what a route's declared access lets a role do.
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import { permission } from '../../src/domain/permissions.js';
import type { Role } from '../../src/domain/roles.js';
import type { RouteAccess } from '../../src/http/access.js';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import type { TestApp, TestClient } from './web.js';

/** A demo user of each role (the treatment manager, facilitator and assessor work at NGT). */
export const demoUserOf: Record<Role, string> = {
  administrator: 'admin',
  treatment_manager: 'manager',
  assessor: 'assessor',
  facilitator: 'facilitator',
  auditor: 'auditor',
  researcher: 'researcher',
};

export interface Caller {
  username: string;
  client: TestClient;
  token: string;
}

/** Signs each user in (a browser with a fresh form token) and makes each an API token. */
export async function callersFor(t: TestApp, usernames: Iterable<string>): Promise<Map<string, Caller>> {
  const callers = new Map<string, Caller>();
  for (const username of usernames) {
    const client = t.client();
    await client.signIn(username);
    await client.get('/');
    const [u] = await t.database.db.select({ id: users.id }).from(users).where(eq(users.username, username));
    callers.set(username, { username, client, token: await createApiToken(t.database.db, systemActor, u.id, 'test') });
  }
  return callers;
}

/** A role the route lets in (the first the permissions table names), or a treatment manager for signed-in routes. */
export function aRoleAllowedBy(access: unknown): Role {
  const declared = access as RouteAccess | undefined;
  if (declared && typeof declared === 'object') return permission(declared.action).roles[0];
  return 'treatment_manager';
}
