// Who is acting, and the checks every service makes before it reads or writes anything.
import { can, onlyOwn, permission, type Action } from '../domain/permissions.js';
import { nationalRoles, type Role } from '../domain/roles.js';
import { AccessDenied } from './errors.js';

export interface Actor {
  /** null for the system itself (CLI maintenance commands run as the system). */
  userId: number | null;
  username: string;
  role: Role;
  siteIds: readonly number[];
  /** For display only (the header); access decisions use siteIds. */
  siteNames?: readonly string[];
}

export const systemActor: Actor = Object.freeze({ userId: null, username: 'system', role: 'administrator', siteIds: [] });

export function isNational(actor: Actor): boolean {
  return nationalRoles.has(actor.role);
}

/**
 * Refuses the actor unless the permissions table lets their role take the action and, when a site is named
 * and the action is site-scoped, the site is one of theirs (national roles see every site).
 */
export function authorise(actor: Actor, action: Action, siteId?: number): void {
  if (!can(actor.role, action)) throw new AccessDenied(permission(action).refusals?.[actor.role]);
  if (siteId !== undefined && permission(action).siteScoped) requireSite(actor, siteId);
}

/**
 * Whether the actor may take the action on a member of staff (a facilitator's availability, limits or week): a
 * role the table holds to its own records only on their own; national roles on anyone; the others on staff of a
 * site they share.
 */
export function mayActOnStaff(actor: Actor, action: Action, staff: { userId: number; siteIds: readonly number[] }): boolean {
  if (!can(actor.role, action)) return false;
  if (onlyOwn(actor.role, action)) return actor.userId === staff.userId;
  return isNational(actor) || staff.siteIds.some((id) => actor.siteIds.includes(id));
}

export function canSeeSite(actor: Actor, siteId: number): boolean {
  return isNational(actor) || actor.siteIds.includes(siteId);
}

export function requireSite(actor: Actor, siteId: number): void {
  if (!canSeeSite(actor, siteId)) throw new AccessDenied('You do not have access to this site', 'site');
}

/** The sites an actor may see: 'all' for national roles. Queries filter by this. */
export function visibleSites(actor: Actor): 'all' | readonly number[] {
  return isNational(actor) ? 'all' : actor.siteIds;
}
