// Sign-in, server-side web sessions and API tokens. Only SHA-256 digests of session cookies and
// API tokens are stored, so a copy of the database cannot be used to act as anyone.
import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, gt, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/connection.js';
import { apiTokens, signInFailures, sites, userSites, users, webSessions } from '../db/schema.js';
import type { Role } from '../domain/roles.js';
import { requireRole, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { NotFound } from './errors.js';
import { passwordMatches, unknownUserHash } from './passwords.js';
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

export type SignInResult =
  | { outcome: 'signed_in'; sessionToken: string; actor: Actor }
  | { outcome: 'invalid' }
  | { outcome: 'too_many_attempts'; retryAfterMinutes: number };

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

async function recentFailures(db: Db, username: string, address: string, since: Date): Promise<number> {
  const [byUser] = await db
    .select({ n: count() })
    .from(signInFailures)
    .where(and(eq(signInFailures.username, username), gt(signInFailures.failedAt, since)));
  const [byAddress] = await db
    .select({ n: count() })
    .from(signInFailures)
    .where(and(eq(signInFailures.address, address), gt(signInFailures.failedAt, since)));
  return Math.max(byUser.n, byAddress.n);
}

/**
 * Failed sign-ins are limited per user name and per address: either reaching the limit in the
 * window blocks further attempts (even with the right password) until the window has passed.
 */
export async function signIn(
  db: Db,
  input: unknown,
  address: string,
  session: SessionSettings,
  limits: SignInLimits,
): Promise<SignInResult> {
  const { username, password } = validate(signInInput, input);
  const since = new Date(Date.now() - limits.windowMinutes * 60_000);
  if ((await recentFailures(db, username, address, since)) >= limits.maxFailures) {
    return { outcome: 'too_many_attempts', retryAfterMinutes: limits.windowMinutes };
  }
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
    await db.update(webSessions).set({ lastSeenAt: new Date(now) }).where(eq(webSessions.tokenHash, tokenHash));
  }
  return actorFor(db, row.user);
}

export async function signOut(db: Db, sessionToken: string): Promise<void> {
  await db.delete(webSessions).where(eq(webSessions.tokenHash, digest(sessionToken)));
}

/** Removes sessions that can no longer be used (called now and then; correctness does not depend on it). */
export async function purgeExpiredSessions(db: Db, settings: SessionSettings): Promise<void> {
  const idleCutoff = new Date(Date.now() - settings.idleMinutes * 60_000);
  await db.delete(webSessions).where(or(lt(webSessions.expiresAt, new Date()), lt(webSessions.lastSeenAt, idleCutoff)));
}

export const apiTokenPrefix = 'sotp_';

/** Creates an API token for a user; the token is returned once and only its digest is kept. */
export async function createApiToken(db: Db, actor: Actor, userId: number, label: string): Promise<string> {
  requireRole(actor, 'administrator');
  const token = newToken(apiTokenPrefix);
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
    if (!user) throw new NotFound('User');
    const [row] = await tx.insert(apiTokens).values({ userId, tokenHash: digest(token), label }).returning({ id: apiTokens.id });
    await appendAudit(tx, actor, { action: 'api_token.created', subjectType: 'user', subjectId: userId, details: { tokenId: row.id } });
  });
  return token;
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
