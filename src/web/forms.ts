// Turns a validation failure into what GOV.UK form pages need: an error summary list linking to
// each field, and a message per field.
import type { ValidationFailed } from '../services/errors.js';

export function errorView(failure: ValidationFailed) {
  const errors: Record<string, { text: string }> = {};
  const errorList = failure.errors.map((e) => {
    errors[e.field] ??= { text: e.message }; // the field shows its first problem; the summary lists them all
    return { text: e.message, href: `#${e.field.replace(/\./g, '-')}` };
  });
  return { errors, errorList };
}
