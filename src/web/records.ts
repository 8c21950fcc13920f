// Shared by the people, referral, caseload and waitlist pages: who may open them, today's date in the UK,
// GOV.UK three-field dates, labels for statuses and categories, and id parameters.
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

/**
 * Folds GOV.UK date inputs (field-day, field-month, field-year) into field = YYYY-MM-DD; all three blank
 * gives ''. Anything not numeric is passed on as typed, so the service's validation names the field.
 */
export function foldDates(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out = { ...body };
  for (const f of fields) {
    const parts = ['day', 'month', 'year'].map((p) => String(body[`${f}-${p}`] ?? '').trim());
    for (const p of ['day', 'month', 'year']) delete out[`${f}-${p}`];
    if (parts.every((p) => p === '')) {
      if (!(f in body)) out[f] = '';
      continue;
    }
    const [d, m, y] = parts;
    out[f] = /^\d{1,2}$/.test(d) && /^\d{1,2}$/.test(m) && /^\d{4}$/.test(y) ? `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}` : `${y}-${m}-${d}`;
  }
  return out;
}

/** The three GOV.UK date input items for a stored or submitted YYYY-MM-DD value. */
export function dateItems(name: string, value: unknown, hasError: boolean) {
  const [y, m, d] = typeof value === 'string' && value ? value.split('-') : ['', '', ''];
  const cls = (width: number) => `govuk-input--width-${width}${hasError ? ' govuk-input--error' : ''}`;
  return [
    { name: 'day', label: 'Day', id: `${name}-day`, value: d?.replace(/^0(?=\d)/, ''), classes: cls(2) },
    { name: 'month', label: 'Month', id: `${name}-month`, value: m?.replace(/^0(?=\d)/, ''), classes: cls(2) },
    { name: 'year', label: 'Year', id: `${name}-year`, value: y, classes: cls(4) },
  ];
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
