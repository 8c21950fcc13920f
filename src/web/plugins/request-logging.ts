// One log line per request with the route pattern, never the URL or body: those can carry personal data.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const requestLogging = fp(async (app: FastifyInstance) => {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? '(not found)', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
});

interface LoggableError extends Error {
  code?: string;
  cause?: unknown;
}

/** The database's own error under a driver's wrapper, if this is one: it carries the SQLSTATE and constraint. */
function databaseCause(error: LoggableError): { code?: string; constraint?: string; table?: string } | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as LoggableError).cause) {
    const candidate = e as { code?: unknown; severity?: unknown; constraint?: string; table?: string };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code) && 'severity' in candidate) return candidate as never;
  }
  return undefined;
}

/**
 * Errors are logged by class, code, constraint and stack frames only. A database error's message quotes the query's
 * parameters (prison numbers, names, search terms) and its detail quotes the values of a broken constraint, and a
 * stack's first line repeats the message: none of that may reach a log.
 */
export function safeErrorSerializer(error: LoggableError) {
  const database = databaseCause(error);
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
  if (database || 'params' in error) {
    return {
      type: error.name,
      message: 'database error (values withheld)',
      code: database?.code,
      constraint: database?.constraint,
      table: database?.table,
      stack: frames,
    };
  }
  return { type: error.name, code: error.code, message: error.message, stack: frames };
}
