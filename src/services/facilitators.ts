// Facilitators' availability as the scheduler sees it: per-day and per-week limits, unavailable days (added a
// range at a time), how their accreditations stand, and the secret link of each facilitator's calendar feed.
// Facilitators edit their own unavailable dates; treatment managers of their sites edit everything.
import { randomBytes } from 'node:crypto';
import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { facilitatorProfiles, facilitatorUnavailability, staffMembers, userSites, users } from '../db/schema.js';
import { dayNumber, isIsoDate, isoDate } from '../domain/schedule/calendar.js';
import type { Action } from '../domain/permissions.js';
import { authorise, mayActOnStaff, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from './errors.js';
import { affectedGroups, facilitatorLimits, londonToday, upcomingSessions, type AffectedGroup } from './scheduling.js';
import { standingAccreditations, type StandingAccreditation } from './staff/accreditation.js';
import { validate } from './validate.js';

export interface FacilitatorAvailability {
  userId: number;
  displayName: string;
  siteIds: number[];
  maxSessionsPerDay: number;
  maxSessionsPerWeek: number;
  /** 0 while the defaults apply (no profile saved yet). */
  version: number;
  accreditations: StandingAccreditation[];
  unavailable: Array<{ id: number; date: string; reason: string }>;
  /** Their record in the facilitator pipeline (selection and training), when there is one. */
  staffMemberId: number | null;
  /** Groups with sessions still to run on the facilitator's unavailable days: they need re-planning. */
  affected: AffectedGroup[];
  /** What the actor may change. */
  canEditLimits: boolean;
  canEditUnavailability: boolean;
}

export interface FacilitatorUser {
  id: number;
  displayName: string;
  siteIds: number[];
}

/** A facilitator's account and the sites they work at; not found unless the user is a facilitator. */
export async function loadFacilitator(ex: Executor, userId: number): Promise<FacilitatorUser> {
  const [user] = await ex
    .select()
    .from(users)
    .where(and(eq(users.id, userId), eq(users.role, 'facilitator')));
  if (!user) throw new NotFound('Facilitator');
  const siteRows = await ex.select().from(userSites).where(eq(userSites.userId, userId));
  return { id: user.id, displayName: user.displayName, siteIds: siteRows.map((s) => s.siteId).sort((a, b) => a - b) };
}

function mayActOn(actor: Actor, action: Action, f: FacilitatorUser): boolean {
  return mayActOnStaff(actor, action, { userId: f.id, siteIds: f.siteIds });
}

function requirePermitted(actor: Actor, action: Action, f: FacilitatorUser, refusal?: string): void {
  if (!mayActOn(actor, action, f)) throw new AccessDenied(refusal);
}

const managersOnly = 'Only a treatment manager of this facilitator’s site can change this';

export async function getFacilitatorAvailability(db: Db, actor: Actor, userId: number, today = londonToday()): Promise<FacilitatorAvailability> {
  return db.transaction(async (tx) => {
    const f = await loadFacilitator(tx, userId);
    requirePermitted(actor, 'facilitator.read', f);
    const limits = (await facilitatorLimits(tx, [userId])).get(userId)!;
    const away = await tx
      .select()
      .from(facilitatorUnavailability)
      .where(eq(facilitatorUnavailability.userId, userId))
      .orderBy(asc(facilitatorUnavailability.unavailableOn));
    await appendAudit(tx, actor, { action: 'facilitator.availability_viewed', subjectType: 'user', subjectId: userId });
    return {
      userId,
      displayName: f.displayName,
      siteIds: f.siteIds,
      ...limits,
      accreditations: await standingAccreditations(tx, [userId], today),
      staffMemberId: (await tx.select({ id: staffMembers.id }).from(staffMembers).where(eq(staffMembers.userId, userId)))[0]?.id ?? null,
      unavailable: away.map((u) => ({ id: u.id, date: u.unavailableOn, reason: u.reason })),
      affected: await unavailableSessions(tx, userId, today),
      canEditLimits: mayActOn(actor, 'facilitator.profile.change', f),
      canEditUnavailability: mayActOn(actor, 'facilitator.availability.change', f),
    };
  });
}

export interface FacilitatorSummary {
  userId: number;
  displayName: string;
  maxSessionsPerDay: number;
  maxSessionsPerWeek: number;
  accreditedFor: string[];
}

/** The facilitators working at a site, for team choice and the availability list. */
export async function listSiteFacilitators(db: Db, actor: Actor, siteId: number, today = londonToday()): Promise<FacilitatorSummary[]> {
  authorise(actor, 'facilitator.list', siteId);
  return siteFacilitators(db, siteId, today);
}

export async function siteFacilitators(ex: Executor, siteId: number, today = londonToday()): Promise<FacilitatorSummary[]> {
  const rows = await ex
    .select({ id: users.id, displayName: users.displayName })
    .from(users)
    .innerJoin(userSites, eq(userSites.userId, users.id))
    .where(and(eq(userSites.siteId, siteId), eq(users.role, 'facilitator'), eq(users.disabled, false)))
    .orderBy(asc(users.displayName));
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return [];
  const limits = await facilitatorLimits(ex, ids);
  const accreditations = await standingAccreditations(ex, ids, today);
  return rows.map((r) => {
    const { maxSessionsPerDay, maxSessionsPerWeek } = limits.get(r.id)!;
    return {
      userId: r.id,
      displayName: r.displayName,
      maxSessionsPerDay,
      maxSessionsPerWeek,
      accreditedFor: accreditations.filter((a) => a.userId === r.id && a.accreditedOn <= today && a.deliversUntil >= today).map((a) => a.programmeId),
    };
  });
}

const version = z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().min(0);
const isoDay = (what: string) =>
  z
    .string({ error: `Enter ${what}` })
    .trim()
    .refine((v) => v !== '', `Enter ${what}`)
    .refine((v) => v === '' || isIsoDate(v), `${what[0].toUpperCase()}${what.slice(1)} must be a real date in the form YYYY-MM-DD`);

export const limitsInput = z.object({
  maxSessionsPerDay: z.coerce
    .number({ error: 'Enter the most sessions a day as a whole number' })
    .int('Enter the most sessions a day as a whole number')
    .min(1, 'Most sessions a day must be at least 1')
    .max(4, 'Most sessions a day must be 4 or fewer'),
  maxSessionsPerWeek: z.coerce
    .number({ error: 'Enter the most sessions a week as a whole number' })
    .int('Enter the most sessions a week as a whole number')
    .min(1, 'Most sessions a week must be at least 1')
    .max(20, 'Most sessions a week must be 20 or fewer'),
  version,
});

export async function setFacilitatorLimits(db: Db, actor: Actor, userId: number, input: unknown): Promise<void> {
  const values = validate(limitsInput, input);
  if (values.maxSessionsPerWeek < values.maxSessionsPerDay) {
    throw ValidationFailed.one('maxSessionsPerWeek', 'Most sessions a week must be at least the most sessions a day');
  }
  await db.transaction(async (tx) => {
    const f = await loadFacilitator(tx, userId);
    requirePermitted(actor, 'facilitator.profile.change', f, managersOnly);
    const [profile] = await tx.select().from(facilitatorProfiles).where(eq(facilitatorProfiles.userId, userId));
    if (!profile) {
      if (values.version !== 0) throw new EditConflict('This facilitator’s limits');
      await tx.insert(facilitatorProfiles).values({ userId, maxSessionsPerDay: values.maxSessionsPerDay, maxSessionsPerWeek: values.maxSessionsPerWeek });
    } else {
      const [row] = await tx
        .update(facilitatorProfiles)
        .set({
          maxSessionsPerDay: values.maxSessionsPerDay,
          maxSessionsPerWeek: values.maxSessionsPerWeek,
          version: profile.version + 1,
          updatedAt: new Date(),
        })
        .where(and(eq(facilitatorProfiles.userId, userId), eq(facilitatorProfiles.version, values.version)))
        .returning();
      if (!row) throw new EditConflict('This facilitator’s limits');
    }
    await appendAudit(tx, actor, {
      action: 'facilitator.limits_set',
      subjectType: 'user',
      subjectId: userId,
      details: { maxSessionsPerDay: values.maxSessionsPerDay, maxSessionsPerWeek: values.maxSessionsPerWeek },
    });
  });
}

/** The longest run of days recorded at once: a year, so a slip of the year cannot fill the calendar. */
export const maxUnavailableDays = 366;

export const unavailableInput = z
  .object({
    from: isoDay('the first day'),
    // Blank: the first day only.
    to: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z
        .string()
        .trim()
        .refine((v) => isIsoDate(v), 'The last day must be a real date in the form YYYY-MM-DD')
        .optional(),
    ),
    reason: z.string().trim().max(200, 'Reason must be 200 characters or fewer').optional().default(''),
  })
  .superRefine((v, ctx) => {
    if (!isIsoDate(v.from) || v.to === undefined || !isIsoDate(v.to)) return;
    if (v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'The last day must be the same as or after the first day' });
    else if (dayNumber(v.to) - dayNumber(v.from) + 1 > maxUnavailableDays) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `Unavailable days must be ${maxUnavailableDays} days or fewer at a time` });
    }
  });

