// Validates service input with a zod schema; every problem becomes a FieldError naming its field.
import type { z } from 'zod';
import { ValidationFailed, type FieldError } from './errors.js';

export function fieldErrors(error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || 'input';
    if (seen.has(field)) continue; // one message per field, the first is the most basic
    seen.add(field);
    errors.push({ field, message: issue.message });
  }
  return errors;
}

export function validate<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationFailed(fieldErrors(parsed.error));
  return parsed.data;
}
