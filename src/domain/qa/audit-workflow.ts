// The audit workflow as data (issue 13): the statuses an audit of one site and programme passes through and the
// transitions between them, with who may make each and what else each one does. The functions below only read
// these tables, like the referral workflow's.
import type { Role } from '../roles.js';

export const auditStatuses = [
  { id: 'planned', label: 'Planned', open: true, tag: 'govuk-tag--grey' },
  { id: 'in_progress', label: 'In progress', open: true, tag: 'govuk-tag--blue' },
  { id: 'rated', label: 'Rated', open: true, tag: 'govuk-tag--purple' },
  { id: 'site_response', label: 'Site responded', open: true, tag: 'govuk-tag--orange' },
  { id: 'closed', label: 'Closed', open: false, tag: 'govuk-tag--green' },
] as const;

export type AuditStatusId = (typeof auditStatuses)[number]['id'];
export type AuditStatus = (typeof auditStatuses)[number];

export function auditStatus(id: AuditStatusId): AuditStatus {
  return auditStatuses.find((s) => s.id === id)!;
}

export function isAuditStatus(id: string): id is AuditStatusId {
  return auditStatuses.some((s) => s.id === id);
}

/**
 * What a transition does besides changing the status; the audit service carries each out in the same transaction.
 * - draws_sample: the recording sample is drawn (seed and frame stored with the audit, the recordings marked
 *   sampled so retention keeps them);
 * - needs_ratings: both criteria rated, after the programme's minimum recordings were viewed;
 * - needs_response: the site's treatment manager's response and action plan are recorded;
 * - needs_agreed_actions: every action of the plan has an owner and a due date the auditor agrees;
 * - returns_response: the site's response and plan are set aside, with the auditor's reason, for the site to respond again.
 */
export type AuditTransitionEffect = 'draws_sample' | 'needs_ratings' | 'needs_response' | 'needs_agreed_actions' | 'returns_response';

export interface AuditTransition {
  readonly id: string;
  readonly from: readonly AuditStatusId[];
  readonly to: AuditStatusId;
  readonly roles: readonly Role[];
  /** The button text. */
  readonly label: string;
  readonly effects: readonly AuditTransitionEffect[];
}

const auditor: readonly Role[] = ['auditor'];

// Administrators appear in no transition: they may read audits but an audit's judgements are the auditor's and the site's.
export const auditTransitions = [
  { id: 'start', from: ['planned'], to: 'in_progress', roles: auditor, label: 'Draw the sample', effects: ['draws_sample'] },
  { id: 'rate', from: ['in_progress'], to: 'rated', roles: auditor, label: 'Record the ratings', effects: ['needs_ratings'] },
  { id: 'respond', from: ['rated'], to: 'site_response', roles: ['treatment_manager'], label: 'Record the site’s response', effects: ['needs_response'] },
  { id: 'close', from: ['site_response'], to: 'closed', roles: auditor, label: 'Close the audit', effects: ['needs_agreed_actions'] },
  { id: 'revise', from: ['site_response'], to: 'rated', roles: auditor, label: 'Ask the site to revise its plan', effects: ['returns_response'] },
] as const satisfies readonly AuditTransition[];

export type AuditTransitionId = (typeof auditTransitions)[number]['id'];

export type AuditTransitionRefusal = 'closed' | 'not_from_this_status' | 'not_allowed_for_role';

export type AuditTransitionOutcome =
  { ok: true; status: AuditStatusId; transition: AuditTransition } | { ok: false; refusal: AuditTransitionRefusal; message: string };

/** Makes a transition of an audit, or says why not. */
export function applyAuditTransition(audit: { status: AuditStatusId }, transitionId: AuditTransitionId, actor: { role: Role }): AuditTransitionOutcome {
  const transition: AuditTransition = auditTransitions.find((t) => t.id === transitionId)!;
  const current = auditStatus(audit.status);
  if (!current.open) return { ok: false, refusal: 'closed', message: 'The audit is closed: nothing more can be done with it.' };
  if (!transition.from.includes(audit.status)) {
    return { ok: false, refusal: 'not_from_this_status', message: `"${transition.label}" cannot be done while the audit is ${current.label.toLowerCase()}.` };
  }
  if (!transition.roles.includes(actor.role)) {
    return { ok: false, refusal: 'not_allowed_for_role', message: `A ${actor.role.replace(/_/g, ' ')} may not "${transition.label.toLowerCase()}".` };
  }
  return { ok: true, status: transition.to, transition };
}

/** The audit transitions this role may make from this status, in table order (the order of the buttons). */
export function availableAuditTransitions(status: AuditStatusId, role: Role): AuditTransition[] {
  return auditTransitions.filter((t: AuditTransition) => t.from.includes(status) && t.roles.includes(role));
}
