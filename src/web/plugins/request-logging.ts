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

/** Errors are logged by type, code, message and stack only: database errors' detail can quote values. */
export function safeErrorSerializer(error: Error & { code?: string }) {
  return { type: error.name, code: error.code, message: error.message, stack: error.stack ?? '' };
}
