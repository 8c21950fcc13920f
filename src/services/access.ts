// Who is acting, and the checks every service makes before it reads or writes anything.
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

export function requireRole(actor: Actor, ...allowed: Role[]): void {
  if (!allowed.includes(actor.role)) throw new AccessDenied();
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
