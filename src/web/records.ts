// Shared by the people, referral, caseload and waitlist pages: who may open them, today's date in the UK,
// labels for statuses and categories, and id parameters.
import { referralStatus, referralStatuses, type ReferralStatusId } from '../domain/referral/workflow.js';
import { ValidationFailed } from '../services/errors.js';
import { forRoles } from './access.js';

export const recordReaders = forRoles('treatment_manager', 'assessor', 'facilitator', 'auditor');
export const recordEditors = forRoles('treatment_manager', 'assessor');
export const treatmentManagers = forRoles('treatment_manager');

const londonDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's calendar day in the UK, YYYY-MM-DD. */
export function todayInUk(now = new Date()): string {
  return londonDay.format(now);
}

export function idParam(params: unknown, name = 'id', what = 'Record'): number {
  const id = Number((params as Record<string, string>)[name]);
  if (!Number.isInteger(id) || id <= 0) throw ValidationFailed.one(name, `${what} id must be a positive whole number`);
  return id;
}

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

export const instrumentNames: Record<string, string> = { rm2000s: 'RM2000/S', osp_dc: 'OSP/DC', osp_iic: 'OSP/IIC' };

/** A query string with one value changed (for sort and page links that keep the other filters). */
export function withQuery(base: string, query: Record<string, unknown>, change: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, ...change })) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}
