// Referrals of men to programmes and their workflow: creating one (refusing a second open referral of the
// same man to the same programme), moving it through the domain's transition table with each transition's
// effects (eligibility gate, joining and leaving a group, joining the waitlist), and its full history.
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../db/connection.js';
import { people, referralHistory, referrals, sites } from '../db/schema.js';
import {
  applyTransition,
  availableTransitions,
  recordsCompletionFrom,
  conflictingReferral,
  openStatuses,
  referralStatus,
  statusBeforeHold,
  type ReferralStatusId,
  type ReferralTransition,
  type TransitionEffect,
} from '../domain/referral/workflow.js';
import type { Action } from '../domain/permissions.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from './errors.js';
import { eligibilityFor, type PersonEligibility } from './eligibility.js';
import { currentGroupOf, groupsWithPlaces, joinGroup, leaveGroup, type JoinableGroup } from './group-membership.js';
import { requireOwnMan } from './own-groups.js';
import { loadPersonFor, personIdentity, readPersonRecord, type StoredScore } from './people.js';
import { currentProgramme } from './programme-lookup.js';
import { londonToday } from './scheduling.js';
import { validate } from './validate.js';
import { checkbox, versionField } from './input-fields.js';

export type Referral = typeof referrals.$inferSelect;
export type ReferralHistoryEntry = typeof referralHistory.$inferSelect;

export interface ReferralRecord {
  referral: Referral & { status: ReferralStatusId };
  person: { id: number; prisonNumber: string; givenName: string; familyName: string; dateOfBirth: string; earliestReleaseDate: string | null };
  siteName: string;
  programme: { id: string; name: string };
  /** Oldest first. */
  history: ReferralHistoryEntry[];
  /** What the acting user may do now, in the table's order. */
  transitions: ReferralTransition[];
  /** His eligibility for the referral's programme today (computed, and any override). */
  eligibility: PersonEligibility;
  /** His latest score per instrument, newest first. */
  latestScores: StoredScore[];
  /** The group he is a current member of, if any. */
  group: { id: number; name: string; memberId: number } | null;
  /** Whether the actor records his completion or deselection now, on his group's completion form. */
  recordsCompletion: boolean;
  /** The groups he could be allocated to now (when the actor may allocate him): his site's, of the programme, with free places. */
  groupChoices: JoinableGroup[];
}

export const newReferralInput = z.object({
  personId: z.coerce.number({ error: 'Choose the man to refer' }).int().positive('Choose the man to refer'),
  programmeId: z.string({ error: 'Choose a programme' }).trim().min(1, 'Choose a programme'),
  /** Submit straight away rather than keep a draft. */
  submit: checkbox('submit now'),
});

export const transitionInput = z.object({
  reason: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() || undefined : (v ?? undefined)),
    z.string().max(2000, 'Reason must be 2000 characters or fewer').optional(),
  ),
  version: versionField,
  /** The group to join, for a transition with the joins_group effect (allocate). */
  groupId: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce
      .number({ error: 'Choose the group to allocate him to' })
      .int('Choose the group to allocate him to')
      .positive('Choose the group to allocate him to')
      .optional(),
  ),
});

async function openReferralOf(tx: Tx, personId: number, programmeId: string): Promise<Referral | undefined> {
  const existing = await tx
    .select()
    .from(referrals)
    .where(and(eq(referrals.personId, personId), eq(referrals.programmeId, programmeId), inArray(referrals.status, [...openStatuses])));
  const found = conflictingReferral(
    existing.map((r) => ({ id: String(r.id), personId: String(r.personId), programmeId: r.programmeId, status: r.status as ReferralStatusId })),
    { personId: String(personId), programmeId },
  );
  return found ? existing.find((r) => String(r.id) === found.id) : undefined;
}

export function duplicateReferralError(existingId: number): ValidationFailed {
  return ValidationFailed.one('programmeId', `He already has an open referral to this programme (referral ${existingId}).`, {
    href: `/referrals/${existingId}`,
    text: `View his open referral ${existingId}`,
  });
}

/**
 * The eligibility gate of transitions with the requires_eligibility effect: his eligibility for the referral's
 * programme must be "eligible", computed from his record or by a treatment manager's override. The refusal says
 * why and links to where the facts or the override are recorded.
 */
