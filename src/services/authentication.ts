// Sign-in, server-side web sessions and API tokens. Only SHA-256 digests of session cookies and
// API tokens are stored, so a copy of the database cannot be used to act as anyone.
import { createHash, randomBytes } from 'node:crypto';
import { and, count, desc, eq, gt, isNull, lt, max, min, ne, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { apiTokens, signInFailures, sites, userSites, users, webSessions } from '../db/schema.js';
import type { Role } from '../domain/roles.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { NotFound, ValidationFailed } from './errors.js';
import { hashPassword, newPassword, passwordMatches, unknownUserHash } from './passwords.js';
import { validate } from './validate.js';

export interface SessionSettings {
  idleMinutes: number;
  absoluteHours: number;
}

export interface SignInLimits {
  maxFailures: number;
  windowMinutes: number;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = (prefix = '') => `${prefix}${randomBytes(32).toString('base64url')}`;

export const signInInput = z.object({
  username: z.string({ error: 'Enter your user name' }).trim().toLowerCase().min(1, 'Enter your user name').max(100, 'Enter your user name'),
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(200, 'Enter your password'),
});

async function actorFor(db: Db, user: { id: number; username: string; role: string }): Promise<Actor> {
  const rows = await db
    .select({ siteId: userSites.siteId, name: sites.name })
    .from(userSites)
    .innerJoin(sites, eq(sites.id, userSites.siteId))
    .where(eq(userSites.userId, user.id))
    .orderBy(sites.name);
  return {
    userId: user.id,
    username: user.username,
    role: user.role as Role,
    siteIds: rows.map((r) => r.siteId),
    siteNames: rows.map((r) => r.name),
  };
}

export type SignInResult =
  { outcome: 'signed_in'; sessionToken: string; actor: Actor } | { outcome: 'invalid' } | { outcome: 'too_many_attempts'; retryAfterSeconds: number };

/** Failures for one user name that cost nothing; each one after them doubles the wait before the next attempt. */
const freeFailuresPerUser = 3;
/** The longest a user name is ever made to wait: long enough to make guessing slow, too short to lock anyone out. */
const longestWaitSeconds = 60;

/** Seconds to wait before the next attempt for a user name after `failures` recent failures, the last at `lastAt`. */
function userNameWait(failures: number, lastAt: Date | null, now: number): number {
  if (failures < freeFailuresPerUser || !lastAt) return 0;
  const wait = Math.min(2 ** (failures - freeFailuresPerUser), longestWaitSeconds);
  return Math.max(0, Math.ceil((lastAt.getTime() + wait * 1000 - now) / 1000));
}

async function refusalFor(db: Db, username: string, address: string, limits: SignInLimits): Promise<number> {
  const now = Date.now();
  const since = new Date(now - limits.windowMinutes * 60_000);
  const [byAddress] = await db
    .select({ n: count(), first: min(signInFailures.failedAt) })
    .from(signInFailures)
    .where(and(eq(signInFailures.address, address), gt(signInFailures.failedAt, since)));
  if (byAddress.n >= limits.maxFailures && byAddress.first) {
    return Math.ceil((byAddress.first.getTime() + limits.windowMinutes * 60_000 - now) / 1000);
  }
  const [byUser] = await db
    .select({ n: count(), last: max(signInFailures.failedAt) })
    .from(signInFailures)
    .where(and(eq(signInFailures.username, username), gt(signInFailures.failedAt, since)));
  return userNameWait(byUser.n, byUser.last, now);
}

/**
 * Failed sign-ins are limited two ways. Per address, a hard limit: reaching it in the window blocks every attempt
 * from there until the window has passed. Per user name, a growing wait (1 s, 2 s, 4 s … at most a minute) before
 * the next attempt, even with the right password — so guessing one user's password is slow, but nobody can lock
 * a user out by failing on purpose.
 */
export async function signIn(db: Db, input: unknown, address: string, session: SessionSettings, limits: SignInLimits): Promise<SignInResult> {
  const { username, password } = validate(signInInput, input);
  const wait = await refusalFor(db, username, address, limits);
  if (wait > 0) return { outcome: 'too_many_attempts', retryAfterSeconds: wait };
  const [user] = await db.select().from(users).where(eq(users.username, username));
  const matches = await passwordMatches(user?.passwordHash ?? unknownUserHash, password);
  if (!user || !matches || user.disabled) {
    await db.insert(signInFailures).values({ username, address });
    return { outcome: 'invalid' };
  }
  const sessionToken = newToken();
  const actor = await actorFor(db, user);
  await db.transaction(async (tx) => {
    await tx.insert(webSessions).values({
      tokenHash: digest(sessionToken),
      userId: user.id,
      expiresAt: new Date(Date.now() + session.absoluteHours * 3_600_000),
    });
    await appendAudit(tx, actor, { action: 'session.signed_in', subjectType: 'user', subjectId: user.id });
  });
  return { outcome: 'signed_in', sessionToken, actor };
}

/** The actor behind a session cookie, or null when it is unknown, expired (idle or absolute) or the user is disabled. */
export async function actorFromSession(db: Db, sessionToken: string, settings: SessionSettings): Promise<Actor | null> {
  const tokenHash = digest(sessionToken);
  const now = Date.now();
  const [row] = await db
    .select({ session: webSessions, user: users })
    .from(webSessions)
    .innerJoin(users, eq(users.id, webSessions.userId))
    .where(eq(webSessions.tokenHash, tokenHash));
  if (!row) return null;
  const idleExpired = row.session.lastSeenAt.getTime() + settings.idleMinutes * 60_000 < now;
  if (idleExpired || row.session.expiresAt.getTime() < now || row.user.disabled) {
    await db.delete(webSessions).where(eq(webSessions.tokenHash, tokenHash));
    return null;
  }
  // Refreshing at most once a minute keeps a busy page from writing on every request.
  if (now - row.session.lastSeenAt.getTime() > 60_000) {
    await db
      .update(webSessions)
      .set({ lastSeenAt: new Date(now) })
      .where(eq(webSessions.tokenHash, tokenHash));
  }
  return actorFor(db, row.user);
}

export async function signOut(db: Db, sessionToken: string): Promise<void> {
  await db.delete(webSessions).where(eq(webSessions.tokenHash, digest(sessionToken)));
}

/** Ends every session of the actor's account except, if given, the one they are using; returns how many ended. */
async function endSessions(tx: Executor, actor: Actor, keepToken?: string): Promise<number> {
  const mine = eq(webSessions.userId, actor.userId!);
  const ended = await tx
    .delete(webSessions)
    .where(keepToken ? and(mine, ne(webSessions.tokenHash, digest(keepToken))) : mine)
    .returning({ tokenHash: webSessions.tokenHash });
  return ended.length;
}

/** "Sign out everywhere": ends every session of the account, this one included (a lost or shared device). */
export async function signOutEverywhere(db: Db, actor: Actor): Promise<number> {
  if (actor.userId === null) throw new NotFound('User');
  return db.transaction(async (tx) => {
    const ended = await endSessions(tx, actor);
    await appendAudit(tx, actor, { action: 'session.signed_out_everywhere', subjectType: 'user', subjectId: actor.userId!, details: { sessions: ended } });
    return ended;
  });
}

export const passwordChangeInput = z
  .object({
    currentPassword: z.string({ error: 'Enter your current password' }).min(1, 'Enter your current password').max(200, 'Enter your current password'),
    newPassword: newPassword('new password'),
    confirmPassword: z.string({ error: 'Enter the new password again' }).min(1, 'Enter the new password again'),
  })
  .superRefine((v, ctx) => {
    if (v.confirmPassword !== v.newPassword) ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'The two new passwords do not match' });
  });

