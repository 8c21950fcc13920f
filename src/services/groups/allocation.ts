// Offering the waitlist a group's free places, allocating men to it and removing them.
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/connection.js';
import { groupMembers, people, programmeGroups, programmeVersions, referrals } from '../../db/schema.js';
import { type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, ValidationFailed } from '../errors.js';
import { londonToday } from '../scheduling.js';
import { validate } from '../validate.js';
import { requiredId } from '../input-fields.js';
import { transitionReferral } from '../referrals.js';
import { listWaitlist, type Waitlist } from '../waitlist.js';
import { loadGroup, requireGroupManager } from './access.js';

export interface AllocationChoice {
  group: { id: number; name: string; siteId: number; programmeId: string; capacity: number; members: number; version: number };
  waitlist: Waitlist;
}

/** The group's free places and its site's waitlist for the programme, in the order men should be offered places. */
export async function allocationChoice(db: Db, actor: Actor, groupId: number, today = londonToday()): Promise<AllocationChoice> {
  const group = await loadGroup(db, groupId);
  requireGroupManager(actor, group);
  const [version] = await db.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
  const members = await db
    .select({ id: groupMembers.id })
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), isNull(groupMembers.leftAt)));
  const waitlist = await listWaitlist(db, actor, { siteId: group.siteId, programmeId: version.programmeId, today });
  return {
    group: {
      id: group.id,
      name: group.name,
      siteId: group.siteId,
      programmeId: version.programmeId,
      capacity: group.capacity,
      members: members.length,
      version: group.version,
    },
    waitlist,
  };
}

export const allocateInput = z.object({
  referrals: z.preprocess(
    (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string().regex(/^\d+:\d+$/, 'Choose men from the waitlist')).min(1, 'Choose at least one man from the waitlist'),
  ),
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().positive(),
});

/**
 * Allocates men from the waitlist to the group, up to its capacity: each referral moves to allocated through
 * the referral workflow, whose allocate transition makes him a member of this group, all in one transaction.
 */
export async function allocateToGroup(db: Db, actor: Actor, groupId: number, input: unknown, today = londonToday()): Promise<{ allocated: number }> {
  const values = validate(allocateInput, input);
  const chosen = [...new Map(values.referrals.map((r) => r.split(':').map(Number) as [number, number])).entries()];
  return db.transaction(async (tx) => {
    const group = await loadGroup(tx, groupId);
    requireGroupManager(actor, group);
    // The group's version guards its places: two managers filling the last place at once cannot both succeed.
    const [locked] = await tx
      .update(programmeGroups)
      .set({ version: group.version + 1, updatedAt: new Date() })
      .where(and(eq(programmeGroups.id, groupId), eq(programmeGroups.version, values.version)))
      .returning();
    if (!locked) throw new EditConflict(`The group ${group.name}`);
    const [version] = await tx.select().from(programmeVersions).where(eq(programmeVersions.id, group.programmeVersionId));
    const members = await tx
      .select({ id: groupMembers.id })
      .from(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), isNull(groupMembers.leftAt)));
    const free = group.capacity - members.length;
    if (chosen.length > free) {
      throw ValidationFailed.one('referrals', free === 0 ? 'The group is full' : `The group has room for ${free} more; you chose ${chosen.length}`);
    }
    for (const [referralId, referralVersion] of chosen) {
      const [referral] = await tx.select().from(referrals).where(eq(referrals.id, referralId));
      if (!referral || referral.siteId !== group.siteId || referral.programmeId !== version.programmeId) {
        throw ValidationFailed.one('referrals', 'Choose men waiting for this programme at this site');
      }
      // Nested: the workflow's own transaction becomes a savepoint of this one, so all or none are allocated.
      try {
        await transitionReferral(tx as unknown as Db, actor, referralId, 'allocate', { version: referralVersion, groupId }, today);
      } catch (error) {
        // The form's field is the list of men: say which man the refusal is about (eligibility, status).
        if (!(error instanceof ValidationFailed)) throw error;
        const [person] = await tx.select({ given: people.givenName, family: people.familyName }).from(people).where(eq(people.id, referral.personId));
        throw new ValidationFailed(error.errors.map((e) => ({ ...e, field: 'referrals', message: `${person.given} ${person.family}: ${e.message}` })));
      }
    }
    await appendAudit(tx, actor, {
      action: 'group.men_allocated',
      subjectType: 'group',
      subjectId: groupId,
      siteId: group.siteId,
      details: { referralIds: chosen.map(([id]) => id) },
    });
    return { allocated: chosen.length };
  });
}

export const removeFromGroupInput = z.object({
  referralId: requiredId('Choose the man to remove from the group'),
  reason: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: 'Give a reason to remove him from the group' })
      .min(1, 'Give a reason to remove him from the group')
      .max(2000, 'Reason must be 2000 characters or fewer'),
  ),
  version: z.coerce.number({ error: 'The form is missing the record version; reload the page' }).int().positive(),
});

/**
 * A treatment manager removes a current member from the group with a reason: the referral's remove_from_group
 * transition ends his membership and puts him back on the waitlist (awaiting allocation). `version` is the referral's.
 */
export async function removeFromGroup(db: Db, actor: Actor, groupId: number, input: unknown): Promise<void> {
  const values = validate(removeFromGroupInput, input);
  await db.transaction(async (tx) => {
    const group = await loadGroup(tx, groupId);
    requireGroupManager(actor, group);
    const [member] = await tx
      .select({ id: groupMembers.id })
      .from(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.referralId, values.referralId), isNull(groupMembers.leftAt)));
    if (!member) throw ValidationFailed.one('referralId', 'He is not a current member of this group');
    await transitionReferral(tx as unknown as Db, actor, values.referralId, 'remove_from_group', { reason: values.reason, version: values.version });
  });
}
