// The JSON API under /api/v1: bearer-token authentication, zod-validated input, described by OpenAPI.
// Routes here are thin: validate, call a service, serialise.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { RouteContext } from '../http/context.js';
import { publicRoute } from '../http/access.js';
import { meRoutes } from './me.js';
import { peopleApiRoutes } from './people.js';
import { referralApiRoutes } from './referrals.js';
import { groupApiRoutes } from './groups.js';
import { registerApiRoutes } from './registers.js';
import { userApiRoutes } from './users.js';
import { recordingApiRoutes } from './recordings.js';
import { supervisionApiRoutes } from './supervision.js';
import { staffApiRoutes } from './staff.js';

/** Registered before any route so that the OpenAPI document sees every API route. */
export async function openApi(app: FastifyInstance, { version }: RouteContext): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'sotp API', description: 'Referrals, groups, delivery records and outcomes of accredited programmes.', version },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A token made on an administrator’s user page, by POST /api/v1/users/{id}/tokens, or by `sotp token create --user NAME` (server stopped, on an embedded database)',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: (input) => {
      if (!input.url.startsWith('/api/v1') || input.url === '/api/v1/openapi.json') return { schema: { ...input.schema, hide: true }, url: input.url };
      return jsonSchemaTransform(input);
    },
  });
}

export async function apiRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  await app.register(
    async (api) => {
      api.setValidatorCompiler(validatorCompiler);
      api.setSerializerCompiler(serializerCompiler);
      api.get('/openapi.json', { config: publicRoute }, async () => app.swagger());
      await meRoutes(api, context);
      await peopleApiRoutes(api, context);
      await referralApiRoutes(api, context);
      await groupApiRoutes(api, context);
      await registerApiRoutes(api, context);
      await userApiRoutes(api, context);
      await recordingApiRoutes(api, context);
      await supervisionApiRoutes(api, context);
      await staffApiRoutes(api, context);
    },
    { prefix: '/api/v1' },
  );
}
