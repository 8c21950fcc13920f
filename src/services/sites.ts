// Sites (prisons): listed for anyone signed in (only the ones they may see), created by administrators.
import { asc, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/connection.js';
import { sites } from '../db/schema.js';
import { authorise, visibleSites, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { ValidationFailed } from './errors.js';
import { validate } from './validate.js';

export type Site = typeof sites.$inferSelect;

export async function listSites(db: Db, actor: Actor): Promise<Site[]> {
  const scope = visibleSites(actor);
  if (scope === 'all') return db.select().from(sites).orderBy(asc(sites.name));
  if (scope.length === 0) return [];
  return db
    .select()
    .from(sites)
    .where(inArray(sites.id, [...scope]))
    .orderBy(asc(sites.name));
}

export const newSiteInput = z.object({
  code: z
    .string({ error: 'Enter a site code' })
    .trim()
    .transform((s) => s.toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{3}$/, 'Site code must be 3 letters, like NGT')),
  name: z.string({ error: 'Enter a site name' }).trim().min(1, 'Enter a site name').max(120, 'Site name must be 120 characters or fewer'),
});

export async function createSite(db: Db, actor: Actor, input: unknown): Promise<Site> {
  authorise(actor, 'site.manage');
  const values = validate(newSiteInput, input);
  return db.transaction(async (tx) => {
    const existing = await tx.select({ code: sites.code, name: sites.name }).from(sites);
    if (existing.some((s) => s.code === values.code)) throw ValidationFailed.one('code', `A site with code ${values.code} already exists`);
    if (existing.some((s) => s.name.toLowerCase() === values.name.toLowerCase())) {
      throw ValidationFailed.one('name', `A site called ${values.name} already exists`);
    }
    const [site] = await tx.insert(sites).values(values).returning();
    await appendAudit(tx, actor, { action: 'site.created', subjectType: 'site', subjectId: site.id, siteId: site.id });
    return site;
  });
}
