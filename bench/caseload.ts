// Benchmark for the caseload: 10,000 referrals; the caseload page served by the real server under 20
// concurrent connections (autocannon), against the page's database query alone under the same concurrency.
// PGlite by default; PostgreSQL when TEST_DATABASE_URL (or DATABASE_URL) is set (a scratch database is made and dropped).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { queryRows, wrapPglite, wrapPostgres, type Database } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { loadProgrammeDefinitions } from '../src/programme-files.js';
import { packageVersion } from '../src/runtime.js';
import { caseloadFilterInput, caseloadQuery } from '../src/services/caseload.js';
import { seedDemo } from '../src/services/demo.js';
import { recordProgrammeVersions } from '../src/services/programmes.js';
import { buildApp } from '../src/web/app.js';
import { markdownTable, reportResults } from './results.js';

const totalReferrals = 10_000;
const connections = 20;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const password = 'caseload-bench-password';

async function openScratch(): Promise<{ database: Database; kind: string; drop: () => Promise<void> }> {
  const baseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (!baseUrl) return { database: wrapPglite(await PGlite.create()), kind: 'PGlite (embedded)', drop: async () => {} };
  const name = `sotp_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    database: wrapPostgres(new pg.Pool({ connectionString: url.toString(), max: 10 })),
    kind: 'PostgreSQL',
    drop: async () => {
      const dropper = new pg.Client({ connectionString: baseUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/**
 * The demo data (made through the services) plus bulk rows up to 10,000 referrals, written with set-based SQL:
 * a benchmark needs volume, not audit history. Statuses, sites, scores and release dates are spread evenly.
 */
export async function fill(database: Database): Promise<void> {
  await migrate(database);
  await recordProgrammeVersions(database.db, loadProgrammeDefinitions());
  await seedDemo(database.db, { password, production: false });
  const db = database.db;
  const [{ n }] = await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM referrals`);
  const extra = totalReferrals - Number(n);
  const [{ id: assessorId }] = await queryRows<{ id: number }>(db, sql`SELECT id FROM users WHERE username = 'assessor'`);
  await db.execute(sql`
    INSERT INTO people (prison_number, given_name, family_name, date_of_birth, sex, site_id, sentence_date, earliest_release_date, iq_score, iq_test, iq_date)
    SELECT 'B' || lpad(g::text, 4, '0') || chr(65 + g / 26 / 10 % 26) || chr(65 + g % 26),
           (ARRAY['Alden','Barnaby','Cedric','Dorian','Elwood','Fenwick','Gideon','Horace'])[1 + g % 8],
           (ARRAY['Ashgrove','Brackenridge','Cobblestone','Dunmore','Eastwick','Fallowfield','Greystoke','Hollowell','Inchbald','Jessamy'])[1 + g % 10] || g::text,
           date '1950-01-01' + (g * 37 % 15000),
           'male',
           (SELECT id FROM sites ORDER BY id LIMIT 1 OFFSET g % 2),
           date '2018-01-01' + (g % 2000),
           date '2026-01-01' + (g * 13 % 3000),
           80 + g % 40, 'WAIS-IV', date '2024-01-01'
    FROM generate_series(1, ${extra}) AS g`);
  await db.execute(sql`
    INSERT INTO risk_scores (person_id, instrument, instrument_version, inputs, result, category, assessed_by, assessed_on)
    SELECT p.id, 'rm2000s', 1, '{}'::jsonb, '{}'::jsonb, (ARRAY['low','medium','high','very_high'])[1 + p.id % 4], ${assessorId}, date '2026-01-01'
    FROM people p WHERE p.prison_number LIKE 'B%' AND p.id % 7 <> 0`);
  await db.execute(sql`
    INSERT INTO referrals (person_id, programme_id, site_id, status, status_changed_at)
    SELECT p.id, 'core-sotp', p.site_id,
           (ARRAY['draft','submitted','awaiting_assessment','assessment_started','not_eligible','not_suitable','suitable_not_ready',
                  'assessed_suitable','awaiting_allocation','allocated','on_programme','programme_complete','deselected','on_hold','withdrawn'])[1 + p.id % 15],
           now() - (p.id % 900) * interval '1 day'
    FROM people p WHERE p.prison_number LIKE 'B%'`);
  await db.execute(sql`ANALYZE`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function signIn(base: string): Promise<string> {
  const form = await fetch(`${base}/sign-in`);
  const cookies = form.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the sign-in page');
  const response = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.join('; ') },
    body: new URLSearchParams({ _csrf: csrf, username: 'manager', password }).toString(),
  });
  if (response.status !== 303) throw new Error(`sign-in answered ${response.status}`);
  const session = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('sotp_session='));
  if (!session) throw new Error('no session cookie after sign-in');
  return session;
}

