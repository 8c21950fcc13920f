// The caseload: every referral the actor may see, filtered, sorted and paged, in one SQL query (the latest
// RM2000/S category comes from a DISTINCT ON over risk_scores), so it stays fast with 10,000 referrals.
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db, type Executor } from '../db/connection.js';
import { riskCategories } from '../domain/programme/definition.js';
import { referralStatuses } from '../domain/referral/workflow.js';
import { authorise, visibleSites, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { ownMenFilter } from './own-groups.js';
import { validate } from './validate.js';

export const caseloadSorts = ['name', 'prisonNumber', 'site', 'programme', 'status', 'risk', 'release', 'updated'] as const;
export type CaseloadSort = (typeof caseloadSorts)[number];

const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

export const caseloadFilterInput = z.object({
  status: z.preprocess(blank, z.enum(referralStatuses.map((s) => s.id) as [string, ...string[]], { error: 'Choose a status from the list' }).optional()),
  siteId: z.preprocess(blank, z.coerce.number({ error: 'Choose a site from the list' }).int().positive('Choose a site from the list').optional()),
  risk: z.preprocess(blank, z.enum([...riskCategories, 'none'], { error: 'Choose a risk category from the list' }).optional()),
  programmeId: z.preprocess(blank, z.string().max(100).optional()),
  q: z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : undefined), z.string().max(100, 'Search must be 100 characters or fewer').optional()),
  sort: z.preprocess(blank, z.enum(caseloadSorts, { error: 'Choose a column to sort by' }).default('updated')),
  order: z.preprocess(blank, z.enum(['asc', 'desc'], { error: 'Order must be asc or desc' }).optional()),
  page: z.preprocess(
    blank,
    z.coerce.number({ error: 'Page must be a whole number' }).int('Page must be a whole number').min(1, 'Page must be 1 or more').default(1),
  ),
  pageSize: z.preprocess(blank, z.coerce.number().int().min(1).max(100, 'Page size must be 100 or less').default(25)),
});
export type CaseloadFilter = z.output<typeof caseloadFilterInput>;

export interface CaseloadRow {
  referralId: number;
  personId: number;
  prisonNumber: string;
  givenName: string;
  familyName: string;
  siteId: number;
  siteName: string;
  programmeId: string;
  status: string;
  statusChangedAt: Date;
  riskCategory: string | null;
  earliestReleaseDate: string | null;
}

export interface CaseloadPage {
  rows: CaseloadRow[];
  total: number;
  page: number;
  pageSize: number;
  filter: CaseloadFilter;
}

// Risk sorts by rank (very high first when descending), not alphabetically; no score sorts lowest.
const riskRank = sql`CASE l.category WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'very_high' THEN 4 ELSE 0 END`;
/** Each sort's keys (at most two), and which joins they need before paging. */
const sorts: Record<CaseloadSort, { keys: [SQL, SQL]; people?: boolean; site?: boolean; risk?: boolean }> = {
  name: { keys: [sql`lower(p.family_name)`, sql`lower(p.given_name)`], people: true },
  prisonNumber: { keys: [sql`p.prison_number`, sql`NULL::text`], people: true },
  site: { keys: [sql`s.name`, sql`NULL::text`], site: true },
  programme: { keys: [sql`r.programme_id`, sql`NULL::text`] },
  status: { keys: [sql`r.status`, sql`NULL::text`] },
  risk: { keys: [riskRank, sql`NULL::text`], risk: true },
  release: { keys: [sql`p.earliest_release_date`, sql`NULL::text`], people: true },
  updated: { keys: [sql`r.status_changed_at`, sql`NULL::text`] },
};
const defaultOrder: Record<CaseloadSort, 'asc' | 'desc'> = {
  name: 'asc',
  prisonNumber: 'asc',
  site: 'asc',
  programme: 'asc',
  status: 'asc',
  risk: 'desc',
  release: 'asc',
  updated: 'desc',
};

export function orderOf(filter: Pick<CaseloadFilter, 'sort' | 'order'>): 'asc' | 'desc' {
  return filter.order ?? defaultOrder[filter.sort];
}

/**
 * The caseload query alone (no access check, no audit): the sites in `scope` only. Exported so the benchmark
 * can time it without the page around it. One statement: the filter joins only what it needs (people for a
 * search or a name sort, the latest RM2000/S category by DISTINCT ON only for a risk filter or sort), the
 * page of 25 is cut, and only then are names, site and the latest category joined in (a LATERAL per row),
 * with the total counted over the same filtered set.
 */
