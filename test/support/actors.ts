// Actors for service tests: the demo users as the services see them (role and sites from the database).
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/connection.js';
import { sites, userSites, users } from '../../src/db/schema.js';
import type { Role } from '../../src/domain/roles.js';
import type { Actor } from '../../src/services/access.js';

export async function actorOf(db: Db, username: string): Promise<Actor> {
  const [user] = await db.select().from(users).where(eq(users.username, username));
  if (!user) throw new Error(`no demo user ${username}`);
  const siteRows = await db.select({ id: userSites.siteId }).from(userSites).where(eq(userSites.userId, user.id));
  return { userId: user.id, username: user.username, role: user.role as Role, siteIds: siteRows.map((s) => s.id) };
}

export async function siteIdOf(db: Db, code: string): Promise<number> {
  const [site] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, code));
  if (!site) throw new Error(`no demo site ${code}`);
  return site.id;
}
