// zod field builders shared by the people, scoring and referral services. They accept both JSON (numbers,
// booleans, null) and HTML form values (strings, '' for "not given"), so pages and the API share one schema.
import { z } from 'zod';
import { isCalendarDate } from '../domain/people/dates.js';

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : typeof v === 'string' ? v.trim() || undefined : v);

/** A required calendar day YYYY-MM-DD. */
export function requiredDate(label: string) {
  return z.preprocess(
    blankToUndefined,
    z.string({ error: `Enter the ${label}` }).refine(isCalendarDate, `${capitalise(label)} must be a real date, like 2024-03-27`),
  );
}

/** An optional calendar day: '' or null means not recorded (stored as null). */
export function optionalDate(label: string) {
  return z.preprocess(
    (v) => blankToUndefined(v) ?? null,
    z
      .string()
      .refine(isCalendarDate, `${capitalise(label)} must be a real date, like 2024-03-27`)
      .nullable(),
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
  const notWhole = `${capitalise(label)} must be a whole number`;
  let n = z
    .number({ error: (issue) => (issue.input === undefined ? `Enter the ${label}` : notWhole) })
    .int(notWhole)
    .min(min, `${capitalise(label)} must be ${min} or more`);
  if (max !== undefined) n = n.max(max, `${capitalise(label)} must be ${max} or less`);
  return z.preprocess((v) => toNumber(blankToUndefined(v)), n);
}

/** A whole number in a range, or null when not recorded. */
export function optionalWholeNumber(label: string, min: number, max?: number) {
  let n = z
    .number({ error: `${capitalise(label)} must be a whole number` })
    .int(`${capitalise(label)} must be a whole number`)
    .min(min, `${capitalise(label)} must be ${min} or more`);
  if (max !== undefined) n = n.max(max, `${capitalise(label)} must be ${max} or less`);
  return z.preprocess((v) => toNumber(blankToUndefined(v)) ?? null, n.nullable());
}

/**
 * A number that takes `fallback` when not sent at all (callers of the service may leave it out), must be given
 * when a form sends it blank, and when it is not a number says so with an example ("Caliper must be a number,
 * like 0.2"). `unit` (plural) reads after "whole number of" and after the bounds.
 */
export function numberWithDefault(
  label: string,
  options: { example: string; whole?: boolean; unit?: string; min?: number; moreThan?: number; max: number; fallback: number },
) {
  const Label = capitalise(label);
  const unit = options.unit ? ` ${options.unit}` : '';
  const kind = options.whole ? `a whole number${options.unit ? ` of ${options.unit}` : ''}` : 'a number';
  const notNumber = `${Label} must be ${kind}, like ${options.example}`;
  let n = z
    .number({ error: (issue) => (issue.input === undefined ? `Enter the ${label}` : notNumber) })
    .max(options.max, `${Label} must be ${options.max}${unit} or less`);
  if (options.whole) n = n.int(notNumber);
  if (options.min !== undefined) n = n.min(options.min, `${Label} must be ${options.min}${unit} or more`);
  if (options.moreThan !== undefined) n = n.gt(options.moreThan, `${Label} must be more than ${options.moreThan}${unit}`);
  const parse = (v: unknown): unknown => {
    if (v === undefined) return options.fallback;
    if (typeof v !== 'string') return v;
    const text = v.trim();
    if (text === '') return undefined;
    return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : v;
  };
  return z.preprocess(parse, n);
}

/** The version the caller read, for optimistic locking. */
export const versionField = z.preprocess(
  toNumber,
  z.number({ error: 'The form is missing the record version; reload the page' }).int().positive('The form is missing the record version; reload the page'),
);

/** The version the caller read, for optimistic locking of a record that may not exist yet: 0 when it was not written. */
export const versionOrNew = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
  z.number({ error: 'The form is missing the record version; reload the page' }).int().min(0, 'The form is missing the record version; reload the page'),
);

/** Required free text of at most `max` characters, trimmed; `label` reads after "Enter". */
export function requiredText(label: string, max: number) {
  return z
    .string({ error: `Enter ${label}` })
    .trim()
    .min(1, `Enter ${label}`)
    .max(max, `${capitalise(label.replace(/^(the|your) /, ''))} must be ${max} characters or fewer`);
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A record chosen from a list (a select's value): a positive whole number, with `message` when none was chosen. */
export const requiredId = (message: string) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? undefined : v), z.coerce.number({ error: message }).int(message).positive(message));
export const optionalId = (message: string) =>
  z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? undefined : v),
    z.coerce.number({ error: message }).int(message).positive(message).optional(),
  );
