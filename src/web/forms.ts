// Turns a validation failure into what GOV.UK form pages need: an error summary list linking to
// each field, and a message per field. An error that carries a link (the record it clashes with, the
// page that records what is missing) shows it as a link, in the summary and beside the field.
import type { FieldError, ValidationFailed } from '../services/errors.js';

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c]);
}

function linkHtml(link: NonNullable<FieldError['link']>): string {
  return `<a class="govuk-link" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>`;
}

export interface ErrorViewOptions {
  /** The element a field's summary link goes to when it is not the field's own input (a date's day box). */
  anchors?: Record<string, string>;
  /** Put before field names, in the messages' keys and the links, when several forms share a page. */
  prefix?: string;
  /** The id of a field's input when only the links, not the messages' keys, differ from the field name. */
  fieldId?: (field: string) => string;
}

export function errorView(failure: ValidationFailed, { anchors = {}, prefix = '', fieldId }: ErrorViewOptions = {}) {
  // `html`, when present, is what GOV.UK's macros show instead of `text`.
  const errors: Record<string, { text: string; html?: string }> = {};
  const errorList: Array<{ text: string; href: string; html?: string }> = [];
  for (const e of failure.errors) {
    // The field shows its first problem; the summary lists them all.
    errors[`${prefix}${e.field}`] ??= e.link ? { text: e.message, html: `${escapeHtml(e.message)} ${linkHtml(e.link)}` } : { text: e.message };
    const target = anchors[e.field] ?? (fieldId ? fieldId(e.field) : `${prefix}${e.field.replace(/\./g, '-')}`);
    errorList.push({ text: e.message, href: `#${target}` });
    // An entry without href is shown as it is: here, the link to the way forward.
    if (e.link) errorList.push({ text: e.link.text, href: '', html: linkHtml(e.link) });
  }
  return { errors, errorList };
}

/** A checkbox group's values: one string, several, or none. */
export const checkedValues = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
