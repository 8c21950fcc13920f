// Liveness and database check for load balancers and operators: no personal data, no sign-in.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../../../http/context.js';
import { publicRoute } from '../../../http/access.js';

export async function healthRoutes(app: FastifyInstance, { services, version }: RouteContext): Promise<void> {
  app.get('/health', { config: publicRoute }, async (_request, reply) => {
    const ok = await services.health.databaseAnswers();
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', database: services.health.databaseKind, version });
  });
}
