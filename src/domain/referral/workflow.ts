// The referral workflow as data: the statuses a referral passes through and the transitions between them,
// with who may make each one, whether a reason is required and what else each one does (its effects).
// The functions below only read these tables.
//
// Group membership (issue 8). A referral is in a status marked `inGroup` (allocated, on programme) if and only
// if the man is a current member of a group of the referral's programme. So:
// - the only way in is `allocate`, whose `joins_group` effect needs a named group (with a free place, at the
//   referral's site, of its programme): from the group page or from the referral page;
// - every transition out of an inGroup status has the `leaves_group` effect, which ends the membership
//   (group_members.left_at and left_reason are set): removal from the group (back to the waitlist), hold,
//   withdrawal, deselection and completion alike. Completed and deselected men keep their past membership
//   as history; "current" means left_at is null, so closed referrals never have a current membership;
// - taking a referral off hold never lands in an inGroup status: the hold ended the membership, so a man
//   held while allocated or on programme returns to awaiting allocation (see resumeStatus).
// findMembershipDisagreements is the check of this rule over stored data (`sotp db check`).
import type { Role } from '../roles.js';

export const referralStatuses = [
  { id: 'draft', label: 'Draft', open: true, tag: 'govuk-tag--grey' },
  { id: 'submitted', label: 'Submitted', open: true, tag: 'govuk-tag--light-blue' },
  { id: 'awaiting_assessment', label: 'Awaiting assessment', open: true, tag: 'govuk-tag--blue' },
  { id: 'assessment_started', label: 'Assessment started', open: true, tag: 'govuk-tag--purple' },
  { id: 'not_eligible', label: 'Not eligible', open: false, tag: 'govuk-tag--red' },
  { id: 'not_suitable', label: 'Not suitable', open: false, tag: 'govuk-tag--red' },
  // Open, not closed: a man who is suitable but not yet ready (e.g. needs to finish another intervention first)
  // goes back to awaiting assessment when he is ready, rather than needing a new referral.
  { id: 'suitable_not_ready', label: 'Suitable but not ready', open: true, tag: 'govuk-tag--orange' },
  { id: 'assessed_suitable', label: 'Assessed as suitable', open: true, tag: 'govuk-tag--green' },
  { id: 'awaiting_allocation', label: 'Awaiting allocation', open: true, tag: 'govuk-tag--turquoise' },
  { id: 'allocated', label: 'Allocated to a group', open: true, tag: 'govuk-tag--blue', inGroup: true },
  { id: 'on_programme', label: 'On programme', open: true, tag: 'govuk-tag--purple', inGroup: true },
  { id: 'programme_complete', label: 'Programme complete', open: false, tag: 'govuk-tag--green' },
  { id: 'deselected', label: 'Deselected', open: false, tag: 'govuk-tag--pink' },
  { id: 'on_hold', label: 'On hold', open: true, tag: 'govuk-tag--yellow' },
  { id: 'withdrawn', label: 'Withdrawn', open: false, tag: 'govuk-tag--grey' },
] as const;

export type ReferralStatusId = (typeof referralStatuses)[number]['id'];
export type ReferralStatus = (typeof referralStatuses)[number];

export const openStatuses: readonly ReferralStatusId[] = referralStatuses.filter((s) => s.open).map((s) => s.id);

export function referralStatus(id: ReferralStatusId): ReferralStatus {
  return referralStatuses.find((s) => s.id === id)!;
}

/** The statuses a man is in only while a current member of a group of the referral's programme. */
export const inGroupStatuses: readonly ReferralStatusId[] = referralStatuses.filter((s) => 'inGroup' in s && s.inGroup).map((s) => s.id);

export function isInGroupStatus(status: string): boolean {
  return (inGroupStatuses as readonly string[]).includes(status);
}

/**
 * What a transition does besides changing the status; the referral service carries each out in the same
 * transaction, so the effect cannot happen without the status change or the other way round.
 * - requires_eligibility: refused unless his eligibility for the programme is "eligible", computed or by a
 *   treatment manager's override ("undetermined" needs the missing facts or an override);
 * - joins_group: needs a named group of the programme at the referral's site with a free place; he joins it;
 * - leaves_group: his current membership (if any) ends, with the transition's reason or label as why;
 * - starts_waiting: he joins the waitlist now (days waiting count from here).
 */
