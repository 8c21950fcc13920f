// Group membership of referrals, the effects of the referral workflow's joins_group and leaves_group
// transitions (src/domain/referral/workflow.ts): joining a named group with a free place, leaving it, the
// groups a referral could join, and the check that every referral's status agrees with its membership.
// No access checks here: the referral service checks them before it makes a transition.
import { and, asc, count, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Executor, Tx } from '../db/connection.js';
import { catchUpSessions, groupMembers, programmeGroups, programmeVersions, referrals, requiredCatchUps } from '../db/schema.js';
import { findMembershipDisagreements, type MembershipDisagreement } from '../domain/referral/workflow.js';
import { authorise, type Actor } from './access.js';
import { ValidationFailed } from './errors.js';

type ReferralRow = typeof referrals.$inferSelect;

export interface JoinableGroup {
  id: number;
  name: string;
  capacity: number;
  members: number;
  earliestStart: string;
}

const current = isNull(groupMembers.leftAt);

async function currentMembers(ex: Executor, groupId: number): Promise<number> {
  const [row] = await ex
    .select({ n: count() })
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), current));
  return row.n;
}

/** The site's groups of a programme that are not closed and have a free place, earliest start first. */
export async function groupsWithPlaces(ex: Executor, siteId: number, programmeId: string): Promise<JoinableGroup[]> {
  const rows = await ex
    .select({ group: programmeGroups })
    .from(programmeGroups)
    .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
    .where(and(eq(programmeGroups.siteId, siteId), eq(programmeVersions.programmeId, programmeId), ne(programmeGroups.status, 'closed')))
    .orderBy(asc(programmeGroups.earliestStart), asc(programmeGroups.name));
  const groups: JoinableGroup[] = [];
  for (const { group } of rows) {
    const members = await currentMembers(ex, group.id);
    if (members < group.capacity) groups.push({ id: group.id, name: group.name, capacity: group.capacity, members, earliestStart: group.earliestStart });
  }
  return groups;
}

/** The group a referral is a current member of, if any. */
export async function currentGroupOf(ex: Executor, referralId: number): Promise<{ id: number; name: string; memberId: number } | null> {
  const [row] = await ex
    .select({ id: programmeGroups.id, name: programmeGroups.name, memberId: groupMembers.id })
    .from(groupMembers)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupMembers.groupId))
    .where(and(eq(groupMembers.referralId, referralId), current));
  return row ?? null;
}

/**
 * The man joins the named group: it must be a group of the referral's programme at the referral's site, not
 * closed, with a free place. The group's row is locked first, so two allocations to its last place cannot both succeed.
 */
export async function joinGroup(tx: Tx, referral: ReferralRow, groupId: number | undefined): Promise<{ id: number; name: string }> {
  if (groupId === undefined) throw ValidationFailed.one('groupId', 'Choose the group to allocate him to');
  const [row] = await tx
    .select({ group: programmeGroups, programmeId: programmeVersions.programmeId })
    .from(programmeGroups)
    .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
    .where(eq(programmeGroups.id, groupId))
    .for('update', { of: programmeGroups });
  if (!row || row.group.siteId !== referral.siteId || row.programmeId !== referral.programmeId) {
    throw ValidationFailed.one('groupId', 'Choose a group of his programme at his prison');
  }
  if (row.group.status === 'closed') throw ValidationFailed.one('groupId', `${row.group.name} is closed: choose another group`);
  if ((await currentMembers(tx, groupId)) >= row.group.capacity) throw ValidationFailed.one('groupId', `${row.group.name} is full: choose another group`);
  await tx.insert(groupMembers).values({ groupId, referralId: referral.id, personId: referral.personId });
  return { id: row.group.id, name: row.group.name };
}

/**
 * Ends the referral's current membership, if it has one, and cancels the catch-ups booked for him (a man who has
 * left has no sessions to catch up); returns the group left.
 */
export async function leaveGroup(tx: Tx, referralId: number, reason: string): Promise<number | null> {
  const now = new Date();
  const rows = await tx
    .update(groupMembers)
    .set({ leftAt: now, leftReason: reason, updatedAt: now })
    .where(and(eq(groupMembers.referralId, referralId), current))
    .returning({ id: groupMembers.id, groupId: groupMembers.groupId });
  if (rows.length === 0) return null;
  const cancelled = await tx
    .update(catchUpSessions)
    .set({ status: 'cancelled', version: sql`${catchUpSessions.version} + 1`, updatedAt: now })
    .where(and(eq(catchUpSessions.memberId, rows[0].id), eq(catchUpSessions.status, 'booked')))
    .returning({ id: catchUpSessions.id });
  if (cancelled.length > 0) {
    await tx
      .update(requiredCatchUps)
      .set({ catchUpId: null, updatedAt: now })
      .where(
        inArray(
          requiredCatchUps.catchUpId,
          cancelled.map((c) => c.id),
        ),
      );
  }
  return rows[0].groupId;
}

export interface MembershipCheck {
  referrals: number;
  currentMembers: number;
  disagreements: MembershipDisagreement[];
}

/**
 * Every referral whose status and group membership disagree (the rule in src/domain/referral/workflow.ts), across
 * all sites: for administrators and auditors (national roles) and the command line, which runs as the system.
 * It reads statuses and identifiers only, no personal details.
 */
export async function checkReferralGroups(db: Db, actor: Actor): Promise<MembershipCheck> {
  authorise(actor, 'membership.check');
  return db.transaction(async (tx) => {
    const referralRows = await tx.select({ id: referrals.id, status: referrals.status, programmeId: referrals.programmeId }).from(referrals);
    const memberRows = await tx
      .select({ referralId: groupMembers.referralId, groupId: groupMembers.groupId, programmeId: programmeVersions.programmeId })
      .from(groupMembers)
      .innerJoin(programmeGroups, eq(programmeGroups.id, groupMembers.groupId))
      .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
      .where(current);
    const byReferral = new Map<number, Array<{ groupId: number; programmeId: string }>>();
    for (const m of memberRows) byReferral.set(m.referralId, [...(byReferral.get(m.referralId) ?? []), { groupId: m.groupId, programmeId: m.programmeId }]);
    const disagreements = findMembershipDisagreements(
      referralRows.map((r) => ({ referralId: r.id, status: r.status, programmeId: r.programmeId, groups: byReferral.get(r.id) ?? [] })),
    );
    return { referrals: referralRows.length, currentMembers: memberRows.length, disagreements };
  });
}
