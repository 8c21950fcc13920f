// Record ids and versions are PostgreSQL integers (1 to 2,147,483,647). A larger or fractional number would
// fail deep in a query as a server error, so it is refused here, before any route runs: in the path it names
// no record (404); in a form, filter or API body it is the caller's mistake (400 naming the field). Text that
// is not a number at all is left to the route's own validation, which says what to choose.
import type { FastifyInstance } from 'fastify';
import { NotFound, ValidationFailed } from '../../services/errors.js';

const largestId = 2_147_483_647;
const numberLike = /^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|infinity|nan)$/i;
const isIdField = (name: string) => name === 'id' || name === 'version' || /[a-z]Ids?$/.test(name);

/** True when the value is written as a number but is not a whole number the database can hold as an id. */
function outOfRange(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isInteger(value) || value < 0 || value > largestId;
  if (typeof value !== 'string' || !numberLike.test(value.trim())) return false;
  return !/^\d+$/.test(value.trim()) || Number(value) > largestId;
}

/** The path (`entries.0.personId`) of the first id field holding a number out of range, or undefined. */
function badIdField(value: unknown, path: string, name: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = badIdField(item, `${path}.${i}`, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = badIdField(item, path ? `${path}.${key}` : key, key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return isIdField(name) && outOfRange(value) ? path : undefined;
}

export async function identifiers(app: FastifyInstance): Promise<void> {
  app.addHook('preHandler', async (request) => {
    const params = (request.params ?? {}) as Record<string, string>;
    for (const [name, value] of Object.entries(params)) {
      if (isIdField(name) && /^\d+$/.test(value) && (Number(value) === 0 || Number(value) > largestId)) throw new NotFound('Record');
    }
    const field = badIdField(request.query, '', '') ?? badIdField(request.body, '', '');
    if (field !== undefined) throw ValidationFailed.one(field, `${field} must be a whole number from 1 to ${largestId.toLocaleString('en-GB')}`);
  });
}
