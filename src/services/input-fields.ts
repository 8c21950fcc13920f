// zod field builders shared by the people, scoring and referral services. They accept both JSON (numbers,
// booleans, null) and HTML form values (strings, '' for "not given"), so pages and the API share one schema.
import { z } from 'zod';
import { isCalendarDate } from '../domain/people/dates.js';

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : typeof v === 'string' ? v.trim() || undefined : v);

/** A required calendar day YYYY-MM-DD. */
export function requiredDate(label: string) {
  return z.preprocess(
    blankToUndefined,
    z
      .string({ error: `Enter the ${label}` })
      .refine(isCalendarDate, `${capitalise(label)} must be a real date, like 2024-03-27`),
  );
}

/** An optional calendar day: '' or null means not recorded (stored as null). */
export function optionalDate(label: string) {
  return z.preprocess(
    (v) => blankToUndefined(v) ?? null,
    z.string().refine(isCalendarDate, `${capitalise(label)} must be a real date, like 2024-03-27`).nullable(),
  );
}

const truthy = new Set(['true', 'yes', 'on', '1']);
const falsy = new Set(['false', 'no', '0']);

function toBoolean(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (truthy.has(s)) return true;
  if (falsy.has(s)) return false;
  return v;
}

/** A yes/no that must be answered. */
export function requiredBoolean(label: string) {
  return z.preprocess((v) => toBoolean(blankToUndefined(v)), z.boolean({ error: `Select yes or no for ${label}` }));
}

/** A checkbox: absent means false. */
export function checkbox(label: string) {
  return z.preprocess((v) => toBoolean(blankToUndefined(v) ?? false), z.boolean({ error: `Select yes or no for ${label}` }));
}

/** A yes/no that may be unknown: '' or null means not recorded. */
export function optionalBoolean(label: string) {
  return z.preprocess((v) => toBoolean(blankToUndefined(v) ?? null), z.boolean({ error: `Select yes, no or not known for ${label}` }).nullable());
}

function toNumber(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
}

/** A whole number in a range, required. */
export function requiredWholeNumber(label: string, min: number, max?: number) {
  let n = z.number({ error: `${capitalise(label)} must be a whole number` }).int(`${capitalise(label)} must be a whole number`).min(min, `${capitalise(label)} must be ${min} or more`);
  if (max !== undefined) n = n.max(max, `${capitalise(label)} must be ${max} or less`);
  return z.preprocess((v) => toNumber(blankToUndefined(v)), z.union([z.undefined(), n]).refine((x) => x !== undefined, `Enter the ${label}`).transform((x) => x as number));
}

/** A whole number in a range, or null when not recorded. */
export function optionalWholeNumber(label: string, min: number, max?: number) {
  let n = z.number({ error: `${capitalise(label)} must be a whole number` }).int(`${capitalise(label)} must be a whole number`).min(min, `${capitalise(label)} must be ${min} or more`);
  if (max !== undefined) n = n.max(max, `${capitalise(label)} must be ${max} or less`);
  return z.preprocess((v) => toNumber(blankToUndefined(v)) ?? null, n.nullable());
}

/** The version the caller read, for optimistic locking. */
export const versionField = z.preprocess(
  toNumber,
  z.number({ error: 'The form is missing the record version; reload the page' }).int().positive('The form is missing the record version; reload the page'),
);

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
