// What a site offers the scheduler: its rooms and the days it is closed (lockdowns, inspections …), and the
// planned sessions a closure day now falls on, by group, for re-planning.
// Treatment managers of the site (and administrators) add them; anyone who may see the site may read them.
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { rooms, siteClosures, sites } from '../db/schema.js';
import { isIsoDate } from '../domain/schedule/calendar.js';
import { requireRole, requireSite, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { NotFound, ValidationFailed } from './errors.js';
import { affectedGroups, londonToday, upcomingSessions, type AffectedGroup } from './scheduling.js';
import { validate } from './validate.js';

export interface SiteSetup {
  site: { id: number; code: string; name: string };
  rooms: Array<{ id: number; name: string }>;
  closures: Array<{ id: number; date: string; reason: string }>;
  /** Groups with sessions still to run on a closure day: they need re-planning. */
  affected: AffectedGroup[];
}

/** Sessions still to run at the site that fall on one of its closure days, by group. */
async function closedDaySessions(ex: Executor, siteId: number, today: string): Promise<AffectedGroup[]> {
  return affectedGroups(ex, await upcomingSessions(ex, { siteId }, today), (c) => c.kind === 'closure');
}

export async function getSiteSetup(db: Db, actor: Actor, siteId: number, today = londonToday()): Promise<SiteSetup> {
  requireSite(actor, siteId);
  const [site] = await db.select().from(sites).where(eq(sites.id, siteId));
  if (!site) throw new NotFound('Site');
  const roomRows = await db.select().from(rooms).where(eq(rooms.siteId, siteId)).orderBy(asc(rooms.name));
  const closureRows = await db.select().from(siteClosures).where(eq(siteClosures.siteId, siteId)).orderBy(asc(siteClosures.closureDate));
  return {
    site: { id: site.id, code: site.code, name: site.name },
    rooms: roomRows.map((r) => ({ id: r.id, name: r.name })),
    closures: closureRows.map((c) => ({ id: c.id, date: c.closureDate, reason: c.reason })),
    affected: await closedDaySessions(db, siteId, today),
  };
}

function requireSiteManager(actor: Actor, siteId: number): void {
  requireRole(actor, 'treatment_manager', 'administrator');
  requireSite(actor, siteId);
}

export const roomInput = z.object({
  name: z.string({ error: 'Enter the room’s name' }).trim().min(1, 'Enter the room’s name').max(80, 'Room name must be 80 characters or fewer'),
});

export async function addRoom(db: Db, actor: Actor, siteId: number, input: unknown): Promise<{ id: number }> {
  requireSiteManager(actor, siteId);
  const { name } = validate(roomInput, input);
  return db.transaction(async (tx) => {
    const [site] = await tx.select({ id: sites.id }).from(sites).where(eq(sites.id, siteId));
    if (!site) throw new NotFound('Site');
    const existing = await tx.select().from(rooms).where(eq(rooms.siteId, siteId));
    if (existing.some((r) => r.name.toLowerCase() === name.toLowerCase())) throw ValidationFailed.one('name', `This site already has a room called ${name}`);
    const [row] = await tx.insert(rooms).values({ siteId, name }).returning();
    await appendAudit(tx, actor, { action: 'room.created', subjectType: 'room', subjectId: row.id, siteId });
    return { id: row.id };
  });
}

export const closureInput = z.object({
  date: z
    .string({ error: 'Enter the date the site is closed' })
    .trim()
    .refine((v) => v !== '', 'Enter the date the site is closed')
    .refine((v) => v === '' || isIsoDate(v), 'Date must be a real date in the form YYYY-MM-DD'),
  reason: z.string({ error: 'Enter why the site is closed' }).trim().min(1, 'Enter why the site is closed').max(200, 'Reason must be 200 characters or fewer'),
});

export interface ClosureResult {
  id: number;
  /** Groups with sessions already planned on the day, naming the sessions: they need re-planning. */
  affected: AffectedGroup[];
}

export async function addClosure(db: Db, actor: Actor, siteId: number, input: unknown, today = londonToday()): Promise<ClosureResult> {
  requireSiteManager(actor, siteId);
  const values = validate(closureInput, input);
  return db.transaction(async (tx) => {
    const [existing] = await tx.select().from(siteClosures).where(and(eq(siteClosures.siteId, siteId), eq(siteClosures.closureDate, values.date)));
    if (existing) throw ValidationFailed.one('date', `The site is already closed on ${values.date}`);
    const [row] = await tx.insert(siteClosures).values({ siteId, closureDate: values.date, reason: values.reason }).returning();
    const affected = (await closedDaySessions(tx, siteId, today))
      .map((g) => ({ ...g, sessions: g.sessions.filter((s) => s.date === values.date) }))
      .filter((g) => g.sessions.length > 0);
    const clashes = affected.reduce((n, g) => n + g.sessions.length, 0);
    await appendAudit(tx, actor, { action: 'site_closure.created', subjectType: 'site_closure', subjectId: row.id, siteId, details: { clashes } });
    return { id: row.id, affected };
  });
}
