// Record ids in page paths. Ids the database cannot hold never get here (the identifiers plugin answers 404);
// what is left is text that is not a whole number, which names the field.
import { ValidationFailed } from '../services/errors.js';

export function idParam(params: unknown, name = 'id', what = 'Record'): number {
  const id = Number((params as Record<string, string>)[name]);
  if (!Number.isInteger(id) || id <= 0) throw ValidationFailed.one(name, `${what} id must be a positive whole number`);
  return id;
}
