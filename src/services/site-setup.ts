// What a site offers the scheduler: its rooms, its weekly session slots and the days it is closed (lockdowns,
// inspections …), and the planned sessions a closure day now falls on, by group, for re-planning.
// Treatment managers of the site (and administrators) set them; anyone who may see the site may read them.
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { groupSessions, groupSlots, programmeGroups, programmeVersions, rooms, siteClosures, siteSlots, sites } from '../db/schema.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { isIsoDate, minutesOfTime, weekdayNames, type WeekdayName } from '../domain/schedule/calendar.js';
import { groupStillMeets, newSiteSlotRefusal, slotKey, slotTitle, sortSlots } from '../domain/schedule/slots.js';
import type { Slot } from '../domain/schedule/solver.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { EditConflict, NotFound, ValidationFailed } from './errors.js';
import { affectedGroups, lockTimetables, londonToday, upcomingSessions, type AffectedGroup } from './scheduling.js';
import { validate } from './validate.js';

export interface SiteSlot extends Slot {
  id: number;
  version: number;
  /** Names of the site's groups that still meet in this slot: it cannot be removed while any do. */
  groups: string[];
}

export interface SiteSetup {
  site: { id: number; code: string; name: string };
  rooms: Array<{ id: number; name: string }>;
  slots: SiteSlot[];
  closures: Array<{ id: number; date: string; reason: string }>;
  /** Groups with sessions still to run on a closure day: they need re-planning. */
  affected: AffectedGroup[];
}

/** The weekly session slots the site offers, in week order. No access check: callers have made theirs. */
export async function slotsOfSite(ex: Executor, siteId: number): Promise<Array<Slot & { id: number; version: number }>> {
  const rows = await ex.select().from(siteSlots).where(eq(siteSlots.siteId, siteId));
  return sortSlots(rows.map((r) => ({ id: r.id, version: r.version, weekday: r.weekday as WeekdayName, start: r.startTime })));
}

/** The site's groups that still meet (see groupStillMeets), by the slots they meet in ('mon 09:00' → group names). */
async function groupsBySlot(ex: Executor, siteId: number, today: string): Promise<Map<string, string[]>> {
  const rows = await ex
    .select({
      groupId: programmeGroups.id,
      status: programmeGroups.status,
      weekday: groupSlots.weekday,
      start: groupSlots.startTime,
      name: programmeGroups.name,
    })
    .from(groupSlots)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSlots.groupId))
    .where(eq(programmeGroups.siteId, siteId))
    .orderBy(asc(programmeGroups.name));
  const groupIds = [...new Set(rows.map((r) => r.groupId))];
  const lastDates = new Map<number, string>();
  if (groupIds.length) {
    const live = await ex
      .select({ groupId: groupSessions.groupId, date: groupSessions.sessionDate })
      .from(groupSessions)
      .where(and(inArray(groupSessions.groupId, groupIds), ne(groupSessions.status, 'cancelled')));
    for (const s of live) if (s.date > (lastDates.get(s.groupId) ?? '')) lastDates.set(s.groupId, s.date);
  }
  const map = new Map<string, string[]>();
  for (const r of rows) {
    if (!groupStillMeets(r.status, lastDates.get(r.groupId), today)) continue;
    const key = slotKey({ weekday: r.weekday as WeekdayName, start: r.start });
    map.set(key, [...(map.get(key) ?? []), r.name]);
  }
  return map;
}

/** Sessions still to run at the site that fall on one of its closure days, by group. */
async function closedDaySessions(ex: Executor, siteId: number, today: string): Promise<AffectedGroup[]> {
  return affectedGroups(ex, await upcomingSessions(ex, { siteId }, today), today, (c) => c.kind === 'closure');
}

export async function getSiteSetup(db: Db, actor: Actor, siteId: number, today = londonToday()): Promise<SiteSetup> {
  authorise(actor, 'site.setup.read', siteId);
  const [site] = await db.select().from(sites).where(eq(sites.id, siteId));
  if (!site) throw new NotFound('Site');
  const roomRows = await db.select().from(rooms).where(eq(rooms.siteId, siteId)).orderBy(asc(rooms.name));
  const closureRows = await db.select().from(siteClosures).where(eq(siteClosures.siteId, siteId)).orderBy(asc(siteClosures.closureDate));
  const meeting = await groupsBySlot(db, siteId, today);
  return {
    site: { id: site.id, code: site.code, name: site.name },
    rooms: roomRows.map((r) => ({ id: r.id, name: r.name })),
    slots: (await slotsOfSite(db, siteId)).map((s) => ({ ...s, groups: meeting.get(slotKey(s)) ?? [] })),
    closures: closureRows.map((c) => ({ id: c.id, date: c.closureDate, reason: c.reason })),
    affected: await closedDaySessions(db, siteId, today),
  };
}

