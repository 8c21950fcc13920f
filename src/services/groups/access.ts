// Who may read or change a group, and the team roles a group's facilitators hold.
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { programmeGroups } from '../../db/schema.js';
import { can, onlyOwn } from '../../domain/permissions.js';
import { authorise, canSeeSite, type Actor } from '../access.js';
import { AccessDenied, NotFound } from '../errors.js';
import { isOwnGroup } from '../own-groups.js';
import { type GroupRow } from '../scheduling.js';

export const teamRoles = ['lead', 'co', 'cover'] as const;
export type TeamRole = (typeof teamRoles)[number];
export const teamRoleLabels: Record<TeamRole, string> = { lead: 'Lead facilitator', co: 'Co-facilitator', cover: 'Cover facilitator' };

export async function loadGroup(ex: Executor, groupId: number): Promise<GroupRow> {
  const [group] = await ex.select().from(programmeGroups).where(eq(programmeGroups.id, groupId));
  if (!group) throw new NotFound('Group');
  return group;
}

/** Whether the actor manages groups at the site (the group page offers its changes). */
export function managesSite(actor: Actor, siteId: number): boolean {
  return can(actor.role, 'group.manage') && canSeeSite(actor, siteId);
}

/** Who may change a group: the permissions table's group.manage, at the group's site. */
export function requireGroupManager(actor: Actor, group: GroupRow): void {
  authorise(actor, 'group.manage', group.siteId);
}

/** Who may read a group: group.read at its site; a role held to its own groups (facilitators) only if in its team or covering a session. */
export async function requireGroupReader(ex: Executor, actor: Actor, group: GroupRow): Promise<void> {
  if (can(actor.role, 'group.read') && canSeeSite(actor, group.siteId)) {
    if (!onlyOwn(actor.role, 'group.read') || (await isOwnGroup(ex, actor, group.id))) return;
  }
  throw new AccessDenied('You do not have access to this group', canSeeSite(actor, group.siteId) ? 'role' : 'site');
}
