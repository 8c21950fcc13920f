// PostgreSQL text cannot hold the NUL character, so a NUL anywhere in a form, query or JSON body would fail
// deep in a query as a server error. It is refused here, before any route runs, naming the field.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationFailed } from '../../services/errors.js';

/** The path (`entries.0.reason`) of the first string holding a NUL, or undefined. An uploaded file's text is not in the body: its importer checks it. */
function fieldWithNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = fieldWithNul(item, path ? `${path}.${i}` : String(i));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = fieldWithNul(item, path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function refuseNul(request: FastifyRequest): void {
  const field = fieldWithNul(request.query, '') ?? fieldWithNul(request.body, '');
  if (field !== undefined) {
    throw ValidationFailed.one(field, `${field} contains a NUL character, which cannot be stored: remove it and try again`);
  }
}

export async function textGuard(app: FastifyInstance): Promise<void> {
  app.addHook('preHandler', async (request) => refuseNul(request));
}