function requireSiteManager(actor: Actor, siteId: number): void {
  authorise(actor, 'site.setup.change', siteId);
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
    const [existing] = await tx
      .select()
      .from(siteClosures)
      .where(and(eq(siteClosures.siteId, siteId), eq(siteClosures.closureDate, values.date)));
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

export const siteSlotInput = z.object({
  weekday: z.enum(weekdayNames, { error: 'Choose the day of the week' }),
  start: z
    .string({ error: 'Enter the start time' })
    .trim()
    .refine((v) => v !== '', 'Enter the start time')
    .refine((v) => v === '' || minutesOfTime(v) !== undefined, 'Start time must be a time in the form HH:MM, like 09:00'),
});

/** The longest session of any recorded programme: a slot must fit whichever programme a group there runs. */
async function longestSessionMinutes(ex: Executor): Promise<number> {
  const versions = await ex.select({ definition: programmeVersions.definition }).from(programmeVersions);
  return Math.max(0, ...versions.map((v) => (v.definition as ProgrammeDefinition).sessionMinutes));
}

export async function addSiteSlot(db: Db, actor: Actor, siteId: number, input: unknown): Promise<{ id: number }> {
  requireSiteManager(actor, siteId);
  const slot: Slot = validate(siteSlotInput, input);
  return db.transaction(async (tx) => {
    // Serialised with other slot changes and group creation: two managers adding the same slot get one slot and one refusal.
    await lockTimetables(tx);
    const [site] = await tx.select({ id: sites.id }).from(sites).where(eq(sites.id, siteId));
    if (!site) throw new NotFound('Site');
    const refusal = newSiteSlotRefusal(slot, await slotsOfSite(tx, siteId), await longestSessionMinutes(tx));
    if (refusal) throw ValidationFailed.one(refusal.field, refusal.message);
    const [row] = await tx.insert(siteSlots).values({ siteId, weekday: slot.weekday, startTime: slot.start }).returning();
    await appendAudit(tx, actor, { action: 'site_slot.created', subjectType: 'site_slot', subjectId: row.id, siteId, details: { slot: slotKey(slot) } });
    return { id: row.id };
  });
}

export const removeSiteSlotInput = z.object({
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().positive(),
});

/**
 * Removes a weekly slot the site no longer offers. Refused, naming the groups, while any group of the site meets in
 * it: their timetables were planned in it, so move those groups to other slots (or close them) first.
 */
export async function removeSiteSlot(db: Db, actor: Actor, siteId: number, slotId: number, input: unknown, today = londonToday()): Promise<void> {
  requireSiteManager(actor, siteId);
  const { version } = validate(removeSiteSlotInput, input);
  await db.transaction(async (tx) => {
    // Group creation checks its slots against the site's under the same lock, so a slot cannot go as a group takes it.
    await lockTimetables(tx);
    const [row] = await tx
      .select()
      .from(siteSlots)
      .where(and(eq(siteSlots.id, slotId), eq(siteSlots.siteId, siteId)));
    if (!row) throw new NotFound('Session slot');
    const slot: Slot = { weekday: row.weekday as WeekdayName, start: row.startTime };
    if (row.version !== version) throw new EditConflict(`The ${slotTitle(slot)} session slot`);
    const meeting = (await groupsBySlot(tx, siteId, today)).get(slotKey(slot)) ?? [];
    if (meeting.length > 0) {
      const names = meeting.length === 1 ? meeting[0] : `${meeting.slice(0, -1).join(', ')} and ${meeting.at(-1)}`;
      throw ValidationFailed.one(
        'slotId',
        `${slotTitle(slot)} cannot be removed while ${names} ${meeting.length === 1 ? 'meets' : 'meet'} in it: a slot can be removed once no current or planned group uses it`,
      );
    }
    await tx.delete(siteSlots).where(eq(siteSlots.id, row.id));
    await appendAudit(tx, actor, { action: 'site_slot.removed', subjectType: 'site_slot', subjectId: row.id, siteId, details: { slot: slotKey(slot) } });
  });
}