export type TransitionEffect = 'requires_eligibility' | 'joins_group' | 'leaves_group' | 'starts_waiting';

/** `to` is a status, or `status_before_hold`: the status the referral had before it was put on hold. */
export interface ReferralTransition {
  readonly id: string;
  readonly from: readonly ReferralStatusId[];
  readonly to: ReferralStatusId | 'status_before_hold';
  readonly roles: readonly Role[];
  readonly reasonRequired: boolean;
  /** The button text. */
  readonly label: string;
  /** The question on the confirmation page. */
  readonly confirmation: string;
  readonly effects: readonly TransitionEffect[];
  /**
   * Made only by the treatment manager's completion record for a member of a group, which checks what the
   * referral page cannot: the programme's completion rule, and a deselection reason from the programme's list.
   * Such a transition is never offered as a referral action, and is refused unless the completion record makes it.
   */
  readonly byCompletionRecord?: boolean;
  /** For `status_before_hold`: what returning to each status does as well (back on the waitlist, he starts waiting again). */
  readonly effectsOnReturnTo?: Readonly<Partial<Record<ReferralStatusId, readonly TransitionEffect[]>>>;
}

const assessors: readonly Role[] = ['assessor', 'treatment_manager'];
const treatmentManager: readonly Role[] = ['treatment_manager'];

/** Where a referral may be put on hold from: the open statuses where work is waiting or under way. */
export const holdableStatuses: readonly ReferralStatusId[] = [
  'submitted',
  'awaiting_assessment',
  'assessment_started',
  'assessed_suitable',
  'awaiting_allocation',
  'allocated',
  'on_programme',
];

// Administrators appear in no transition: they run the system but make no clinical decisions.
export const referralTransitions = [
  {
    id: 'submit',
    from: ['draft'],
    to: 'submitted',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Submit referral',
    confirmation: 'Are you sure you want to submit this referral?',
    effects: [],
  },
  {
    id: 'accept_for_assessment',
    from: ['submitted'],
    to: 'awaiting_assessment',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Accept for assessment',
    confirmation: 'Are you sure you want to accept this referral for assessment?',
    effects: [],
  },
  {
    id: 'start_assessment',
    from: ['awaiting_assessment'],
    to: 'assessment_started',
    roles: assessors,
    reasonRequired: false,
    label: 'Start assessment',
    confirmation: 'Are you sure you want to start the assessment?',
    effects: [],
  },
  {
    id: 'record_not_eligible',
    from: ['assessment_started'],
    to: 'not_eligible',
    roles: assessors,
    reasonRequired: true,
    label: 'Record as not eligible',
    confirmation: 'Are you sure he is not eligible for the programme? This closes the referral.',
    effects: [],
  },
  {
    id: 'record_not_suitable',
    from: ['assessment_started'],
    to: 'not_suitable',
    roles: assessors,
    reasonRequired: true,
    label: 'Record as not suitable',
    confirmation: 'Are you sure he is not suitable for the programme? This closes the referral.',
    effects: [],
  },
  {
    id: 'record_suitable_not_ready',
    from: ['assessment_started'],
    to: 'suitable_not_ready',
    roles: assessors,
    reasonRequired: true,
    label: 'Record as suitable but not ready',
    confirmation: 'Are you sure he is suitable but not yet ready for the programme?',
    effects: [],
  },
  {
    id: 'record_suitable',
    from: ['assessment_started'],
    to: 'assessed_suitable',
    roles: assessors,
    reasonRequired: false,
    label: 'Record as suitable',
    confirmation: 'Are you sure he is suitable for the programme?',
    effects: [],
  },
  {
    id: 'return_for_assessment',
    from: ['suitable_not_ready'],
    to: 'awaiting_assessment',
    roles: assessors,
    reasonRequired: false,
    label: 'Return for assessment',
    confirmation: 'Is he now ready to be assessed again?',
    effects: [],
  },
  {
    id: 'add_to_waitlist',
    from: ['assessed_suitable'],
    to: 'awaiting_allocation',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Add to waitlist',
    confirmation: 'Are you sure you want to add him to the waitlist for a group?',
    effects: ['requires_eligibility', 'starts_waiting'],
  },
  {
    id: 'allocate',
    from: ['awaiting_allocation'],
    to: 'allocated',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Allocate to a group',
    confirmation: 'Which group do you want to allocate him to?',
    effects: ['requires_eligibility', 'joins_group'],
  },
  {
    id: 'start_programme',
    from: ['allocated'],
    to: 'on_programme',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Start programme',
    confirmation: 'Are you sure he has started the programme?',
    effects: [],
  },
  {
    id: 'remove_from_group',
    from: ['allocated', 'on_programme'],
    to: 'awaiting_allocation',
    roles: treatmentManager,
    reasonRequired: true,
    label: 'Remove from group',
    confirmation: 'Are you sure you want to remove him from his group? He goes back on the waitlist.',
    effects: ['leaves_group', 'starts_waiting'],
  },
  {
    id: 'complete_programme',
    from: ['on_programme'],
    byCompletionRecord: true,
    to: 'programme_complete',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Record programme complete',
    confirmation: 'Are you sure he has completed the programme? This closes the referral.',
    effects: ['leaves_group'],
  },
  {
    id: 'deselect',
    from: ['on_programme'],
    byCompletionRecord: true,
    to: 'deselected',
    roles: treatmentManager,
    reasonRequired: true,
    label: 'Deselect from programme',
    confirmation: 'Are you sure you want to deselect him from the programme? This closes the referral.',
    effects: ['leaves_group'],
  },
  {
    id: 'put_on_hold',
    from: holdableStatuses,
    to: 'on_hold',
    roles: treatmentManager,
    reasonRequired: true,
    label: 'Put on hold',
    confirmation: 'Are you sure you want to put this referral on hold?',
    effects: ['leaves_group'],
  },
  {
    id: 'resume',
    from: ['on_hold'],
    to: 'status_before_hold',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Take off hold',
    confirmation: 'Are you sure you want to take this referral off hold? It returns to where it was before.',
    effects: [],
    // His days waiting count from his return, as after removal from a group: the days on hold were not waiting.
    effectsOnReturnTo: { awaiting_allocation: ['starts_waiting'] },
  },
  {
    id: 'withdraw',
    from: openStatuses,
    to: 'withdrawn',
    roles: treatmentManager,
    reasonRequired: true,
    label: 'Withdraw referral',
    confirmation: 'Are you sure you want to withdraw this referral? This closes the referral.',
    effects: ['leaves_group'],
  },
] as const satisfies readonly ReferralTransition[];

