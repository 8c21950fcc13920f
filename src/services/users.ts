// User administration: administrators list, create, disable and re-enable users and assign their sites.
// Every read of user records is audit-logged (the mechanism later used for person records).
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { sites, userSites, users } from '../db/schema.js';
import { nationalRoles, roles, type Role } from '../domain/roles.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { EditConflict, NotFound, ValidationFailed } from './errors.js';
import { hashPassword, newPassword } from './passwords.js';
import { validate } from './validate.js';

export interface UserSummary {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  version: number;
  siteIds: number[];
}

async function siteIdsByUser(ex: Executor, userIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (userIds.length === 0) return map;
  const rows = await ex.select().from(userSites).where(inArray(userSites.userId, userIds));
  for (const row of rows) map.set(row.userId, [...(map.get(row.userId) ?? []), row.siteId]);
  return map;
}

function summarise(row: typeof users.$inferSelect, siteIds: number[]): UserSummary {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    role: row.role as Role,
    disabled: row.disabled,
    version: row.version,
    siteIds: siteIds.sort((a, b) => a - b),
  };
}

export async function listUsers(db: Db, actor: Actor): Promise<UserSummary[]> {
  authorise(actor, 'user.manage');
  return db.transaction(async (tx) => {
    const rows = await tx.select().from(users).orderBy(asc(users.username));
    const byUser = await siteIdsByUser(
      tx,
      rows.map((r) => r.id),
    );
    await appendAudit(tx, actor, { action: 'user.list_viewed', subjectType: 'user', details: { count: rows.length } });
    return rows.map((r) => summarise(r, byUser.get(r.id) ?? []));
  });
}

export async function getUser(db: Db, actor: Actor, userId: number): Promise<UserSummary> {
  authorise(actor, 'user.manage');
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, userId));
    if (!row) throw new NotFound('User');
    const byUser = await siteIdsByUser(tx, [row.id]);
    await appendAudit(tx, actor, { action: 'user.viewed', subjectType: 'user', subjectId: row.id });
    return summarise(row, byUser.get(row.id) ?? []);
  });
}

const siteIdList = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number({ error: 'Choose a site from the list' }).int().positive()),
);

export const newUserInput = z
  .object({
    username: z
      .string({ error: 'Enter a user name' })
      .trim()
      .toLowerCase()
      .min(1, 'Enter a user name')
      .regex(/^[a-z][a-z0-9._-]{1,39}$/, 'User name must be 2 to 40 characters: letters, digits, dots, hyphens or underscores, starting with a letter'),
    displayName: z
      .string({ error: 'Enter the person’s full name' })
      .trim()
      .min(1, 'Enter the person’s full name')
      .max(120, 'Full name must be 120 characters or fewer'),
    role: z.enum(roles, { error: 'Choose a role' }),
    siteIds: siteIdList,
    password: newPassword(),
  })
  .superRefine((u, ctx) => {
    if (!nationalRoles.has(u.role) && u.siteIds.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['siteIds'], message: 'Choose at least one site for this role' });
    }
  });

export async function createUser(db: Db, actor: Actor, input: unknown): Promise<UserSummary> {
  authorise(actor, 'user.manage');
  const values = validate(newUserInput, input);
  // National roles see every site, so site assignments would only mislead.
  const siteIds = nationalRoles.has(values.role) ? [] : [...new Set(values.siteIds)];
  const passwordHash = await hashPassword(values.password);
  return db.transaction(async (tx) => {
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.username, values.username));
    if (taken) throw ValidationFailed.one('username', `The user name ${values.username} is already taken`);
    if (siteIds.length > 0) {
      const found = await tx.select({ id: sites.id }).from(sites).where(inArray(sites.id, siteIds));
      if (found.length !== siteIds.length) throw ValidationFailed.one('siteIds', 'Choose a site from the list');
    }
    const [row] = await tx.insert(users).values({ username: values.username, displayName: values.displayName, role: values.role, passwordHash }).returning();
    if (siteIds.length > 0) await tx.insert(userSites).values(siteIds.map((siteId) => ({ userId: row.id, siteId })));
    await appendAudit(tx, actor, { action: 'user.created', subjectType: 'user', subjectId: row.id, details: { role: values.role, siteIds } });
    return summarise(row, siteIds);
  });
}

export const setDisabledInput = z.object({
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().positive(),
});

export async function setUserDisabled(db: Db, actor: Actor, userId: number, disabled: boolean, input: unknown): Promise<UserSummary> {
  authorise(actor, 'user.manage');
  const { version } = validate(setDisabledInput, input);
  if (disabled && actor.userId === userId) throw ValidationFailed.one('user', 'You cannot disable your own account');
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, userId));
    if (!current) throw new NotFound('User');
    const [row] = await tx
      .update(users)
      .set({ disabled, version: current.version + 1, updatedAt: new Date() })
      .where(and(eq(users.id, userId), eq(users.version, version)))
      .returning();
    if (!row) throw new EditConflict(`The account ${current.username}`);
    await appendAudit(tx, actor, { action: disabled ? 'user.disabled' : 'user.enabled', subjectType: 'user', subjectId: userId });
    const byUser = await siteIdsByUser(tx, [userId]);
    return summarise(row, byUser.get(userId) ?? []);
  });
}

/** For the CLI: find a user's id by name (administrators only). */
export async function findUserId(db: Db, actor: Actor, username: string): Promise<number> {
  authorise(actor, 'user.manage');
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.username, username.trim().toLowerCase()));
  if (!row) throw new NotFound(`User ${username}`);
  return row.id;
}
