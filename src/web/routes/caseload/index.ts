// The caseload: referrals at the user's sites with filters (status, site, risk, name or prison number),
// sortable columns (links, so no JavaScript is needed) and pages.
import type { FastifyInstance } from 'fastify';
import { riskCategories } from '../../../domain/programme/definition.js';
import { referralStatuses } from '../../../domain/referral/workflow.js';
import { caseloadSorts, orderOf, type CaseloadSort } from '../../../services/caseload.js';
import { ValidationFailed } from '../../../services/errors.js';
import { isNational } from '../../../services/access.js';
import { permits } from '../../../http/access.js';
import type { RouteContext } from '../../../http/context.js';
import { errorView } from '../../forms.js';
import { riskLabels, riskTagClasses, statusTag, withQuery } from '../../records.js';

const columns: Array<{ sort: CaseloadSort; text: string }> = [
  { sort: 'name', text: 'Name' },
  { sort: 'prisonNumber', text: 'Prison number' },
  { sort: 'site', text: 'Site' },
  { sort: 'programme', text: 'Programme' },
  { sort: 'status', text: 'Status' },
  { sort: 'risk', text: 'RM2000/S' },
  { sort: 'release', text: 'Earliest release' },
  { sort: 'updated', text: 'Status changed' },
];

const filterKeys = ['q', 'status', 'siteId', 'risk', 'sort', 'order', 'pageSize'] as const;

export async function caseloadRoutes(app: FastifyInstance, { services, programmes }: RouteContext): Promise<void> {
  const programmeNames = new Map(programmes.map((p) => [p.id, p.shortName ?? p.name]));

  app.get('/caseload', { config: permits('referral.read') }, async (request, reply) => {
    const actor = request.actor!;
    const raw = request.query as Record<string, unknown>;
    const query = Object.fromEntries(filterKeys.filter((k) => typeof raw[k] === 'string' && raw[k] !== '').map((k) => [k, raw[k]]));
    // Site-scoped users carry their sites' names; only national roles need the full list.
    const sites =
      actor.siteNames && !isNational(actor) ? actor.siteIds.map((id, i) => ({ id, name: actor.siteNames![i] })) : await services.sites.listSites(actor);
    let page;
    let problems = {};
    try {
      page = await services.caseload.listCaseload(actor, { ...query, page: raw.page });
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      problems = errorView(error);
      reply.status(400);
      page = await services.caseload.listCaseload(actor, {});
    }
    const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
    const current = page.filter;
    const order = orderOf(current);
    const window = [1, page.page - 2, page.page - 1, page.page, page.page + 1, page.page + 2, pages]
      .filter((n, i, all) => n >= 1 && n <= pages && all.indexOf(n) === i)
      .sort((a, b) => a - b);
    const items: Array<Record<string, unknown>> = [];
    window.forEach((n, i) => {
      if (i > 0 && n - window[i - 1] > 1) items.push({ ellipsis: true });
      items.push({ number: n, href: withQuery('/caseload', query, { page: n }), current: n === page.page });
    });
    return reply.render('caseload/list.njk', {
      pageTitle: 'Caseload',
      values: query,
      page,
      firstRow: page.total === 0 ? 0 : (page.page - 1) * page.pageSize + 1,
      lastRow: (page.page - 1) * page.pageSize + page.rows.length,
      rows: page.rows.map((r) => ({
        ...r,
        programmeName: programmeNames.get(r.programmeId) ?? r.programmeId,
        tag: statusTag(r.status),
        riskTag: r.riskCategory ? { text: riskLabels[r.riskCategory] ?? r.riskCategory, classes: riskTagClasses[r.riskCategory] ?? '' } : null,
      })),
      headers: columns.map((c) => {
        const active = current.sort === c.sort;
        const next = active && order === 'asc' ? 'desc' : active ? 'asc' : undefined;
        return {
          ...c,
          href: withQuery('/caseload', query, { sort: c.sort, order: next, page: undefined }),
          ariaSort: active ? (order === 'asc' ? 'ascending' : 'descending') : 'none',
        };
      }),
      statusItems: [{ value: '', text: 'Any status' }, ...referralStatuses.map((s) => ({ value: s.id, text: s.label, selected: query.status === s.id }))],
      siteItems: [{ value: '', text: 'All your sites' }, ...sites.map((s) => ({ value: String(s.id), text: s.name, selected: query.siteId === String(s.id) }))],
      riskItems: [
        { value: '', text: 'Any risk' },
        ...riskCategories.map((r) => ({ value: r, text: riskLabels[r], selected: query.risk === r })),
        { value: 'none', text: 'Not scored', selected: query.risk === 'none' },
      ],
      pagination:
        pages > 1
          ? {
              previous: page.page > 1 ? { href: withQuery('/caseload', query, { page: page.page - 1 }) } : undefined,
              next: page.page < pages ? { href: withQuery('/caseload', query, { page: page.page + 1 }) } : undefined,
              items,
            }
          : null,
      sorts: caseloadSorts,
      ...problems,
    });
  });
}