/** The referral actions this role may take from this status, in table order (the order of the buttons). */
export function availableTransitions(status: ReferralStatusId, role: Role): ReferralTransition[] {
  return referralTransitions.filter((t: ReferralTransition) => t.from.includes(status) && t.roles.includes(role) && !t.byCompletionRecord);
}

/** Whether this role records completion or deselection from this status (on the group's completion form, not as a referral action). */
export function recordsCompletionFrom(status: ReferralStatusId, role: Role): boolean {
  return referralTransitions.some((t: ReferralTransition) => t.byCompletionRecord && t.from.includes(status) && t.roles.includes(role));
}

export type TransitionRefusal =
  | 'unknown_transition'
  | 'closed'
  | 'not_from_this_status'
  | 'not_allowed_for_role'
  | 'needs_completion_record'
  | 'reason_required'
  | 'previous_status_required';

export type TransitionOutcome =
  | { ok: true; status: ReferralStatusId; transition: ReferralTransition; effects: readonly TransitionEffect[]; reason?: string }
  | { ok: false; refusal: TransitionRefusal; message: string };

/**
 * Makes a transition, or says why not. For `resume`, the caller passes the status before the hold, read from
 * the referral's history (see statusBeforeHold).
 */
export function applyTransition(
  referral: { status: ReferralStatusId },
  transitionId: string,
  actor: { role: Role },
  reason?: string,
  previousStatusFromHistory?: ReferralStatusId,
  byCompletionRecord = false,
): TransitionOutcome {
  const refuse = (refusal: TransitionRefusal, message: string): TransitionOutcome => ({ ok: false, refusal, message });
  const transition: ReferralTransition | undefined = referralTransitions.find((t) => t.id === transitionId);
  if (!transition) return refuse('unknown_transition', `There is no referral action called "${transitionId}".`);
  const current = referralStatus(referral.status);
  if (!current.open) return refuse('closed', `The referral is closed (${current.label.toLowerCase()}): nothing more can be done with it.`);
  if (!transition.from.includes(referral.status)) {
    return refuse('not_from_this_status', `"${transition.label}" cannot be done while the referral is ${current.label.toLowerCase()}.`);
  }
  if (!transition.roles.includes(actor.role)) {
    return refuse('not_allowed_for_role', `A ${actor.role.replace(/_/g, ' ')} may not "${transition.label.toLowerCase()}".`);
  }
  if (transition.byCompletionRecord && !byCompletionRecord) {
    return refuse(
      'needs_completion_record',
      `"${transition.label}" is recorded on the completion form of his group, which checks the programme's completion rule and deselection reasons.`,
    );
  }
  const trimmed = reason?.trim();
  if (transition.reasonRequired && !trimmed) return refuse('reason_required', `Give a reason to "${transition.label.toLowerCase()}".`);
  let status: ReferralStatusId;
  if (transition.to === 'status_before_hold') {
    if (!previousStatusFromHistory || !holdableStatuses.includes(previousStatusFromHistory)) {
      return refuse('previous_status_required', 'The status before the hold is needed (from the referral history) to take it off hold.');
    }
    status = resumeStatus(previousStatusFromHistory);
  } else {
    status = transition.to;
  }
  const effects = [...transition.effects, ...(transition.effectsOnReturnTo?.[status] ?? [])];
  return trimmed ? { ok: true, status, transition, effects, reason: trimmed } : { ok: true, status, transition, effects };
}