async function timeQueryAlone(database: Database, siteIds: number[]): Promise<number[]> {
  const filter = caseloadFilterInput.parse({});
  const latencies: number[] = [];
  const warm = Date.now() + 2000;
  while (Date.now() < warm) await caseloadQuery(database.db, siteIds, filter);
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        const start = process.hrtime.bigint();
        await caseloadQuery(database.db, siteIds, filter);
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

/** BENCH_EXPLAIN=1 prints the plan of the default caseload query (for tuning, not part of the results). */
async function explain(database: Database): Promise<void> {
  const siteRows = await queryRows<{ site_id: number }>(
    database.db,
    sql`SELECT s.site_id FROM user_sites s JOIN users u ON u.id = s.user_id WHERE u.username = 'manager'`,
  );
  const captured: string[] = [];
  const spy = {
    execute: async (query: unknown) => {
      const result = await database.db.execute(sql`EXPLAIN ANALYZE ${query as ReturnType<typeof sql>}`);
      captured.push(...(result as unknown as { rows: Array<Record<string, string>> }).rows.map((r) => Object.values(r)[0]));
      return { rows: [] };
    },
  };
  for (const filter of [{}, { risk: 'high' }, { q: 'Dunmore1' }, { sort: 'name' }]) {
    captured.push(`-- ${JSON.stringify(filter)}`);
    await caseloadQuery(
      spy as unknown as Database['db'],
      siteRows.map((r) => r.site_id),
      caseloadFilterInput.parse(filter),
    );
  }
  process.stderr.write(`${captured.join('\n')}\n`);
}

async function main(): Promise<void> {
  const { database, kind, drop } = await openScratch();
  try {
    const built = Date.now();
    await fill(database);
    const buildSeconds = (Date.now() - built) / 1000;
    if (process.env.BENCH_EXPLAIN) await explain(database);
    // Production settings: templates compiled once and cached, as a real deployment serves them.
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    });
    const { app } = await buildApp({ database, config, programmes: loadProgrammeDefinitions(), version: packageVersion });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const cookie = await signIn(base);
      const check = await fetch(`${base}/caseload`, { headers: { cookie } });
      const body = await check.text();
      if (check.status !== 200 || !/referrals?, showing 1 to 25/.test(body)) throw new Error(`the caseload page did not render a full page (${check.status})`);
      const visible = /(\d[\d,]*) referrals?, showing/.exec(body)?.[1];

      // The load generator runs in its own thread: the query-alone loop has no client to share the event loop with either.
      await autocannon({ url: `${base}/caseload`, connections, duration: 2, headers: { cookie }, workers: 1 }); // warm-up
      const page = await autocannon({ url: `${base}/caseload`, connections, duration: seconds, headers: { cookie }, workers: 1 });
      if (page.non2xx > 0 || page.errors > 0) throw new Error(`the page answered ${page.non2xx} non-2xx and ${page.errors} errors under load`);

      const siteRows = await queryRows<{ site_id: number }>(
        database.db,
        sql`SELECT s.site_id FROM user_sites s JOIN users u ON u.id = s.user_id WHERE u.username = 'manager'`,
      );
      const siteIds = siteRows.map((r) => r.site_id);
      const query = await timeQueryAlone(database, siteIds);
      const q50 = percentile(query, 50);
      const q95 = percentile(query, 95);
      // autocannon v8 reports p50 and p97.5 among its fixed percentiles; p95 is interpolated between p90 and p97.5.
      const l = page.latency;
      const p50 = l.p50;
      const p95 = l.p90 + ((l.p97_5 - l.p90) * (95 - 90)) / (97.5 - 90);
      const fmt = (v: number) => v.toFixed(1);
      reportResults(
        'Caseload page vs its query (bench/caseload.ts)',
        [
          markdownTable(
            ['measured', 'requests', 'p50 ms', 'p95 ms', 'req/s'],
            [
              ['GET /caseload (real server, autocannon)', page.requests.total, fmt(p50), fmt(p95), fmt(page.requests.average)],
              ['caseloadQuery alone', query.length, fmt(q50), fmt(q95), fmt(query.length / seconds)],
              ['ratio page / query', '', fmt(p50 / q50), fmt(p95 / q95), ''],
            ],
          ),
          '',
          `${kind}; ${totalReferrals.toLocaleString('en-GB')} referrals (${visible} visible to the Northgate treatment manager who signed in), ` +
            `${connections} concurrent connections for ${seconds} s each after a 2 s warm-up (autocannon in a worker thread), default page (25 rows, newest status change first). ` +
            `Database built in ${buildSeconds.toFixed(1)} s. The page includes the session lookup, the site list, the audit-log append ` +
            `(caseload.viewed) in the same transaction as the query, and rendering. Page p95 is interpolated from autocannon's p90 and p97.5. ` +
            `Aim: page p95 within 2× the query's.`,
        ].join('\n'),
      );
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    await drop();
  }
}

// Run when invoked (npm run bench:caseload), not when imported for tuning.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
