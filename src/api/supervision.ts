// /api/v1 supervision records: a facilitator's supervisions with how each accreditation stands, and recording a
// supervision (a treatment manager of the facilitator's site; the same rules as the form, each refusal naming its field).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { permits } from '../http/access.js';
import type { RouteContext } from '../http/context.js';
import { apiError, idParams } from './schemas.js';

const errors = { 400: apiError, 403: apiError, 404: apiError, 409: apiError };
const day = z.string().describe('YYYY-MM-DD');

export async function supervisionApiRoutes(api: FastifyInstance, { services }: RouteContext): Promise<void> {
  const r = api.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/facilitators/:id/supervision',
    {
      config: permits('supervision.read'),
      schema: {
        summary: 'A facilitator’s accreditations as they stand today and supervision history, newest first (a facilitator: his own)',
        tags: ['staff'],
        params: idParams,
        response: {
          200: z.object({
            accreditations: z.array(
              z.object({
                programmeId: z.string(),
                accreditedOn: day,
                lastSupervisedOn: day.nullable(),
                supervisionDueOn: day,
                graceEndsOn: day.describe('after this day without a supervision the accreditation has lapsed'),
                supervision: z.enum(['current', 'due', 'overdue', 'lapsed']),
                deliversUntil: day.describe('the last day the facilitator may deliver the programme as things stand today; 9999-12-31 for no end'),
                endedBy: z.enum(['supervision', 'suspension', 'withdrawal']).nullable(),
              }),
            ),
            supervisions: z.array(
              z.object({
                id: z.number().int(),
                supervisedOn: day,
                supervisorName: z.string(),
                siteName: z.string(),
                notes: z.string(),
                observed: z.array(z.object({ recordingId: z.number().int(), minutesWatched: z.number().int() })),
                actions: z.array(
                  z.object({ id: z.number().int(), description: z.string(), dueOn: day, completedOn: day.nullable(), version: z.number().int() }),
                ),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const record = await services.supervision.facilitatorSupervision(request.actor!, request.params.id);
      return {
        accreditations: record.accreditations.map((a) => ({
          programmeId: a.programmeId,
          accreditedOn: a.accreditedOn,
          lastSupervisedOn: a.lastSupervisedOn,
          supervisionDueOn: a.supervisionDueOn,
          graceEndsOn: a.graceEndsOn,
          supervision: a.supervision,
          deliversUntil: a.deliversUntil,
          endedBy: a.endedBy,
        })),
        supervisions: record.supervisions.map((s) => ({
          id: s.id,
          supervisedOn: s.supervisedOn,
          supervisorName: s.supervisorName,
          siteName: s.siteName,
          notes: s.notes,
          observed: s.observed.map((o) => ({ recordingId: o.recordingId, minutesWatched: o.minutesWatched })),
          actions: s.actions.map((a) => ({ id: a.id, description: a.description, dueOn: a.dueOn, completedOn: a.completedOn, version: a.version })),
        })),
      };
    },
  );

  r.post(
    '/facilitators/:id/supervisions',
    {
      config: permits('supervision.record'),
      schema: {
        summary:
          'Record a supervision of a facilitator: dated today or earlier, by a treatment manager of the site, with the recordings of the facilitator’s sessions watched and the actions agreed',
        tags: ['staff'],
        params: idParams,
        // Checked by the service, which names the failing field (observed.0.minutesWatched).
        body: z.object({
          supervisedOn: z.unknown().describe('YYYY-MM-DD, today or earlier'),
          supervisorId: z.unknown().describe('user id of a treatment manager of the site'),
          siteId: z.unknown().optional().describe('needed when the facilitator works at more than one of your sites'),
          notes: z.unknown().optional(),
          observed: z.unknown().optional().describe('[{ recordingId, minutesWatched }]'),
          actions: z.unknown().optional().describe('[{ description, dueOn }]'),
        }),
        response: { 201: z.object({ id: z.number().int() }), ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await services.supervision.recordSupervision(request.actor!, request.params.id, request.body)),
  );
}
