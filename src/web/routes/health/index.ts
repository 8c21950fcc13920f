// Liveness and database check for load balancers and operators: no personal data, no sign-in.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../http/context.js';
import { publicRoute } from '../../../http/access.js';
import { databaseAnswers } from '../../../services/health.js';

export async function healthRoutes(app: FastifyInstance, { database, version }: AppContext): Promise<void> {
  app.get('/health', { config: publicRoute }, async (_request, reply) => {
    const ok = await databaseAnswers(database);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', database: database.kind, version });
  });
}