export async function caseloadQuery(
  ex: Executor,
  scope: 'all' | readonly number[],
  filter: CaseloadFilter,
  /** Further limits the men listed (a facilitator's: those of his own groups), as a condition on r.person_id. */
  men?: SQL,
): Promise<{ rows: CaseloadRow[]; total: number }> {
  const sort = sorts[filter.sort];
  const needsRisk = filter.risk !== undefined || Boolean(sort.risk);
  const needsPeople = filter.q !== undefined || Boolean(sort.people);
  const where: SQL[] = [];
  if (scope !== 'all')
    where.push(
      scope.length
        ? sql`r.site_id IN (${sql.join(
            scope.map((id) => sql`${id}`),
            sql`, `,
          )})`
        : sql`false`,
    );
  if (men) where.push(men);
  if (filter.siteId !== undefined) where.push(sql`r.site_id = ${filter.siteId}`);
  if (filter.status) where.push(sql`r.status = ${filter.status}`);
  if (filter.programmeId) where.push(sql`r.programme_id = ${filter.programmeId}`);
  if (filter.risk === 'none') where.push(sql`l.category IS NULL`);
  else if (filter.risk) where.push(sql`l.category = ${filter.risk}`);
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      sql`(p.prison_number ILIKE ${pattern} OR p.given_name ILIKE ${pattern} OR p.family_name ILIKE ${pattern} OR (p.given_name || ' ' || p.family_name) ILIKE ${pattern})`,
    );
  }
  const direction = orderOf(filter) === 'asc' ? sql`ASC NULLS LAST` : sql`DESC NULLS LAST`;
  const orderBy = (t: SQL) => sql`${t}.k1 ${direction}, ${t}.k2 ${direction}, ${t}.id DESC`;
  const rows = await queryRows<Record<string, unknown>>(
    ex,
    sql`
      WITH ${
        needsRisk
          ? sql`latest AS (
        SELECT DISTINCT ON (person_id) person_id, category
        FROM risk_scores
        WHERE instrument = 'rm2000s'
        ORDER BY person_id, created_at DESC, id DESC
      ),`
          : sql``
      }
      filtered AS (
        SELECT r.id, r.person_id, r.site_id, r.programme_id, r.status, r.status_changed_at, ${sort.keys[0]} AS k1, ${sort.keys[1]} AS k2
        FROM referrals r
        ${needsPeople ? sql`JOIN people p ON p.id = r.person_id` : sql``}
        ${sort.site ? sql`JOIN sites s ON s.id = r.site_id` : sql``}
        ${needsRisk ? sql`LEFT JOIN latest l ON l.person_id = r.person_id` : sql``}
        ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
      ),
      page AS (
        SELECT * FROM filtered f ORDER BY ${orderBy(sql`f`)} LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}
      )
      SELECT c.total, x.*
      FROM (SELECT count(*) AS total FROM filtered) c
      LEFT JOIN LATERAL (
        SELECT pg.id AS referral_id, pg.person_id, p.prison_number, p.given_name, p.family_name, pg.site_id, s.name AS site_name,
               pg.programme_id, pg.status, pg.status_changed_at, lat.category AS risk_category, p.earliest_release_date, pg.k1, pg.k2, pg.id
        FROM page pg
        JOIN people p ON p.id = pg.person_id
        JOIN sites s ON s.id = pg.site_id
        LEFT JOIN LATERAL (
          SELECT rs.category FROM risk_scores rs
          WHERE rs.person_id = pg.person_id AND rs.instrument = 'rm2000s'
          ORDER BY rs.created_at DESC, rs.id DESC
          LIMIT 1
        ) lat ON true
      ) x ON true
      ORDER BY ${orderBy(sql`x`)}
    `,
  );
  const day = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
  return {
    total: rows.length ? Number(rows[0].total) : 0,
    rows: rows
      .filter((r) => r.referral_id !== null && r.referral_id !== undefined)
      .map((r) => ({
        referralId: Number(r.referral_id),
        personId: Number(r.person_id),
        prisonNumber: String(r.prison_number),
        givenName: String(r.given_name),
        familyName: String(r.family_name),
        siteId: Number(r.site_id),
        siteName: String(r.site_name),
        programmeId: String(r.programme_id),
        status: String(r.status),
        statusChangedAt: r.status_changed_at instanceof Date ? r.status_changed_at : new Date(String(r.status_changed_at)),
        riskCategory: (r.risk_category as string | null) ?? null,
        earliestReleaseDate: day(r.earliest_release_date),
      })),
  };
}

/** The caseload page for the actor: their sites only (a facilitator: the men of his own groups); audited with the count (never the search term). */
export async function listCaseload(db: Db, actor: Actor, input: unknown): Promise<CaseloadPage> {
  authorise(actor, 'referral.read');
  const filter = validate(caseloadFilterInput, input ?? {});
  if (filter.siteId !== undefined) authorise(actor, 'referral.read', filter.siteId);
  return db.transaction(async (tx) => {
    const { rows, total } = await caseloadQuery(tx, visibleSites(actor), filter, ownMenFilter(actor, 'referral.read', sql`r.person_id`));
    await appendAudit(tx, actor, { action: 'caseload.viewed', subjectType: 'referral', details: { count: total, returned: rows.length } });
    return { rows, total, page: filter.page, pageSize: filter.pageSize, filter };
  });
}
