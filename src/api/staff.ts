// /api/v1 staff records: the facilitator pipeline of a site, a member's record, and a stage move. A move's evidence
// is sent as JSON values; files are attached on the record's page (the API takes no uploads here).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StaffRecord } from '../services/staff/pipeline.js';
import type { RouteContext } from '../http/context.js';
import { permits } from '../http/access.js';
import { apiError, idParams } from './schemas.js';

const errors = { 400: apiError, 403: apiError, 404: apiError, 409: apiError };

const staffSummary = z.object({
  id: z.number().int(),
  displayName: z.string(),
  siteId: z.number().int(),
  stage: z.string(),
  stageLabel: z.string(),
  programmes: z.array(z.object({ programmeId: z.string(), stage: z.string(), label: z.string() })),
  hasSignIn: z.boolean(),
});

const staffRecord = z.object({
  id: z.number().int(),
  displayName: z.string(),
  siteId: z.number().int(),
  userId: z.number().int().nullable(),
  stage: z.string(),
  stageLabel: z.string(),
  version: z.number().int(),
  programmes: z.array(
    z.object({
      programmeId: z.string(),
      stage: z.string(),
      label: z.string(),
      supervision: z.string().nullable(),
      deliversUntil: z.string().nullable(),
      supervisionDueOn: z.string().nullable(),
      graceEndsOn: z.string().nullable(),
    }),
  ),
  history: z.array(
    z.object({
      id: z.number().int(),
      move: z.string(),
      programmeId: z.string().nullable(),
      from: z.string(),
      to: z.string(),
      reason: z.string(),
      evidence: z.array(z.object({ label: z.string(), value: z.string(), fileId: z.number().int().nullable() })),
      movedBy: z.string(),
      movedAt: z.string(),
    }),
  ),
  moves: z.array(z.object({ id: z.string(), label: z.string() })),
});

const record = (r: StaffRecord) => ({
  id: r.id,
  displayName: r.displayName,
  siteId: r.siteId,
  userId: r.userId,
  stage: r.stage,
  stageLabel: r.stageLabel,
  version: r.version,
  programmes: r.programmes.map((p) => ({
    programmeId: p.programmeId,
    stage: p.stage,
    label: p.label,
    supervision: p.supervision ?? null,
    deliversUntil: p.deliversUntil ?? null,
    supervisionDueOn: p.supervisionDueOn ?? null,
    graceEndsOn: p.graceEndsOn ?? null,
  })),
  history: r.history.map((h) => ({
    id: h.id,
    move: h.moveId,
    programmeId: h.programmeId,
    from: h.fromLabel,
    to: h.toLabel,
    reason: h.reason,
    evidence: h.evidence.map((e) => ({ label: e.label, value: e.value, fileId: e.fileId ?? null })),
    movedBy: h.movedBy,
    movedAt: h.movedAt.toISOString(),
  })),
  moves: r.moves,
});

export async function staffApiRoutes(api: FastifyInstance, { services, config }: RouteContext): Promise<void> {
  const r = api.withTypeProvider<ZodTypeProvider>();
  const store = { fileStoreDir: config.fileStoreDir, maxBytes: config.productMaxBytes };

  r.get(
    '/sites/:siteId/staff',
    {
      config: permits('staff.read'),
      schema: {
        summary: 'The members of staff in the facilitator pipeline at a site, with their stages (a facilitator: himself only)',
        tags: ['staff'],
        params: z.object({ siteId: z.coerce.number().int().positive() }),
        response: { 200: z.object({ staff: z.array(staffSummary) }), ...errors },
      },
    },
    async (request) => ({
      staff: (await services.staff.listSiteStaff(request.actor!, request.params.siteId)).map(({ stageTag: _tag, ...s }) => s),
    }),
  );

  r.get(
    '/staff/:id',
    {
      config: permits('staff.read'),
      schema: {
        summary: 'A member of staff’s pipeline record: every move with who, when, why and its evidence; training and accreditation per programme',
        tags: ['staff'],
        params: idParams,
        response: { 200: staffRecord, ...errors },
      },
    },
    async (request) => record(await services.staff.getStaffRecord(request.actor!, request.params.id)),
  );

  r.post(
    '/staff/:id/moves',
    {
      config: permits('staff.move'),
      schema: {
        summary: 'Move a member of staff on in the pipeline: a move of the pipeline file, the version read, and its evidence',
        description:
          'Refused with 400 naming the rule when the move is not allowed from their stage, a requirement is not met (an accreditation needs the programme’s training recorded with a pass and a linked sign-in) or evidence is missing; 409 when the record changed since the version read.',
        tags: ['staff'],
        params: idParams,
        body: z.object({
          move: z.string().min(1),
          version: z.number().int().positive(),
          programmeId: z.string().optional(),
          reason: z.string().optional(),
          evidence: z.record(z.string(), z.string()).default({}),
        }),
        response: { 200: staffRecord, ...errors },
      },
    },
    async (request) => {
      const { move, evidence, ...rest } = request.body;
      await services.staff.makeStageMove(request.actor!, request.params.id, move, { ...evidence, ...rest }, {}, store);
      return record(await services.staff.getStaffRecord(request.actor!, request.params.id));
    },
  );
}