async function requireEligible(tx: Tx, actor: Actor, referral: Referral, transition: ReferralTransition, today: string): Promise<void> {
  const record = await readPersonRecord(tx, actor, referral.personId);
  const eligibility = await eligibilityFor(tx, record, referral.programmeId, today);
  if (eligibility.result === 'eligible') return;
  const programme = await currentProgramme(tx, referral.programmeId);
  const action = `"${transition.label}" needs him to be eligible for ${programme.shortName}`;
  const link = { href: `/people/${referral.personId}#eligibility`, text: 'Record his missing facts or an eligibility override' };
  if (eligibility.override) {
    throw ValidationFailed.one(
      'eligibility',
      `${action}: ${eligibility.override.decidedBy} overrode his eligibility to not eligible (${eligibility.override.reason}).`,
      link,
    );
  }
  const status = eligibility.result === 'not_eligible' ? 'not_met' : 'unknown';
  const reasons = eligibility.computed.criteria
    .filter((c) => c.status === status)
    .map((c) => c.reason)
    .join(' ');
  const found = eligibility.result === 'not_eligible' ? 'he is computed not eligible' : 'his eligibility is undetermined';
  const forward =
    eligibility.result === 'not_eligible'
      ? 'A treatment manager may record an override with a reason.'
      : 'Record the missing facts, or a treatment manager may record an override.';
  throw ValidationFailed.one('eligibility', `${action}, but ${found}: ${reasons} ${forward}`, link);
}

async function writeTransition(
  tx: Tx,
  actor: Actor,
  current: Referral,
  to: ReferralStatusId,
  transition: string | null,
  reason: string | undefined,
  effects: readonly TransitionEffect[] = [],
  groupChange: { joined?: number; left?: number } = {},
): Promise<Referral> {
  const now = new Date();
  const [row] = await tx
    .update(referrals)
    .set({
      status: to,
      statusChangedAt: now,
      updatedAt: now,
      version: current.version + 1,
      ...(effects.includes('starts_waiting') ? { waitlistedAt: now } : {}),
    })
    .where(and(eq(referrals.id, current.id), eq(referrals.version, current.version)))
    .returning();
  if (!row) throw new EditConflict(`Referral ${current.id}`);
  await tx.insert(referralHistory).values({
    referralId: current.id,
    transition,
    fromStatus: current.status,
    toStatus: to,
    reason: reason ?? null,
    actorId: actor.userId,
    actor: actor.username,
    occurredAt: now,
  });
  await appendAudit(tx, actor, {
    action: 'referral.transitioned',
    subjectType: 'referral',
    subjectId: current.id,
    siteId: current.siteId,
    // The reason is free text and may name people: it is kept in the referral history, not the audit log.
    details: {
      transition,
      from: current.status,
      to,
      reasonGiven: reason !== undefined,
      ...(groupChange.joined !== undefined ? { joinedGroupId: groupChange.joined } : {}),
      ...(groupChange.left !== undefined ? { leftGroupId: groupChange.left } : {}),
    },
  });
  return row;
}

