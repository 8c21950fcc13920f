// Each man's progress through his group (sessions attended, missed, caught up, catch-ups outstanding, and whether
// he completed or was deselected), and the treatment manager's record of completion (only when the programme's
// completion rule holds) or deselection (with a reason from the programme's list), made through the referral workflow.
import { and, asc, eq, inArray, isNull, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { groupMembers, people, programmeGroups, referrals, registerEntries, requiredCatchUps } from '../db/schema.js';
import { completionShortfall, progressOf, type Progress, type ProgressState, type RegisterStatus } from '../domain/delivery/register.js';
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { ValidationFailed } from './errors.js';
import { loadGroup, requireGroupReader } from './groups/access.js';
import { versionField } from './input-fields.js';
import { loadPersonFor } from './people.js';
import { transitionReferral } from './referrals.js';
import { groupDefinition } from './scheduling.js';
import { validate } from './validate.js';

export type { Progress } from '../domain/delivery/register.js';

const stateOfReferral = (status: string): ProgressState =>
  status === 'programme_complete' ? 'complete' : status === 'deselected' ? 'deselected' : 'in_progress';

/**
 * The progress of each member of a group (current and former), by member id. No access check and no audit: for
 * services that have made both (the group and person pages, the end-of-treatment report, a facilitator's day).
 */
export async function progressOfMembers(ex: Executor, groupId: number, memberIds?: readonly number[]): Promise<Map<number, Progress>> {
  const group = await loadGroup(ex, groupId);
  const { definition } = await groupDefinition(ex, group);
  const members = await ex
    .select({ id: groupMembers.id, referralStatus: referrals.status })
    .from(groupMembers)
    .innerJoin(referrals, eq(referrals.id, groupMembers.referralId))
    .where(and(eq(groupMembers.groupId, groupId), memberIds ? inArray(groupMembers.id, [...memberIds]) : undefined));
  const ids = members.map((m) => m.id);
  if (ids.length === 0) return new Map();
  const entries = await ex
    .select({ memberId: registerEntries.memberId, status: registerEntries.status, minutes: registerEntries.minutes, reason: registerEntries.reason })
    .from(registerEntries)
    .where(inArray(registerEntries.memberId, ids));
  const catchUps = await ex
    .select({ memberId: requiredCatchUps.memberId, status: requiredCatchUps.status })
    .from(requiredCatchUps)
    .where(and(inArray(requiredCatchUps.memberId, ids), ne(requiredCatchUps.status, 'withdrawn')));
  return new Map(
    members.map((m) => [
      m.id,
      progressOf(
        {
          entries: entries.filter((e) => e.memberId === m.id).map((e) => ({ status: e.status as RegisterStatus, minutes: e.minutes, reason: e.reason })),
          catchUps: catchUps.filter((c) => c.memberId === m.id).map((c) => ({ status: c.status as 'outstanding' | 'delivered' })),
          state: stateOfReferral(m.referralStatus),
        },
        definition.completionRule.minutesMissedAllowed,
      ),
    ]),
  );
}

/** One man's progress in one group membership (see progressOfMembers: no access check, no audit). */
export async function progressOfMember(ex: Executor, memberId: number): Promise<Progress> {
  const [member] = await ex.select({ groupId: groupMembers.groupId }).from(groupMembers).where(eq(groupMembers.id, memberId));
  if (!member) throw new Error(`no group member ${memberId}`);
  return (await progressOfMembers(ex, member.groupId, [memberId])).get(memberId)!;
}

export interface ManProgress extends Progress {
  memberId: number;
  personId: number;
  referralId: number;
  referralVersion: number;
  name: string;
  prisonNumber: string;
  /** Still a member (completion and deselection end the membership). */
  current: boolean;
  /** Why the completion rule does not hold yet; undefined when he may be recorded complete. */
  shortfall?: string;
}

export interface GroupProgress {
  groupId: number;
  groupName: string;
  siteId: number;
  totalSessions: number;
  deselectionReasons: ProgrammeDefinition['deselectionReasons'];
  men: ManProgress[];
}

/** Every man who has been in the group, current members first, with his progress. Audited as a read of the men. */
export async function getGroupProgress(db: Db, actor: Actor, groupId: number): Promise<GroupProgress> {
  return db.transaction(async (tx) => {
    const group = await loadGroup(tx, groupId);
    await requireGroupReader(tx, actor, group);
    const { definition } = await groupDefinition(tx, group);
    const rows = await tx
      .select({
        memberId: groupMembers.id,
        personId: groupMembers.personId,
        referralId: groupMembers.referralId,
        referralVersion: referrals.version,
        leftAt: groupMembers.leftAt,
        given: people.givenName,
        family: people.familyName,
        prisonNumber: people.prisonNumber,
      })
      .from(groupMembers)
      .innerJoin(people, eq(people.id, groupMembers.personId))
      .innerJoin(referrals, eq(referrals.id, groupMembers.referralId))
      .where(eq(groupMembers.groupId, groupId))
      .orderBy(asc(people.familyName), asc(people.givenName), asc(groupMembers.id));
    const progress = await progressOfMembers(tx, groupId);
    if (rows.length > 0) {
      await appendAudit(tx, actor, {
        action: 'group.progress_viewed',
        subjectType: 'group',
        subjectId: groupId,
        siteId: group.siteId,
        details: { people: [...new Set(rows.map((r) => r.personId))] },
      });
    }
    const men = rows.map((r) => {
      const p = progress.get(r.memberId)!;
      return {
        ...p,
        memberId: r.memberId,
        personId: r.personId,
        referralId: r.referralId,
        referralVersion: r.referralVersion,
        name: `${r.given} ${r.family}`,
        prisonNumber: r.prisonNumber,
        current: r.leftAt === null,
        shortfall: completionShortfall(p, definition.totalSessions),
      };
    });
    return {
      groupId,
      groupName: group.name,
      siteId: group.siteId,
      totalSessions: definition.totalSessions,
      deselectionReasons: definition.deselectionReasons,
      men: [...men.filter((m) => m.current), ...men.filter((m) => !m.current)],
    };
  });
}

/** A man's progress in each group he has been in, for his page (the caller's read of the man is audited there). */
export async function getPersonProgress(
  db: Db,
  actor: Actor,
  personId: number,
): Promise<Array<Progress & { groupId: number; groupName: string; totalSessions: number }>> {
  return db.transaction(async (tx) => {
    await loadPersonFor(tx, actor, personId);
    const memberships = await tx
      .select({ memberId: groupMembers.id, groupId: groupMembers.groupId, groupName: programmeGroups.name })
      .from(groupMembers)
      .innerJoin(programmeGroups, eq(programmeGroups.id, groupMembers.groupId))
      .where(eq(groupMembers.personId, personId))
      .orderBy(asc(groupMembers.createdAt));
    const result = [];
    for (const m of memberships) {
      const { definition } = await groupDefinition(tx, await loadGroup(tx, m.groupId));
      result.push({ ...(await progressOfMember(tx, m.memberId)), groupId: m.groupId, groupName: m.groupName, totalSessions: definition.totalSessions });
    }
    return result;
  });
}

export const completionInput = z.object({
  outcome: z.enum(['complete', 'deselected'], { error: 'Choose whether he completed the programme or was deselected' }),
  reasonId: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().optional()),
  /** The referral's version, as for any referral transition. */
  version: versionField,
});