/**
 * Changes the actor's own password. Every other session of the account ends — whoever may have learnt the old
 * password is signed out — and the session in use carries on.
 */
export async function changePassword(db: Db, actor: Actor, input: unknown, currentSessionToken: string): Promise<{ sessionsEnded: number }> {
  if (actor.userId === null) throw new NotFound('User');
  const values = validate(passwordChangeInput, input);
  const [user] = await db.select().from(users).where(eq(users.id, actor.userId));
  if (!user || !(await passwordMatches(user.passwordHash, values.currentPassword))) {
    throw ValidationFailed.one('currentPassword', 'Your current password is not correct');
  }
  if (values.newPassword === values.currentPassword) throw ValidationFailed.one('newPassword', 'The new password must be different from the current one');
  const passwordHash = await hashPassword(values.newPassword);
  return db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash, updatedAt: new Date(), version: user.version + 1 })
      .where(eq(users.id, user.id));
    const sessionsEnded = await endSessions(tx, actor, currentSessionToken);
    await appendAudit(tx, actor, { action: 'user.password_changed', subjectType: 'user', subjectId: user.id, details: { otherSessionsEnded: sessionsEnded } });
    return { sessionsEnded };
  });
}

/** Removes sessions that can no longer be used (called now and then; correctness does not depend on it). */
export async function purgeExpiredSessions(db: Db, settings: SessionSettings): Promise<void> {
  const idleCutoff = new Date(Date.now() - settings.idleMinutes * 60_000);
  await db.delete(webSessions).where(or(lt(webSessions.expiresAt, new Date()), lt(webSessions.lastSeenAt, idleCutoff)));
}

