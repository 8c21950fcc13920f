// /api/v1/people: search, read, create and edit men's records; score them (RM2000/S, OSP); read their
// scores and their eligibility for a programme. Thin: zod schemas for the document, services do the rest.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { convictionCategories } from '../domain/programme/definition.js';
import { ospInputSchema } from '../domain/risk/osp.js';
import { rm2000InputSchema } from '../domain/risk/rm2000.js';
import { type PersonEligibility } from '../services/eligibility.js';
import { type Person, type PersonRecord } from '../services/people.js';
import type { RouteContext } from '../http/context.js';
import { londonToday } from '../clock.js';
import { permits } from '../http/access.js';
import { apiError, idParams } from './schemas.js';

const readers = permits('person.read');
const editors = permits('person.edit');

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe('YYYY-MM-DD');

const personOut = z.object({
  id: z.number().int(),
  prisonNumber: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: isoDate,
  sex: z.enum(['male', 'female']),
  siteId: z.number().int(),
  sentenceDate: isoDate.nullable(),
  earliestReleaseDate: isoDate.nullable(),
  neverMarried: z.boolean().nullable(),
  iqScore: z.number().int().nullable(),
  iqTest: z.string().nullable(),
  iqDate: isoDate.nullable(),
  sexualMurder: z.boolean(),
  version: z.number().int(),
});

const convictionOut = z.object({
  id: z.number().int(),
  convictionDate: isoDate,
  offence: z.string(),
  category: z.enum(convictionCategories),
  attempt: z.boolean(),
  victimMale: z.boolean(),
  victimStranger: z.boolean(),
  victimChild: z.boolean(),
  version: z.number().int(),
});

const scoreOut = z.object({
  id: z.number().int(),
  instrument: z.string(),
  instrumentVersion: z.number().int(),
  category: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  result: z.record(z.string(), z.unknown()),
  assessedBy: z.number().int(),
  assessedOn: isoDate,
});

const personIn = z.object({
  prisonNumber: z.string().describe('A1234BC; stored upper-case, unique whatever the case'),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: isoDate,
  sex: z.enum(['male', 'female']),
  siteId: z.number().int().positive(),
  sentenceDate: isoDate.nullable().optional(),
  earliestReleaseDate: isoDate.nullable().optional(),
  neverMarried: z.boolean().nullable().optional(),
  iqScore: z.number().int().nullable().optional(),
  iqTest: z.string().nullable().optional(),
  iqDate: isoDate.nullable().optional(),
  sexualMurder: z.boolean().optional(),
});

const convictionIn = z.object({
  convictionDate: isoDate,
  offence: z.string(),
  category: z.enum(convictionCategories),
  attempt: z.boolean().optional(),
  victimMale: z.boolean().optional(),
  victimStranger: z.boolean().optional(),
  victimChild: z.boolean().optional(),
});

const criterionOut = z.object({ id: z.string(), status: z.enum(['met', 'not_met', 'unknown']), reason: z.string() });
const eligibilityOut = z.object({
  programmeId: z.string(),
  result: z.enum(['eligible', 'not_eligible', 'undetermined']),
  computed: z.object({ result: z.enum(['eligible', 'not_eligible', 'undetermined']), criteria: z.array(criterionOut) }),
  override: z
    .object({ result: z.enum(['eligible', 'not_eligible']), computedResult: z.string(), reason: z.string(), decidedBy: z.string(), decidedAt: z.string() })
    .nullable(),
});

const errors = { 400: apiError, 403: apiError, 404: apiError, 409: apiError };

function person(p: Person) {
  return {
    id: p.id,
    prisonNumber: p.prisonNumber,
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: p.dateOfBirth,
    sex: p.sex as 'male' | 'female',
    siteId: p.siteId,
    sentenceDate: p.sentenceDate,
    earliestReleaseDate: p.earliestReleaseDate,
    neverMarried: p.neverMarried,
    iqScore: p.iqScore,
    iqTest: p.iqTest,
    iqDate: p.iqDate,
    sexualMurder: p.sexualMurder,
    version: p.version,
  };
}

