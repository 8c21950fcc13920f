// Turns a validation failure into what GOV.UK form pages need: an error summary list linking to
// each field, and a message per field.
import type { ValidationFailed } from '../services/errors.js';

/**
 * `anchors` names the element a field's summary link goes to when it is not the field's own id (a date's
 * day box); `prefix` is put before field names when several forms share a page.
 */
export function errorView(failure: ValidationFailed, anchors: Record<string, string> = {}, prefix = '') {
  const errors: Record<string, { text: string }> = {};
  const errorList = failure.errors.map((e) => {
    errors[`${prefix}${e.field}`] ??= { text: e.message }; // the field shows its first problem; the summary lists them all
    return { text: e.message, href: `#${anchors[e.field] ?? `${prefix}${e.field.replace(/\./g, '-')}`}` };
  });
  return { errors, errorList };
}
