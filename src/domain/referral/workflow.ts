// The referral workflow as data: the statuses a referral passes through and the transitions between them,
// with who may make each one and whether a reason is required. The functions below only read these tables.
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
  { id: 'allocated', label: 'Allocated to a group', open: true, tag: 'govuk-tag--blue' },
  { id: 'on_programme', label: 'On programme', open: true, tag: 'govuk-tag--purple' },
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
  },
  {
    id: 'accept_for_assessment',
    from: ['submitted'],
    to: 'awaiting_assessment',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Accept for assessment',
    confirmation: 'Are you sure you want to accept this referral for assessment?',
  },
  {
    id: 'start_assessment',
    from: ['awaiting_assessment'],
    to: 'assessment_started',
    roles: assessors,
    reasonRequired: false,
    label: 'Start assessment',
    confirmation: 'Are you sure you want to start the assessment?',
  },
  {
    id: 'record_not_eligible',
    from: ['assessment_started'],
    to: 'not_eligible',
    roles: assessors,
    reasonRequired: true,
    label: 'Record as not eligible',
    confirmation: 'Are you sure he is not eligible for the programme? This closes the referral.',
  },
  {
    id: 'record_not_suitable',
    from: ['assessment_started'],
    to: 'not_suitable',
    roles: assessors,
    reasonRequired: true,
    label: 'Record as not suitable',
    confirmation: 'Are you sure he is not suitable for the programme? This closes the referral.',
  },
  {
    id: 'record_suitable_not_ready',
    from: ['assessment_started'],
    to: 'suitable_not_ready',
    roles: assessors,
    reasonRequired: true,
    label: 'Record as suitable but not ready',
    confirmation: 'Are you sure he is suitable but not yet ready for the programme?',
  },
  {
    id: 'record_suitable',
    from: ['assessment_started'],
    to: 'assessed_suitable',
    roles: assessors,
    reasonRequired: false,
    label: 'Record as suitable',
    confirmation: 'Are you sure he is suitable for the programme?',
  },
  {
    id: 'return_for_assessment',
    from: ['suitable_not_ready'],
    to: 'awaiting_assessment',
    roles: assessors,
    reasonRequired: false,
    label: 'Return for assessment',
    confirmation: 'Is he now ready to be assessed again?',
  },
  {
    id: 'add_to_waitlist',
    from: ['assessed_suitable'],
    to: 'awaiting_allocation',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Add to waitlist',
    confirmation: 'Are you sure you want to add him to the waitlist for a group?',
  },
  {
    id: 'allocate',
    from: ['awaiting_allocation'],
    to: 'allocated',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Allocate to a group',
    confirmation: 'Are you sure you want to allocate him to this group?',
  },
  {
    id: 'start_programme',
    from: ['allocated'],
    to: 'on_programme',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Start programme',
    confirmation: 'Are you sure he has started the programme?',
  },
  {
    id: 'complete_programme',
    from: ['on_programme'],
    to: 'programme_complete',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Record programme complete',
    confirmation: 'Are you sure he has completed the programme? This closes the referral.',
  },
  {
    id: 'deselect',
    from: ['on_programme'],
    to: 'deselected',
    roles: treatmentManager,
    reasonRequired: true,
    label: 'Deselect from programme',
    confirmation: 'Are you sure you want to deselect him from the programme? This closes the referral.',
  },
  {
    id: 'put_on_hold',
    from: holdableStatuses,
    to: 'on_hold',
    roles: treatmentManager,
    reasonRequired: true,
    label: 'Put on hold',
    confirmation: 'Are you sure you want to put this referral on hold?',
  },
  {
    id: 'resume',
    from: ['on_hold'],
    to: 'status_before_hold',
    roles: treatmentManager,
    reasonRequired: false,
    label: 'Take off hold',
    confirmation: 'Are you sure you want to take this referral off hold? It returns to where it was before.',
  },
  {
    id: 'withdraw',
    from: openStatuses,
    to: 'withdrawn',
    roles: treatmentManager,
    reasonRequired: true,
    label: 'Withdraw referral',
    confirmation: 'Are you sure you want to withdraw this referral? This closes the referral.',
  },
] as const satisfies readonly ReferralTransition[];


/** The transitions this role may make from this status, in table order (the order of the buttons). */
export function availableTransitions(status: ReferralStatusId, role: Role): ReferralTransition[] {
  return referralTransitions.filter(
    (t) => (t.from as readonly ReferralStatusId[]).includes(status) && (t.roles as readonly Role[]).includes(role),
  );
}

export type TransitionRefusal =
  | 'unknown_transition'
  | 'closed'
  | 'not_from_this_status'
  | 'not_allowed_for_role'
  | 'reason_required'
  | 'previous_status_required';

export type TransitionOutcome =
  | { ok: true; status: ReferralStatusId; transition: ReferralTransition; reason?: string }
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
  const trimmed = reason?.trim();
  if (transition.reasonRequired && !trimmed) return refuse('reason_required', `Give a reason to "${transition.label.toLowerCase()}".`);
  let status: ReferralStatusId;
  if (transition.to === 'status_before_hold') {
    if (!previousStatusFromHistory || !holdableStatuses.includes(previousStatusFromHistory)) {
      return refuse('previous_status_required', 'The status before the hold is needed (from the referral history) to take it off hold.');
    }
    status = previousStatusFromHistory;
  } else {
    status = transition.to;
  }
  return trimmed ? { ok: true, status, transition, reason: trimmed } : { ok: true, status, transition };
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