function score(s: PersonRecord['scores'][number] | Omit<PersonRecord['scores'][number], 'assessorName'>) {
  return {
    id: s.id,
    instrument: s.instrument,
    instrumentVersion: s.instrumentVersion,
    category: s.category,
    inputs: s.inputs as Record<string, unknown>,
    result: s.result as Record<string, unknown>,
    assessedBy: s.assessedBy,
    assessedOn: s.assessedOn,
  };
}

export async function peopleApiRoutes(api: FastifyInstance, { services }: RouteContext): Promise<void> {
  const r = api.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/people',
    {
      config: readers,
      schema: {
        summary: 'Search people by name or prison number (your sites only)',
        tags: ['people'],
        querystring: z.object({
          q: z.string().max(100).optional(),
          siteId: z.coerce.number().int().positive().optional(),
          page: z.coerce.number().int().min(1).optional(),
          pageSize: z.coerce.number().int().min(1).max(100).optional(),
        }),
        response: {
          200: z.object({
            people: z.array(
              personOut.pick({
                id: true,
                prisonNumber: true,
                givenName: true,
                familyName: true,
                dateOfBirth: true,
                siteId: true,
                earliestReleaseDate: true,
                version: true,
              }),
            ),
            total: z.number().int(),
            page: z.number().int(),
            pageSize: z.number().int(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const result = await services.people.searchPeople(request.actor!, request.query);
      return { ...result, people: result.people.map(({ siteName: _s, ...p }) => p) };
    },
  );

  r.get(
    '/people/:id',
    {
      config: readers,
      schema: {
        summary: 'A person with convictions, scores and referrals (audited)',
        tags: ['people'],
        params: idParams,
        response: {
          200: personOut.extend({
            convictions: z.array(convictionOut),
            scores: z.array(scoreOut),
            referrals: z.array(z.object({ id: z.number().int(), programmeId: z.string(), status: z.string(), version: z.number().int() })),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const record = await services.people.getPerson(request.actor!, request.params.id);
      return {
        ...person(record.person),
        convictions: record.convictions.map((c) => ({ ...c, category: c.category as (typeof convictionCategories)[number] })),
        scores: record.scores.map(score),
        referrals: record.referrals.map(({ id, programmeId, status, version }) => ({ id, programmeId, status, version })),
      };
    },
  );

  r.post(
    '/people',
    { config: editors, schema: { summary: 'Create a person', tags: ['people'], body: personIn, response: { 201: personOut, ...errors } } },
    async (request, reply) => {
      const created = await services.people.createPerson(request.actor!, request.body);
      return reply.status(201).send(person(created));
    },
  );

  r.patch(
    '/people/:id',
    {
      config: editors,
      schema: {
        summary: 'Change a person; fields left out keep their values. Send the version you read (409 if it changed).',
        tags: ['people'],
        params: idParams,
        body: personIn.partial().extend({ version: z.number().int().positive() }),
        response: { 200: personOut, ...errors },
      },
    },
    async (request) => person(await services.people.updatePerson(request.actor!, request.params.id, request.body)),
  );

  r.post(
    '/people/:id/convictions',
    {
      config: editors,
      schema: {
        summary: 'Add a conviction to a person’s offence history',
        tags: ['people'],
        params: idParams,
        body: convictionIn,
        response: { 201: convictionOut, ...errors },
      },
    },
    async (request, reply) => {
      const c = await services.people.addConviction(request.actor!, request.params.id, request.body);
      return reply.status(201).send({ ...c, category: c.category as (typeof convictionCategories)[number] });
    },
  );

  r.get(
    '/people/:id/scores',
    {
      config: readers,
      schema: {
        summary: 'A person’s risk scores, newest first',
        tags: ['scores'],
        params: idParams,
        response: { 200: z.object({ scores: z.array(scoreOut) }), ...errors },
      },
    },
    async (request) => ({ scores: (await services.riskScores.listScores(request.actor!, request.params.id)).map(score) }),
  );

  r.post(
    '/people/:id/scores/rm2000s',
    {
      config: permits('risk.score'),
      schema: {
        summary: 'Score RM2000/S and store the inputs, result, assessor and date',
        tags: ['scores'],
        params: idParams,
        body: rm2000InputSchema,
        response: { 201: z.object({ scores: z.array(scoreOut) }), ...errors },
      },
    },
    async (request, reply) => {
      const stored = await services.riskScores.scorePerson(request.actor!, request.params.id, 'rm2000s', request.body, londonToday());
      return reply.status(201).send({ scores: stored.map(score) });
    },
  );

  r.post(
    '/people/:id/scores/osp',
    {
      config: permits('risk.score'),
      schema: {
        summary: 'Score OSP/DC and OSP/IIC and store both',
        tags: ['scores'],
        params: idParams,
        body: ospInputSchema,
        response: { 201: z.object({ scores: z.array(scoreOut) }), ...errors },
      },
    },
    async (request, reply) => {
      const stored = await services.riskScores.scorePerson(request.actor!, request.params.id, 'osp', request.body, londonToday());
      return reply.status(201).send({ scores: stored.map(score) });
    },
  );

  r.get(
    '/people/:id/eligibility/:programmeId',
    {
      config: readers,
      schema: {
        summary: 'Eligibility for a programme from the stored record: each criterion met, not_met or unknown, and any override',
        tags: ['eligibility'],
        params: z.object({ id: z.coerce.number().int().positive(), programmeId: z.string().min(1) }),
        response: { 200: eligibilityOut, ...errors },
      },
    },
    async (request) => eligibility(await services.eligibility.getEligibility(request.actor!, request.params.id, request.params.programmeId, londonToday())),
  );

  r.post(
    '/people/:id/eligibility/:programmeId/override',
    {
      config: permits('eligibility.override'),
      schema: {
        summary: 'A treatment manager overrides the computed eligibility result, with a reason; both are kept',
        tags: ['eligibility'],
        params: z.object({ id: z.coerce.number().int().positive(), programmeId: z.string().min(1) }),
        body: z.object({ result: z.enum(['eligible', 'not_eligible']), reason: z.string().max(2000) }),
        response: { 201: eligibilityOut, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          eligibility(
            await services.eligibility.recordEligibilityOverride(request.actor!, request.params.id, request.params.programmeId, request.body, londonToday()),
          ),
        ),
  );

  const convictionParams = z.object({ id: z.coerce.number().int().positive(), convictionId: z.coerce.number().int().positive() });

  r.patch(
    '/people/:id/convictions/:convictionId',
    {
      config: editors,
      schema: {
        summary: 'Change a conviction (send every field and the version you read)',
        tags: ['people'],
        params: convictionParams,
        body: convictionIn.extend({ version: z.number().int().positive() }),
        response: { 200: convictionOut, ...errors },
      },
    },
    async (request) => {
      const c = await services.people.updateConviction(request.actor!, request.params.convictionId, request.body, request.params.id);
      return { ...c, category: c.category as (typeof convictionCategories)[number] };
    },
  );

  r.delete(
    '/people/:id/convictions/:convictionId',
    {
      config: editors,
      schema: {
        summary: 'Remove a conviction (send the version you read)',
        tags: ['people'],
        params: convictionParams,
        body: z.object({ version: z.number().int().positive() }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await services.people.removeConviction(request.actor!, request.params.convictionId, request.body, request.params.id);
      return reply.status(204).send(null);
    },
  );
}

function eligibility(e: PersonEligibility) {
  return {
    programmeId: e.programmeId,
    result: e.result,
    computed: { result: e.computed.result, criteria: e.computed.criteria },
    override: e.override ? { ...e.override, decidedAt: e.override.decidedAt.toISOString() } : null,
  };
}
