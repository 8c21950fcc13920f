// /api/v1 delivery records: a group's sessions, a session's register (read, and record or correct it with the
// version read: a stale one is 409) and each man's progress through the group.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registerStatusIds } from '../domain/delivery/register.js';
import { permits } from '../http/access.js';
import type { RouteContext } from '../http/context.js';
import { apiError, idParams } from './schemas.js';

const readers = permits('group.read');
const errors = { 400: apiError, 403: apiError, 404: apiError, 409: apiError };

const registerOut = z.object({
  sessionId: z.number().int(),
  version: z.number().int().describe('0 until the register is first recorded; send it back to record or correct the register'),
  entries: z.array(
    z.object({
      personId: z.number().int(),
      status: z.enum(registerStatusIds).nullable().describe('null until recorded'),
      minutes: z.number().int().nullable().describe('minutes late or left early'),
      reason: z.string().nullable().describe('why he was absent (excused) or removed'),
    }),
  ),
});

export async function registerApiRoutes(api: FastifyInstance, { services }: RouteContext): Promise<void> {
  const r = api.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/groups/:id/sessions',
    {
      config: readers,
      schema: {
        summary: 'A group’s sessions in date order, cancelled ones included, with their facilitators’ user ids',
        tags: ['delivery'],
        params: idParams,
        response: {
          200: z.array(
            z.object({
              id: z.number().int(),
              number: z.number().int(),
              block: z.number().int(),
              date: z.string().describe('YYYY-MM-DD'),
              start: z.string().describe('HH:MM, UK local time'),
              end: z.string().describe('HH:MM, UK local time'),
              status: z.enum(['scheduled', 'cancelled', 'delivered']),
              facilitators: z.array(z.number().int()),
            }),
          ),
          ...errors,
        },
      },
    },
    async (request) =>
      (await services.registers.listGroupSessions(request.actor!, request.params.id)).map((s) => ({
        ...s,
        status: s.status as 'scheduled' | 'cancelled' | 'delivered',
      })),
  );

  r.get(
    '/sessions/:id/register',
    {
      config: readers,
      schema: {
        summary: 'A session’s register: one entry per man in the group on its date',
        tags: ['delivery'],
        params: idParams,
        response: { 200: registerOut, ...errors },
      },
    },
    async (request) => {
      const register = await services.registers.getRegister(request.actor!, request.params.id);
      return {
        sessionId: register.sessionId,
        version: register.version,
        entries: register.men.map((m) => ({
          personId: m.personId,
          status: m.entry?.status ?? null,
          minutes: m.entry?.minutes ?? null,
          reason: m.entry?.reason ?? null,
        })),
      };
    },
  );

  r.put(
    '/sessions/:id/register',
    {
      config: permits('register.record'),
      schema: {
        summary:
          'Record or correct a session’s register (a facilitator of the session or the site’s treatment manager). Every man in the group has one entry; late and left_early need minutes (1–150), excused_absence and removed a reason. A missed session makes a catch-up required. A stale version is 409.',
        tags: ['delivery'],
        params: idParams,
        // Checked by the service, which names the failing entry's field (entries.2.minutes).
        body: z.object({
          version: z.unknown().describe('the version read (0 before the first save)'),
          entries: z.unknown().describe(`[{ personId, status (${registerStatusIds.join(', ')}), minutes?, reason? }]`),
        }),
        response: { 200: z.object({ sessionId: z.number().int(), version: z.number().int() }), ...errors },
      },
    },
    async (request) => services.registers.recordRegister(request.actor!, request.params.id, request.body),
  );

  r.get(
    '/groups/:id/progress',
    {
      config: readers,
      schema: {
        summary: 'Each man’s progress through the group: sessions attended, missed, caught up, catch-ups outstanding, and his state',
        tags: ['delivery'],
        params: idParams,
        response: {
          200: z.array(
            z.object({
              personId: z.number().int(),
              attended: z.number().int(),
              missed: z.number().int(),
              caughtUp: z.number().int(),
              outstandingCatchUps: z.number().int(),
              state: z.enum(['in_progress', 'complete', 'deselected']),
            }),
          ),
          ...errors,
        },
      },
    },
    async (request) =>
      (await services.registers.getGroupProgress(request.actor!, request.params.id)).men.map((m) => ({
        personId: m.personId,
        attended: m.attended,
        missed: m.missed,
        caughtUp: m.caughtUp,
        outstandingCatchUps: m.outstandingCatchUps,
        state: m.state,
      })),
  );
}