/** Creates a referral as a draft, or submitted when `submit` is set (the submit transition is then recorded too). */
export async function createReferral(db: Db, actor: Actor, input: unknown): Promise<Referral> {
  authorise(actor, 'referral.create');
  const values = validate(newReferralInput, input);
  try {
    return await db.transaction(async (tx) => {
      const person = await loadPersonFor(tx, actor, values.personId, 'referral.create');
      await currentProgramme(tx, values.programmeId);
      const open = await openReferralOf(tx, person.id, values.programmeId);
      if (open) throw duplicateReferralError(open.id);
      const now = new Date();
      let [row] = await tx
        .insert(referrals)
        .values({ personId: person.id, programmeId: values.programmeId, siteId: person.siteId, status: 'draft', statusChangedAt: now, createdBy: actor.userId })
        .returning();
      await tx
        .insert(referralHistory)
        .values({ referralId: row.id, transition: null, fromStatus: null, toStatus: 'draft', actorId: actor.userId, actor: actor.username, occurredAt: now });
      await appendAudit(tx, actor, {
        action: 'referral.created',
        subjectType: 'referral',
        subjectId: row.id,
        siteId: row.siteId,
        details: { personId: person.id, programmeId: values.programmeId },
      });
      if (values.submit) {
        const outcome = applyTransition({ status: 'draft' }, 'submit', actor);
        if (!outcome.ok) throw new AccessDenied(outcome.message);
        row = await writeTransition(tx, actor, row, outcome.status, 'submit', undefined, outcome.effects);
      }
      return row;
    });
  } catch (error) {
    // Two people referring the same man at once: the partial unique index lets only one win.
    if (isUniqueViolation(error)) {
      const [open] = await db
        .select({ id: referrals.id })
        .from(referrals)
        .where(and(eq(referrals.personId, values.personId), eq(referrals.programmeId, values.programmeId), inArray(referrals.status, [...openStatuses])));
      if (open) throw duplicateReferralError(open.id);
    }
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === '23505' || e?.cause?.code === '23505';
}

/**
 * Makes a workflow transition (ids in src/domain/referral/workflow.ts, e.g. `allocate`) with optimistic locking,
 * and its effects in the same transaction. Refusals: AccessDenied (site or role), EditConflict (stale version),
 * ValidationFailed on `reason` (required and missing), `transition` (closed, not from this status, unknown),
 * `eligibility` (the gate of add_to_waitlist and allocate) or `groupId` (allocate needs a named group with a
 * free place). History and audit are written together.
 */
export async function transitionReferral(
  db: Db,
  actor: Actor,
  referralId: number,
  transitionId: string,
  input: unknown,
  today = londonToday(),
  /** Only the completion record (services/progress.ts) passes true: see ReferralTransition.byCompletionRecord. */
  byCompletionRecord = false,
): Promise<Referral> {
  authorise(actor, 'referral.transition');
  const { reason, version, groupId } = validate(transitionInput, input ?? {});
  return db.transaction(async (tx) => {
    const current = await loadReferralFor(tx, actor, referralId, 'referral.transition');
    if (current.version !== version) throw new EditConflict(`Referral ${referralId}`);
    const history = await tx
      .select({ toStatus: referralHistory.toStatus })
      .from(referralHistory)
      .where(eq(referralHistory.referralId, referralId))
      .orderBy(asc(referralHistory.occurredAt), asc(referralHistory.id));
    const outcome = applyTransition(
      { status: current.status as ReferralStatusId },
      transitionId,
      actor,
      reason,
      statusBeforeHold(history.map((h) => h.toStatus as ReferralStatusId)),
      byCompletionRecord,
    );
    if (!outcome.ok) {
      if (outcome.refusal === 'not_allowed_for_role') throw new AccessDenied(outcome.message);
      if (outcome.refusal === 'reason_required') throw ValidationFailed.one('reason', outcome.message);
      throw ValidationFailed.one('transition', outcome.message);
    }
    if (referralStatus(outcome.status).open && outcome.status !== current.status) {
      // Reopening paths (none today besides resume) must not make a second open referral.
      const other = await openReferralOf(tx, current.personId, current.programmeId);
      if (other && other.id !== current.id) throw duplicateReferralError(other.id);
    }
    const { effects } = outcome;
    if (effects.includes('requires_eligibility')) await requireEligible(tx, actor, current, outcome.transition, today);
    const groupChange: { joined?: number; left?: number } = {};
    if (effects.includes('leaves_group')) {
      const left = await leaveGroup(tx, current.id, outcome.reason ?? referralStatus(outcome.status).label);
      if (left !== null) groupChange.left = left;
    }
    if (effects.includes('joins_group')) groupChange.joined = (await joinGroup(tx, current, groupId)).id;
    return writeTransition(tx, actor, current, outcome.status, outcome.transition.id, outcome.reason, effects, groupChange);
  });
}

async function loadReferralFor(tx: Tx | Db, actor: Actor, referralId: number, action: Action): Promise<Referral> {
  if (!Number.isInteger(referralId) || referralId <= 0) throw new NotFound('Referral');
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, referralId));
  if (!row) throw new NotFound('Referral');
  authorise(actor, action, row.siteId);
  await requireOwnMan(tx, actor, row.personId, action);
  return row;
}

/** A referral with the man, site, programme, history, eligibility, latest risk, group and the transitions the actor may make. Audited. */
export async function getReferral(db: Db, actor: Actor, referralId: number, today = londonToday()): Promise<ReferralRecord> {
  authorise(actor, 'referral.read');
  return db.transaction(async (tx) => {
    const referral = await loadReferralFor(tx, actor, referralId, 'referral.read');
    const [person] = await tx.select(personIdentity).from(people).where(eq(people.id, referral.personId));
    const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, referral.siteId));
    const history = await tx
      .select()
      .from(referralHistory)
      .where(eq(referralHistory.referralId, referralId))
      .orderBy(asc(referralHistory.occurredAt), asc(referralHistory.id));
    const programme = await currentProgramme(tx, referral.programmeId);
    const record = await readPersonRecord(tx, actor, referral.personId);
    const eligibility = await eligibilityFor(tx, record, referral.programmeId, today);
    const latestScores = record.scores.filter((s, i) => record.scores.findIndex((t) => t.instrument === s.instrument) === i);
    const status = referral.status as ReferralStatusId;
    const transitions = availableTransitions(status, actor.role);
    const canJoin = transitions.some((t) => (t.effects as readonly TransitionEffect[]).includes('joins_group'));
    // The page shows his eligibility and risk scores too: the entry says whose record was read, and which parts.
    await appendAudit(tx, actor, {
      action: 'referral.viewed',
      subjectType: 'referral',
      subjectId: referralId,
      siteId: referral.siteId,
      details: { personId: referral.personId, parts: ['eligibility', 'risk_scores'] },
    });
    return {
      referral: { ...referral, status },
      person,
      siteName: site?.name ?? '',
      programme: { id: programme.id, name: programme.name },
      history,
      transitions,
      eligibility,
      latestScores,
      group: await currentGroupOf(tx, referralId),
      recordsCompletion: recordsCompletionFrom(status, actor.role),
      groupChoices: canJoin ? await groupsWithPlaces(tx, referral.siteId, referral.programmeId) : [],
    };
  });
}
