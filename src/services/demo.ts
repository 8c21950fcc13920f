// Demo data for trying sotp out: two prisons and one user per role. Never in production.
import { count } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { sites, users } from '../db/schema.js';
import type { Role } from '../domain/roles.js';
import { systemActor, type Actor } from './access.js';
import { createSite, listSites } from './sites.js';
import { createUser } from './users.js';

export const demoSites = [
  { code: 'NGT', name: 'HMP Northgate' },
  { code: 'SMR', name: 'HMP Southmoor' },
] as const;

export const demoUsers: Array<{ username: string; displayName: string; role: Role; sites: string[] }> = [
  { username: 'admin', displayName: 'Ada Administrator', role: 'administrator', sites: [] },
  { username: 'manager', displayName: 'Morgan Manager', role: 'treatment_manager', sites: ['NGT'] },
  { username: 'manager2', displayName: 'Sam Southmoor', role: 'treatment_manager', sites: ['SMR'] },
  { username: 'assessor', displayName: 'Alex Assessor', role: 'assessor', sites: ['NGT', 'SMR'] },
  { username: 'facilitator', displayName: 'Frankie Facilitator', role: 'facilitator', sites: ['NGT'] },
  { username: 'facilitator2', displayName: 'Jo Facilitator', role: 'facilitator', sites: ['SMR'] },
  { username: 'auditor', displayName: 'Audrey Auditor', role: 'auditor', sites: [] },
  { username: 'researcher', displayName: 'Rene Researcher', role: 'researcher', sites: [] },
];

export class DemoRefused extends Error {}

export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return row.n === 0;
}

/** Adds whatever demo sites and users are missing; existing ones are left as they are. */
export async function seedDemo(db: Db, options: { password: string; production: boolean; actor?: Actor }): Promise<{ created: string[] }> {
  if (options.production) throw new DemoRefused('demo data is refused when NODE_ENV=production');
  const actor = options.actor ?? systemActor;
  const created: string[] = [];
  const existingSites = new Set((await db.select({ code: sites.code }).from(sites)).map((s) => s.code));
  for (const site of demoSites) {
    if (existingSites.has(site.code)) continue;
    await createSite(db, actor, site);
    created.push(site.name);
  }
  const siteIds = new Map((await listSites(db, actor)).map((s) => [s.code, s.id]));
  const existingUsers = new Set((await db.select({ username: users.username }).from(users)).map((u) => u.username));
  for (const user of demoUsers) {
    if (existingUsers.has(user.username)) continue;
    await createUser(db, actor, {
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      siteIds: user.sites.map((code) => siteIds.get(code)),
      password: options.password,
    });
    created.push(user.username);
  }
  return { created };
}
