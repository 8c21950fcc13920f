// The evidence a pipeline move records, checked against the move's fields in the pipeline file: text, dates (real
// days, not in the future where the file says so, not before another date of the move), choices from the file's
// options, and files (of the kinds participants' work may be, sniffed from their bytes, kept in the file store).
import { z } from 'zod';
import type { EvidenceField, StageMove } from '../../domain/staff/pipeline.js';
import { checkedFile, displayName, type ReceivedProduct } from '../delivery/products.js';
import { ValidationFailed, type FieldError } from '../errors.js';
import { optionalDate, requiredDate } from '../input-fields.js';
import { fieldErrors } from '../validate.js';

const text = (f: EvidenceField, max: number) => {
  const base = z.string({ error: `Enter the ${f.label.toLowerCase()}` }).max(max, `${f.label} must be ${max} characters or fewer`);
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v === null ? undefined : v),
    f.required ? base.min(1, `Enter the ${f.label.toLowerCase()}`) : base.optional(),
  );
};

/** The schema of a field the form sends as text (files arrive beside the fields: see evidenceFiles). */
function fieldSchema(f: EvidenceField & { kind: Exclude<EvidenceField['kind'], 'file'> }): z.ZodType<string | null | undefined> {
  switch (f.kind) {
    case 'text':
      return text(f, 500);
    case 'long_text':
      return text(f, 10_000);
    case 'date':
      return (f.required ? requiredDate(f.label.toLowerCase()) : optionalDate(f.label.toLowerCase())) as z.ZodType<string | null>;
    case 'choice': {
      const values = (f.options ?? []).map((o) => o.value);
      const choose = `Select the ${f.label.toLowerCase()}`;
      const choice = z.string({ error: choose }).refine((v) => values.includes(v), choose);
      return z.preprocess((v) => (v === '' || v === null ? undefined : v), f.required ? choice : choice.optional());
    }
  }
}

/**
 * The move's evidence from the input, as text values keyed by field id (blank optional fields left out), or a
 * ValidationFailed naming every field at fault. `today` bounds the dates the file says cannot be in the future.
 */
export function evidenceValues(move: StageMove, input: Record<string, unknown>, today: string): Record<string, string> {
  const typed = move.evidence.flatMap((f) => (f.kind === 'file' ? [] : [{ ...f, kind: f.kind }]));
  const schema = z.object(Object.fromEntries(typed.map((f) => [f.id, fieldSchema(f)])));
  const parsed = schema.safeParse(input);
  const errors: FieldError[] = parsed.success ? [] : fieldErrors(parsed.error);
  const values: Record<string, string> = {};
  if (parsed.success) for (const [k, v] of Object.entries(parsed.data)) if (typeof v === 'string' && v !== '') values[k] = v;
  for (const f of move.evidence) {
    const value = values[f.id];
    if (f.kind !== 'date' || !value) continue;
    if (f.notAfterToday && value > today) errors.push({ field: f.id, message: `${f.label} cannot be in the future` });
    const before = f.notBefore ? values[f.notBefore] : undefined;
    if (before && value < before) {
      errors.push({ field: f.id, message: `${f.label} cannot be before the ${move.evidence.find((e) => e.id === f.notBefore)!.label.toLowerCase()}` });
    }
  }
  if (errors.length) throw new ValidationFailed(errors);
  return values;
}

export interface CheckedEvidenceFile {
  field: string;
  file: ReceivedProduct;
  fileName: string;
  contentType: string;
  extension: string;
  sha256: string;
}

/** The files the move's file fields received, checked like participants' work; a required file that is missing names its field. */
export async function evidenceFiles(
  move: StageMove,
  files: Readonly<Record<string, ReceivedProduct | undefined>>,
  maxBytes: number,
): Promise<CheckedEvidenceFile[]> {
  const checked: CheckedEvidenceFile[] = [];
  for (const f of move.evidence.filter((e) => e.kind === 'file')) {
    const file = files[f.id];
    const chosen = file && (file.path || file.tooLarge || file.writeFailed);
    if (!chosen) {
      if (f.required) throw ValidationFailed.one(f.id, `Choose the ${f.label.toLowerCase()} to upload`);
      continue;
    }
    const type = await checkedFile(file, maxBytes, f.id);
    checked.push({ field: f.id, file, fileName: displayName(file.fileName, type.extension), ...type });
  }
  return checked;
}
