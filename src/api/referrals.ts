// /api/v1/referrals and /api/v1/waitlist: the caseload as JSON, one referral with its history, creating a
// referral, making a workflow transition (with the version read), and the ordered waitlist.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { riskCategories } from '../domain/programme/definition.js';
import { referralStatuses, referralTransitions } from '../domain/referral/workflow.js';
import { caseloadSorts } from '../services/caseload.js';
import { type Referral } from '../services/referrals.js';
import type { RouteContext } from '../http/context.js';
import { londonToday } from '../clock.js';
import { permits } from '../http/access.js';
import { apiError, idParams } from './schemas.js';

const readers = permits('referral.read');
const errors = { 400: apiError, 403: apiError, 404: apiError, 409: apiError };
const statusIds = referralStatuses.map((s) => s.id) as [string, ...string[]];
const transitionIds = referralTransitions.map((t) => t.id) as [string, ...string[]];

const referralOut = z.object({
  id: z.number().int(),
  personId: z.number().int(),
  programmeId: z.string(),
  siteId: z.number().int(),
  status: z.enum(statusIds),
  statusChangedAt: z.string(),
  waitlistedAt: z.string().nullable(),
  version: z.number().int(),
});

function referral(r: Referral) {
  return {
    id: r.id,
    personId: r.personId,
    programmeId: r.programmeId,
    siteId: r.siteId,
    status: r.status,
    statusChangedAt: r.statusChangedAt.toISOString(),
    waitlistedAt: r.waitlistedAt?.toISOString() ?? null,
    version: r.version,
  };
}

export async function referralApiRoutes(api: FastifyInstance, { services }: RouteContext): Promise<void> {
  const r = api.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/referrals',
    {
      config: readers,
      schema: {
        summary: 'The caseload: referrals at your sites, filtered, sorted and paged',
        tags: ['referrals'],
        querystring: z.object({
          status: z.enum(statusIds).optional(),
          siteId: z.coerce.number().int().positive().optional(),
          risk: z.enum([...riskCategories, 'none']).optional(),
          programmeId: z.string().optional(),
          q: z.string().max(100).optional().describe('Name or prison number'),
          sort: z.enum(caseloadSorts).optional(),
          order: z.enum(['asc', 'desc']).optional(),
          page: z.coerce.number().int().min(1).optional(),
          pageSize: z.coerce.number().int().min(1).max(100).optional(),
        }),
        response: {
          200: z.object({
            total: z.number().int(),
            page: z.number().int(),
            pageSize: z.number().int(),
            referrals: z.array(
              z.object({
                referralId: z.number().int(),
                personId: z.number().int(),
                prisonNumber: z.string(),
                givenName: z.string(),
                familyName: z.string(),
                siteId: z.number().int(),
                siteName: z.string(),
                programmeId: z.string(),
                status: z.string(),
                statusChangedAt: z.string(),
                riskCategory: z.string().nullable(),
                earliestReleaseDate: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const page = await services.caseload.listCaseload(request.actor!, request.query);
      return {
        total: page.total,
        page: page.page,
        pageSize: page.pageSize,
        referrals: page.rows.map((row) => ({ ...row, statusChangedAt: row.statusChangedAt.toISOString() })),
      };
    },
  );

  r.get(
    '/referrals/:id',
    {
      config: readers,
      schema: {
        summary: 'A referral with its full history and the transitions you may make',
        tags: ['referrals'],
        params: idParams,
        response: {
          200: referralOut.extend({
            history: z.array(
              z.object({
                transition: z.string().nullable(),
                from: z.string().nullable(),
                to: z.string(),
                reason: z.string().nullable(),
                actor: z.string(),
                occurredAt: z.string(),
              }),
            ),
            availableTransitions: z.array(z.object({ id: z.string(), label: z.string(), reasonRequired: z.boolean() })),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const record = await services.referrals.getReferral(request.actor!, request.params.id);
      return {
        ...referral(record.referral),
        history: record.history.map((h) => ({
          transition: h.transition,
          from: h.fromStatus,
          to: h.toStatus,
          reason: h.reason,
          actor: h.actor,
          occurredAt: h.occurredAt.toISOString(),
        })),
        availableTransitions: record.transitions.map((t) => ({ id: t.id, label: t.label, reasonRequired: t.reasonRequired })),
      };
    },
  );

  r.post(
    '/referrals',
    {
      config: permits('referral.create'),
      schema: {
        summary: 'Refer a man to a programme (a draft, or submitted with submit: true). A second open referral is refused, naming the first.',
        tags: ['referrals'],
        body: z.object({ personId: z.number().int().positive(), programmeId: z.string().min(1), submit: z.boolean().optional() }),
        response: { 201: referralOut, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(referral(await services.referrals.createReferral(request.actor!, request.body))),
  );

  r.post(
    '/referrals/:id/transitions',
    {
      config: permits('referral.transition'),
      schema: {
        summary: 'Make a workflow transition; send the version you read (409 if it changed)',
        tags: ['referrals'],
        params: idParams,
        body: z.object({
          transition: z.enum(transitionIds),
          reason: z.string().max(2000).optional(),
          version: z.number().int().positive(),
          /** The group to join: required by `allocate` (a referral is allocated only to a named group). */
          groupId: z.number().int().positive().optional(),
        }),
        response: { 200: referralOut, ...errors },
      },
    },
    async (request) => {
      const { transition, ...input } = request.body;
      return referral(await services.referrals.transitionReferral(request.actor!, request.params.id, transition, input));
    },
  );

  r.get(
    '/waitlist',
    {
      config: permits('waitlist.read'),
      schema: {
        summary: 'The waitlist for a site and programme, highest risk then soonest release first',
        tags: ['waitlist'],
        querystring: z.object({ site: z.coerce.number().int().positive(), programme: z.string().min(1) }),
        response: {
          200: z.object({
            siteId: z.number().int(),
            programmeId: z.string(),
            today: z.string(),
            earliestGroupEnd: z.string(),
            entries: z.array(
              z.object({
                position: z.number().int(),
                referralId: z.number().int(),
                referralVersion: z.number().int(),
                personId: z.number().int(),
                prisonNumber: z.string(),
                givenName: z.string(),
                familyName: z.string(),
                riskCategory: z.string().nullable(),
                earliestReleaseDate: z.string().nullable(),
                waitlistedOn: z.string(),
                daysWaiting: z.number().int(),
                releaseBeforeGroupEnds: z.boolean(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) =>
      services.waitlist.listWaitlist(request.actor!, { siteId: request.query.site, programmeId: request.query.programme, today: londonToday() }),
  );
}
