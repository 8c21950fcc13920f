// /api/v1/users: what an administrator does to accounts while the server runs — disable or re-enable a user, and
// make or revoke API tokens. (On an embedded database the command line cannot, while the server holds the folder.)
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roles } from '../domain/roles.js';
import { type ApiTokenSummary } from '../services/authentication.js';
import { type UserSummary } from '../services/users.js';
import type { RouteContext } from '../http/context.js';
import { permits } from '../http/access.js';
import { apiError, idParams } from './schemas.js';

const errors = { 400: apiError, 403: apiError, 404: apiError, 409: apiError };

const userOut = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(roles),
  disabled: z.boolean(),
  siteIds: z.array(z.number().int()),
  version: z.number().int(),
});
const tokenOut = z.object({
  id: z.number().int(),
  label: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const user = ({ id, username, displayName, role, disabled, siteIds, version }: UserSummary) => ({
  id,
  username,
  displayName,
  role,
  disabled,
  siteIds,
  version,
});
const token = (t: ApiTokenSummary) => ({
  id: t.id,
  label: t.label,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

export async function userApiRoutes(api: FastifyInstance, { services }: RouteContext): Promise<void> {
  const r = api.withTypeProvider<ZodTypeProvider>();

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    r.post(
      `/users/:id/${action}`,
      {
        config: permits('user.manage'),
        schema: {
          summary: disabled ? 'Disable an account: its sessions and tokens stop working at once' : 'Re-enable a disabled account',
          tags: ['users'],
          params: idParams,
          body: z.object({ version: z.number().int().positive() }),
          response: { 200: userOut, ...errors },
        },
      },
      async (request) => user(await services.users.setUserDisabled(request.actor!, request.params.id, disabled, request.body)),
    );
  }

  r.get(
    '/users/:id/tokens',
    {
      config: permits('api_token.manage'),
      schema: {
        summary: 'A user’s API tokens (never the tokens themselves)',
        tags: ['users'],
        params: idParams,
        response: { 200: z.object({ tokens: z.array(tokenOut) }), ...errors },
      },
    },
    async (request) => ({ tokens: (await services.authentication.listApiTokens(request.actor!, request.params.id)).map(token) }),
  );

  r.post(
    '/users/:id/tokens',
    {
      config: permits('api_token.manage'),
      schema: {
        summary: 'Make an API token for a user; the answer holds it, once',
        tags: ['users'],
        params: idParams,
        body: z.object({ label: z.string() }),
        response: { 201: z.object({ token: z.string() }), ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ token: await services.authentication.createApiToken(request.actor!, request.params.id, request.body.label) }),
  );

  r.post(
    '/users/:id/tokens/:tokenId/revoke',
    {
      config: permits('api_token.manage'),
      schema: {
        summary: 'Revoke one of a user’s API tokens: refused from the next request on',
        tags: ['users'],
        params: z.object({ id: z.coerce.number().int().positive(), tokenId: z.coerce.number().int().positive() }),
        response: { 200: tokenOut, ...errors },
      },
    },
    async (request) => token(await services.authentication.revokeApiToken(request.actor!, request.params.id, request.params.tokenId)),
  );
}