export const apiTokenPrefix = 'sotp_';

/** Creates an API token for a user; the token is returned once and only its digest is kept. */
export const apiTokenInput = z.object({
  label: z
    .string({ error: 'Enter a label saying what the token is for' })
    .trim()
    .min(1, 'Enter a label saying what the token is for')
    .max(100, 'The label must be 100 characters or fewer'),
});

/** Makes an API token for a user. The token is returned once; only its digest is kept. */
export async function createApiToken(db: Db, actor: Actor, userId: number, label: string): Promise<string> {
  authorise(actor, 'api_token.manage');
  const values = validate(apiTokenInput, { label });
  const token = newToken(apiTokenPrefix);
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
    if (!user) throw new NotFound('User');
    const [row] = await tx
      .insert(apiTokens)
      .values({ userId, tokenHash: digest(token), label: values.label })
      .returning({ id: apiTokens.id });
    await appendAudit(tx, actor, { action: 'api_token.created', subjectType: 'user', subjectId: userId, details: { tokenId: row.id } });
  });
  return token;
}

export interface ApiTokenSummary {
  id: number;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A user's API tokens, newest first: what each is for and when it was last used (never the token itself). */
export async function listApiTokens(db: Db, actor: Actor, userId: number): Promise<ApiTokenSummary[]> {
  authorise(actor, 'api_token.manage');
  return db
    .select({ id: apiTokens.id, label: apiTokens.label, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.id));
}

/** Revokes one of a user's tokens; it is refused from the next request on. Revoking twice is refused as not found. */
export async function revokeApiToken(db: Db, actor: Actor, userId: number, tokenId: number): Promise<ApiTokenSummary> {
  authorise(actor, 'api_token.manage');
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .returning({
        id: apiTokens.id,
        label: apiTokens.label,
        createdAt: apiTokens.createdAt,
        lastUsedAt: apiTokens.lastUsedAt,
        revokedAt: apiTokens.revokedAt,
      });
    if (!row) throw new NotFound('API token');
    await appendAudit(tx, actor, { action: 'api_token.revoked', subjectType: 'user', subjectId: userId, details: { tokenId } });
    return row;
  });
}

export async function actorFromApiToken(db: Db, token: string): Promise<Actor | null> {
  if (!token.startsWith(apiTokenPrefix)) return null;
  const [row] = await db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, digest(token)), isNull(apiTokens.revokedAt)));
  if (!row || row.user.disabled) return null;
  await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.token.id));
  return actorFor(db, row.user);
}
