// A facilitator's own groups — those whose team he is in, and those with a session he facilitates (a cover
// facilitator) — and the men currently in them: the records the permissions table's `own` holds him to.
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.js';
import { queryRows } from '../db/connection.js';
import { onlyOwn, type Action } from '../domain/permissions.js';
import type { Actor } from './access.js';
import { AccessDenied } from './errors.js';

/** A subquery of the ids of the user's own groups. A null user (the system) has none. */
export function ownGroupIds(userId: number | null): SQL {
  const user = userId ?? -1;
  return sql`(SELECT gf.group_id FROM group_facilitators gf WHERE gf.user_id = ${user}
    UNION SELECT gs.group_id FROM session_facilitators sf JOIN group_sessions gs ON gs.id = sf.session_id WHERE sf.user_id = ${user})`;
}

/** A subquery of the ids of the men currently members of the user's own groups. */
export function menOfOwnGroups(userId: number | null): SQL {
  return sql`(SELECT gm.person_id FROM group_members gm WHERE gm.left_at IS NULL AND gm.group_id IN ${ownGroupIds(userId)})`;
}

export async function isOwnGroup(ex: Executor, actor: Actor, groupId: number): Promise<boolean> {
  const rows = await queryRows<{ found: number }>(ex, sql`SELECT 1 AS found WHERE ${groupId} IN ${ownGroupIds(actor.userId)}`);
  return rows.length > 0;
}

export async function isManOfOwnGroups(ex: Executor, actor: Actor, personId: number): Promise<boolean> {
  const rows = await queryRows<{ found: number }>(ex, sql`SELECT 1 AS found WHERE ${personId} IN ${menOfOwnGroups(actor.userId)}`);
  return rows.length > 0;
}

/** Refuses a role held to its own records for the action (facilitators) unless the man is in one of its groups. */
export async function requireOwnMan(ex: Executor, actor: Actor, personId: number, action: Action): Promise<void> {
  if (!onlyOwn(actor.role, action)) return;
  if (!(await isManOfOwnGroups(ex, actor, personId))) throw new AccessDenied('You can see only the men of the groups you facilitate');
}

/** The SQL condition a list of men (by their person id column) needs for the actor and action: none unless held to its own. */
export function ownMenFilter(actor: Actor, action: Action, personIdColumn: SQL): SQL | undefined {
  return onlyOwn(actor.role, action) ? sql`${personIdColumn} IN ${menOfOwnGroups(actor.userId)}` : undefined;
}