/**
 * Where taking a referral off hold leads: back to the status before the hold, except that the hold ended any
 * group membership, so a man held while in a group returns to the waitlist (awaiting allocation).
 */
export function resumeStatus(before: ReferralStatusId): ReferralStatusId {
  return isInGroupStatus(before) ? 'awaiting_allocation' : before;
}

/** A referral as the membership check sees it, and his current memberships (left_at is null). */
export interface StatusAndMembership {
  referralId: number;
  status: string;
  programmeId: string;
  /** Current memberships only. */
  groups: ReadonlyArray<{ groupId: number; programmeId: string }>;
}

export interface MembershipDisagreement {
  referralId: number;
  status: string;
  problem: string;
}

/**
 * Every referral whose status and group membership disagree with the rule at the top of this file: in an
 * inGroup status with no current membership of a group of its programme, a current member while in any other
 * status, or a current member of more than one group. Ordered by referral id.
 */
export function findMembershipDisagreements(referrals: readonly StatusAndMembership[]): MembershipDisagreement[] {
  const found: MembershipDisagreement[] = [];
  for (const r of [...referrals].sort((a, b) => a.referralId - b.referralId)) {
    const label = referralStatuses.some((s) => s.id === r.status) ? referralStatus(r.status as ReferralStatusId).label.toLowerCase() : r.status;
    const ofProgramme = r.groups.filter((g) => g.programmeId === r.programmeId);
    const problem = (p: string) => found.push({ referralId: r.referralId, status: r.status, problem: p });
    if (r.groups.length > 1) {
      problem(`a current member of ${r.groups.length} groups (${r.groups.map((g) => g.groupId).join(', ')}); at most one is allowed`);
    } else if (isInGroupStatus(r.status)) {
      if (r.groups.length === 0) problem(`${label} but a current member of no group`);
      else if (ofProgramme.length === 0) problem(`${label} but his group ${r.groups[0].groupId} runs another programme (${r.groups[0].programmeId})`);
    } else if (r.groups.length > 0) {
      problem(`a current member of group ${r.groups[0].groupId} but ${label}, not allocated or on programme`);
    }
  }
  return found;
}

/** The status a referral had just before its latest hold, from its statuses in time order; undefined if never held. */
export function statusBeforeHold(history: readonly ReferralStatusId[]): ReferralStatusId | undefined {
  const held = history.lastIndexOf('on_hold');
  return held > 0 ? history[held - 1] : undefined;
}

export interface ReferralSummary {
  id: string;
  personId: string;
  programmeId: string;
  status: ReferralStatusId;
}

/**
 * A man may have only one open referral to a programme: returns the open referral that a new (or reopened)
 * referral would duplicate, or undefined when there is none.
 */
export function conflictingReferral(
  existing: readonly ReferralSummary[],
  candidate: { id?: string; personId: string; programmeId: string },
): ReferralSummary | undefined {
  return existing.find(
    (r) => r.id !== candidate.id && r.personId === candidate.personId && r.programmeId === candidate.programmeId && referralStatus(r.status).open,
  );
}