/**
 * A treatment manager records that a current member completed the programme (refused, saying why, unless the
 * completion rule holds) or was deselected (the reason chosen from the programme's list). The referral moves to
 * programme complete or deselected through the workflow, which ends his membership of the group.
 */
export async function recordCompletion(db: Db, actor: Actor, groupId: number, memberId: number, input: unknown): Promise<void> {
  const values = validate(completionInput, input);
  await db.transaction(async (tx) => {
    const group = await loadGroup(tx, groupId);
    authorise(actor, 'completion.record', group.siteId);
    const [member] = await tx
      .select()
      .from(groupMembers)
      .where(and(eq(groupMembers.id, memberId), eq(groupMembers.groupId, groupId), isNull(groupMembers.leftAt)));
    if (!member) throw ValidationFailed.one('memberId', 'He is not a current member of this group');
    const { definition } = await groupDefinition(tx, group);
    let reason: string | undefined;
    if (values.outcome === 'complete') {
      const shortfall = completionShortfall(await progressOfMember(tx, memberId), definition.totalSessions);
      if (shortfall) throw ValidationFailed.one('outcome', `He cannot be recorded as complete yet. ${shortfall}.`);
    } else {
      reason = definition.deselectionReasons.find((r) => r.id === values.reasonId)?.text;
      if (!reason) throw ValidationFailed.one('reasonId', 'Choose the reason he was deselected from the list');
    }
    // Nested: the workflow's transaction becomes a savepoint of this one.
    const transitionId = values.outcome === 'complete' ? 'complete_programme' : 'deselect';
    await transitionReferral(tx as unknown as Db, actor, member.referralId, transitionId, { reason, version: values.version }, undefined, true);
    await appendAudit(tx, actor, {
      action: values.outcome === 'complete' ? 'completion.recorded' : 'deselection.recorded',
      subjectType: 'group_member',
      subjectId: memberId,
      siteId: group.siteId,
      details: { groupId, personId: member.personId, ...(values.reasonId && values.outcome === 'deselected' ? { reasonId: values.reasonId } : {}) },
    });
  });
}
