// Shared by the people, referral, caseload and waitlist pages: labels for statuses and categories, and links
// that keep a list's filters.
import { referralStatus, referralStatuses, type ReferralStatusId } from '../domain/referral/workflow.js';

export function statusTag(status: string) {
  const known = referralStatuses.find((s) => s.id === status);
  return known ? { text: known.label, classes: known.tag } : { text: status, classes: 'govuk-tag--grey' };
}

export function statusLabel(status: string): string {
  return referralStatuses.some((s) => s.id === status) ? referralStatus(status as ReferralStatusId).label : status;
}

export const riskLabels: Record<string, string> = { low: 'Low', medium: 'Medium', high: 'High', very_high: 'Very high', not_applicable: 'Not applicable' };
export const riskTagClasses: Record<string, string> = {
  low: 'govuk-tag--green',
  medium: 'govuk-tag--yellow',
  high: 'govuk-tag--orange',
  very_high: 'govuk-tag--red',
  not_applicable: 'govuk-tag--grey',
};

export const convictionCategoryLabels: Record<string, string> = {
  sexual_contact: 'Sexual (contact)',
  sexual_non_contact: 'Sexual (non-contact)',
  violent: 'Violent',
  burglary: 'Burglary',
  other: 'Other',
};

/** A query string with one value changed (for sort and page links that keep the other filters). */
export function withQuery(base: string, query: Record<string, unknown>, change: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, ...change })) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}

/** A man's progress state as a tag, on the group and person pages. */
export const progressTags = {
  in_progress: { text: 'In progress', classes: 'govuk-tag--blue' },
  complete: { text: 'Complete', classes: 'govuk-tag--green' },
  deselected: { text: 'Deselected', classes: 'govuk-tag--pink' },
} as const;