export interface UnavailableResult {
  /** Days recorded (days already recorded are not repeated). */
  added: number;
  /** Groups with sessions still to run that this facilitator is now unavailable for: they need re-planning. */
  affected: AffectedGroup[];
}

/** Sessions still to run that the facilitator is planned into on one of their unavailable days, by group. */
async function unavailableSessions(ex: Executor, userId: number, today: string): Promise<AffectedGroup[]> {
  const sessions = await upcomingSessions(ex, { facilitatorId: userId }, today);
  return affectedGroups(ex, sessions, today, (c) => c.kind === 'unavailable' && c.facilitator === String(userId));
}

/** Records the days from `from` to `to` (both included; stored one row a day) as days the facilitator is unavailable. */
export async function addUnavailableDays(db: Db, actor: Actor, userId: number, input: unknown, today = londonToday()): Promise<UnavailableResult> {
  const values = validate(unavailableInput, input);
  const to = values.to ?? values.from;
  const days = Array.from({ length: dayNumber(to) - dayNumber(values.from) + 1 }, (_, i) => isoDate(dayNumber(values.from) + i));
  return db.transaction(async (tx) => {
    const f = await loadFacilitator(tx, userId);
    requirePermitted(actor, 'facilitator.availability.change', f, managersOnly);
    const existing = new Set(
      (
        await tx
          .select({ day: facilitatorUnavailability.unavailableOn })
          .from(facilitatorUnavailability)
          .where(
            and(
              eq(facilitatorUnavailability.userId, userId),
              gte(facilitatorUnavailability.unavailableOn, values.from),
              lte(facilitatorUnavailability.unavailableOn, to),
            ),
          )
      ).map((r) => r.day),
    );
    const fresh = days.filter((d) => !existing.has(d));
    if (fresh.length === 0) {
      throw ValidationFailed.one(
        'from',
        days.length === 1 ? `${values.from} is already recorded as unavailable` : `Every day from ${values.from} to ${to} is already recorded as unavailable`,
      );
    }
    await tx.insert(facilitatorUnavailability).values(fresh.map((day) => ({ userId, unavailableOn: day, reason: values.reason })));
    const newDays = new Set(fresh);
    const affected = (await unavailableSessions(tx, userId, today))
      .map((g) => ({ ...g, sessions: g.sessions.filter((s) => newDays.has(s.date)) }))
      .filter((g) => g.sessions.length > 0);
    await appendAudit(tx, actor, {
      action: 'facilitator.unavailable_added',
      subjectType: 'user',
      subjectId: userId,
      details: { from: values.from, to, days: fresh.length, clashes: affected.reduce((n, g) => n + g.sessions.length, 0) },
    });
    return { added: fresh.length, affected };
  });
}

