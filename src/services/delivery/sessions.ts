// A session as delivery records see it (its group, programme and the men in the group), loaded for an actor: the
// permissions table's action at the group's site; a facilitator held to his own reads the sessions of his own
// groups, and writes only for a session he facilitates.
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { groupMembers, people, sessionFacilitators } from '../../db/schema.js';
import { onlyOwn, type Action } from '../../domain/permissions.js';
import type { ProgrammeDefinition } from '../../domain/programme/definition.js';
import { authorise, type Actor } from '../access.js';
import { AccessDenied, NotFound } from '../errors.js';
import { loadGroup } from '../groups/access.js';
import { isOwnGroup } from '../own-groups.js';
import { groupDefinition, loadSession, type GroupRow, type SessionRow } from '../scheduling.js';

export interface DeliverySession {
  session: SessionRow;
  group: GroupRow;
  programme: ProgrammeDefinition;
}

export interface GroupMan {
  personId: number;
  name: string;
  prisonNumber: string;
}

/** Which of his records a facilitator may take each action on: his groups' sessions, or the sessions he facilitates. */
const ownRecord: Partial<Record<Action, 'group' | 'session'>> = {
  'session_log.read': 'group',
  'product.read': 'group',
  'session_log.write': 'session',
  'product.upload': 'session',
};

export async function facilitatesSession(ex: Executor, actor: Actor, sessionId: number): Promise<boolean> {
  if (actor.userId === null) return false;
  const [row] = await ex
    .select({ userId: sessionFacilitators.userId })
    .from(sessionFacilitators)
    .where(and(eq(sessionFacilitators.sessionId, sessionId), eq(sessionFacilitators.userId, actor.userId)));
  return row !== undefined;
}

/** Whether the actor may take the action on this session (for a page deciding which forms to offer). */
export async function mayActOnSession(ex: Executor, actor: Actor, action: Action, loaded: DeliverySession): Promise<boolean> {
  try {
    await requireSessionAccess(ex, actor, action, loaded);
    return true;
  } catch (error) {
    if (error instanceof AccessDenied) return false;
    throw error;
  }
}

async function requireSessionAccess(ex: Executor, actor: Actor, action: Action, { session, group }: DeliverySession): Promise<void> {
  authorise(actor, action, group.siteId);
  if (!onlyOwn(actor.role, action)) return;
  if (ownRecord[action] === 'session') {
    if (!(await facilitatesSession(ex, actor, session.id))) throw new AccessDenied('Only a facilitator of this session or the treatment manager can do this');
  } else if (!(await isOwnGroup(ex, actor, group.id))) {
    throw new AccessDenied('You do not have access to this group');
  }
}

/** The session of the group (NotFound when the session is not the group's), once the actor may take the action on it. */
export async function loadSessionFor(ex: Executor, actor: Actor, groupId: number, sessionId: number, action: Action): Promise<DeliverySession> {
  const group = await loadGroup(ex, groupId);
  const session = await loadSession(ex, sessionId);
  if (session.groupId !== group.id) throw new NotFound('Session');
  const loaded = { session, group, programme: (await groupDefinition(ex, group)).definition };
  await requireSessionAccess(ex, actor, action, loaded);
  return loaded;
}

/** The men currently in the group, by family name. */
export async function menOfGroup(ex: Executor, groupId: number): Promise<GroupMan[]> {
  const rows = await ex
    .select({ personId: people.id, given: people.givenName, family: people.familyName, prisonNumber: people.prisonNumber })
    .from(groupMembers)
    .innerJoin(people, eq(people.id, groupMembers.personId))
    .where(and(eq(groupMembers.groupId, groupId), isNull(groupMembers.leftAt)))
    .orderBy(asc(people.familyName), asc(people.givenName), asc(people.id));
  return rows.map((r) => ({ personId: r.personId, name: `${r.given} ${r.family}`, prisonNumber: r.prisonNumber }));
}
