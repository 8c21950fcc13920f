// /api/v1/groups and /api/v1/sessions: groups at your sites with their timetables, cancelling a session
// (the answer says what moved) and swapping a facilitator in one session (refused, naming the rule).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../http/context.js';
import { permits } from '../http/access.js';
import { apiError, idParams } from './schemas.js';
import { cancellationCauseIds } from '../domain/schedule/cancellation.js';

const readers = permits('group.read');
const managers = permits('group.manage');
const errors = { 400: apiError, 403: apiError, 404: apiError, 409: apiError };
const day = z.string().describe('YYYY-MM-DD');
const time = z.string().describe('HH:MM, UK local time');

const sessionOut = z.object({
  id: z.number().int(),
  number: z.number().int(),
  block: z.number().int(),
  date: day,
  start: time,
  end: time,
  roomId: z.number().int(),
  room: z.string(),
  facilitatorIds: z.array(z.number().int()),
  status: z.enum(['scheduled', 'cancelled', 'delivered']),
  cancelReason: z.string().nullable(),
  version: z.number().int(),
});

export async function groupApiRoutes(api: FastifyInstance, { services }: RouteContext): Promise<void> {
  const r = api.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/groups',
    {
      config: readers,
      schema: {
        summary: 'Groups at your sites (a facilitator sees the groups whose team they are in)',
        tags: ['groups'],
        querystring: z.object({ siteId: z.coerce.number().int().positive().optional() }),
        response: {
          200: z.object({
            groups: z.array(
              z.object({
                id: z.number().int(),
                name: z.string(),
                siteId: z.number().int(),
                programmeId: z.string(),
                programmeVersion: z.number().int(),
                capacity: z.number().int(),
                members: z.number().int(),
                earliestStart: day,
                firstDate: day.nullable(),
                lastDate: day.nullable(),
                status: z.enum(['unscheduled', 'scheduled', 'closed']),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const groups = await services.groups.listGroups(request.actor!, { siteId: request.query.siteId });
      return { groups: groups.map(({ siteName: _name, status, ...g }) => ({ ...g, status: status as 'unscheduled' | 'scheduled' | 'closed' })) };
    },
  );

  r.get(
    '/groups/:id/timetable',
    {
      config: readers,
      schema: {
        summary: 'A group’s sessions, cancelled ones included, with their facilitators',
        tags: ['groups'],
        params: idParams,
        response: {
          200: z.object({ groupId: z.number().int(), version: z.number().int(), scheduleProblem: z.string().nullable(), sessions: z.array(sessionOut) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const group = await services.groups.getGroup(request.actor!, request.params.id);
      return {
        groupId: group.id,
        version: group.version,
        scheduleProblem: group.scheduleProblem,
        sessions: group.sessions.map((s) => ({
          id: s.id,
          number: s.number,
          block: s.block,
          date: s.date,
          start: s.start,
          end: s.end,
          roomId: s.roomId,
          room: s.roomName,
          facilitatorIds: s.facilitators.map((f) => f.id),
          status: s.status as 'scheduled' | 'cancelled' | 'delivered',
          cancelReason: s.cancelReason,
          version: s.version,
        })),
      };
    },
  );

  r.post(
    '/sessions/:id/cancel',
    {
      config: managers,
      schema: {
        summary: 'Cancel a session: it and the later sessions move to the next dates everyone can make',
        tags: ['groups'],
        params: idParams,
        body: z.object({
          reason: z.string(),
          cause: z.enum(cancellationCauseIds).describe('what caused it: staff and room count as lost for want of resources'),
          version: z.number().int(),
        }),
        response: {
          200: z.object({
            groupId: z.number().int(),
            cancelled: z.object({ number: z.number().int(), date: day, start: time }),
            moved: z.array(z.object({ number: z.number().int(), block: z.number().int(), fromDate: day, fromStart: time, toDate: day, toStart: time })),
            lastDateBefore: day,
            lastDateAfter: day,
          }),
          ...errors,
        },
      },
    },
    async (request) => services.timetable.cancelSession(request.actor!, request.params.id, request.body),
  );

  r.post(
    '/sessions/:id/swap',
    {
      config: managers,
      schema: {
        summary: 'Replace one facilitator in one session; refused with the broken rule named',
        tags: ['groups'],
        params: idParams,
        body: z.object({ replacedId: z.number().int(), replacementId: z.number().int(), version: z.number().int() }),
        response: { 200: z.object({ groupId: z.number().int(), number: z.number().int() }), ...errors },
      },
    },
    async (request) => services.timetable.swapFacilitator(request.actor!, request.params.id, request.body),
  );
}