export async function removeUnavailableDate(db: Db, actor: Actor, userId: number, unavailabilityId: number): Promise<void> {
  await db.transaction(async (tx) => {
    const f = await loadFacilitator(tx, userId);
    requirePermitted(actor, 'facilitator.availability.change', f, managersOnly);
    const deleted = await tx
      .delete(facilitatorUnavailability)
      .where(and(eq(facilitatorUnavailability.id, unavailabilityId), eq(facilitatorUnavailability.userId, userId)))
      .returning();
    if (deleted.length === 0) throw new NotFound('Unavailable date');
    await appendAudit(tx, actor, { action: 'facilitator.unavailable_removed', subjectType: 'user', subjectId: userId, details: { unavailabilityId } });
  });
}

/** The facilitator's own calendar feed secret, made on first use. Only the facilitator sees it. */
export async function calendarSecret(db: Db, actor: Actor, options: { renew?: boolean } = {}): Promise<string> {
  authorise(actor, 'calendar_link.create');
  const userId = actor.userId;
  if (userId === null) throw new AccessDenied();
  return db.transaction(async (tx) => {
    const [profile] = await tx.select().from(facilitatorProfiles).where(eq(facilitatorProfiles.userId, userId));
    if (profile?.icalSecret && !options.renew) return profile.icalSecret;
    const secret = randomBytes(32).toString('hex');
    if (profile) {
      await tx
        .update(facilitatorProfiles)
        .set({ icalSecret: secret, version: profile.version + 1, updatedAt: new Date() })
        .where(eq(facilitatorProfiles.userId, userId));
    } else {
      await tx.insert(facilitatorProfiles).values({ userId, icalSecret: secret });
    }
    await appendAudit(tx, actor, {
      action: options.renew ? 'facilitator.calendar_link_renewed' : 'facilitator.calendar_link_created',
      subjectType: 'user',
      subjectId: userId,
    });
    return secret;
  });
}

/** The active facilitator whose feed secret this is, or undefined. */
export async function facilitatorBySecret(ex: Executor, secret: string): Promise<number | undefined> {
  if (!/^[0-9a-f]{64}$/.test(secret)) return undefined;
  const [row] = await ex
    .select({ userId: facilitatorProfiles.userId })
    .from(facilitatorProfiles)
    .innerJoin(users, eq(users.id, facilitatorProfiles.userId))
    .where(and(eq(facilitatorProfiles.icalSecret, secret), eq(users.disabled, false), eq(users.role, 'facilitator')));
  return row?.userId;
}
