// The real server killed with SIGKILL in the middle of a burst of writes and a cohort import, then restarted on
// the same data: every write it acknowledged is there, nothing is half-written, and the audit chain is intact.
// Runs on the database the suite runs on (PGlite in a data folder, or PostgreSQL); CRASH_RUNS sets the number of kills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Db } from '../../src/db/connection.js';
import { systemActor } from '../../src/services/access.js';
import { verifyAuditLog } from '../../src/services/audit.js';
import { createApiToken } from '../../src/services/authentication.js';
import { cliDatabaseEnv, testDatabaseKind } from '../support/database.js';
import { actorOf } from '../support/actors.js';
import { apiRequest, HttpVisitor, spawnServer, type ServerProcess } from '../support/server.js';

const runs = Number(process.env.CRASH_RUNS ?? 3);
const writers = 6;
const cohortFile = readFileSync(new URL('../fixtures/evaluation/friendship2003.csv', import.meta.url), 'utf8');

interface Acknowledged {
  people: Array<{ id: number; prisonNumber: string }>;
  referrals: Array<{ id: number; personId: number; status: string }>;
  imports: Array<{ sha256: string; acknowledged: boolean }>;
  /** Answers other than the expected success: a 5xx is a defect even during a crash. */
  refusals: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Prison numbers of the form K1234AB: K is not used by the demo data, the letters tell the run and writer apart. */
function prisonNumber(run: number, writer: number, n: number): string {
  const pair = run * writers + writer;
  return `K${String(n).padStart(4, '0')}${String.fromCharCode(65 + (Math.floor(pair / 26) % 26), 65 + (pair % 26))}`;
}

/** One writer: a man's record, then his referral (submitted), again and again until the server is gone. */
async function writer(
  server: ServerProcess,
  token: string,
  siteId: number,
  run: number,
  index: number,
  into: Acknowledged,
  acknowledged: () => void,
): Promise<void> {
  for (let n = 0; ; n++) {
    try {
      const number = prisonNumber(run, index, n);
      const person = await apiRequest(server.url, token, 'POST', '/people', {
        prisonNumber: number,
        givenName: 'Crash',
        familyName: `Writer${index}`,
        dateOfBirth: '1980-01-01',
        sex: 'male',
        siteId,
      });
      if (person.status !== 201) {
        into.refusals.push(`POST /people ${person.status}`);
        continue;
      }
      into.people.push({ id: person.json.id, prisonNumber: number });
      acknowledged();
      const referral = await apiRequest(server.url, token, 'POST', '/referrals', { personId: person.json.id, programmeId: 'core-sotp', submit: true });
      if (referral.status !== 201) {
        into.refusals.push(`POST /referrals ${referral.status}`);
        continue;
      }
      into.referrals.push({ id: referral.json.id, personId: person.json.id, status: referral.json.status });
      acknowledged();
    } catch {
      return; // the connection was cut: the server is gone
    }
  }
}

/** A researcher's cohort import through the web form; its file differs per run so that it is a new import. */
async function cohortImport(server: ServerProcess, researcher: HttpVisitor, run: number, into: Acknowledged): Promise<void> {
  const content = cohortFile.replace(/^P/gm, `R${run}P`);
  const record = { sha256: sha256(content), acknowledged: false };
  into.imports.push(record);
  try {
    const response = await researcher.postFile(`${server.url}/evaluations/imports`, { kind: 'cohort' }, { field: 'file', name: `crash-${run}.csv`, content });
    if (response.status !== 303 || !response.location) {
      into.refusals.push(`POST /evaluations/imports ${response.status}`);
      return;
    }
    // The upload's answer only queues the import: it is acknowledged when its page says it is imported.
    const page = new URL(response.location, server.url).toString();
    for (let attempt = 0; attempt < 2000; attempt++) {
      const progress = await researcher.get(page);
      if (progress.status !== 200) return void into.refusals.push(`GET import page ${progress.status}`);
      if (/Imported \d+ men from/.test(progress.body)) return void (record.acknowledged = true);
      if (!/>\s*Refresh\s*</.test(progress.body)) return void into.refusals.push('the import was refused');
      await sleep(50);
    }
  } catch {
    // cut by the kill
  }
}

/** Every way a write could be half-done, as one line per problem. */
async function halfWritten(db: Db): Promise<string[]> {
  const problems: string[] = [];
  const rows = (query: ReturnType<typeof sql>) => queryRows<{ problem: string }>(db, query);
  const checks = [
    sql`SELECT 'person ' || p.id || ' has no person.created audit entry' AS problem FROM people p
        WHERE p.prison_number LIKE 'K%' AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'person.created' AND a.subject_id = p.id::text)`,
    sql`SELECT 'audit entry ' || a.seq || ' records person ' || a.subject_id || ', which is not there' AS problem FROM audit_log a
        WHERE a.action = 'person.created' AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id::text = a.subject_id)`,
    sql`SELECT 'referral ' || r.id || ' has no referral.created audit entry' AS problem FROM referrals r JOIN people p ON p.id = r.person_id
        WHERE p.prison_number LIKE 'K%' AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'referral.created' AND a.subject_id = r.id::text)`,
    sql`SELECT 'audit entry ' || a.seq || ' records referral ' || a.subject_id || ', which is not there' AS problem FROM audit_log a
        WHERE a.action IN ('referral.created', 'referral.transitioned') AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.id::text = a.subject_id)`,
    // The history starts with the draft, its latest row is the referral's status, and each transition has its audit entry.
    sql`SELECT 'referral ' || r.id || ' does not start with a draft in its history' AS problem FROM referrals r JOIN people p ON p.id = r.person_id
        WHERE p.prison_number LIKE 'K%' AND NOT EXISTS (SELECT 1 FROM referral_history h WHERE h.referral_id = r.id AND h.from_status IS NULL AND h.to_status = 'draft')`,
    sql`SELECT 'referral ' || r.id || ' is ' || r.status || ' but its history ends at ' || coalesce(h.to_status, 'nothing') AS problem
        FROM referrals r JOIN people p ON p.id = r.person_id
        LEFT JOIN LATERAL (SELECT to_status FROM referral_history h WHERE h.referral_id = r.id ORDER BY h.id DESC LIMIT 1) h ON true
        WHERE p.prison_number LIKE 'K%' AND h.to_status IS DISTINCT FROM r.status`,
    sql`SELECT 'referral ' || r.id || ' has ' || (SELECT count(*) FROM referral_history h WHERE h.referral_id = r.id AND h.transition IS NOT NULL)
          || ' transitions in its history but ' || (SELECT count(*) FROM audit_log a WHERE a.action = 'referral.transitioned' AND a.subject_id = r.id::text) || ' in the audit log' AS problem
        FROM referrals r JOIN people p ON p.id = r.person_id
        WHERE p.prison_number LIKE 'K%'
          AND (SELECT count(*) FROM referral_history h WHERE h.referral_id = r.id AND h.transition IS NOT NULL)
           <> (SELECT count(*) FROM audit_log a WHERE a.action = 'referral.transitioned' AND a.subject_id = r.id::text)`,
    sql`SELECT 'cohort import ' || c.id || ' has no audit entry' AS problem FROM cohort_imports c
        WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'cohort_import.created' AND a.subject_id = c.id::text)`,
    sql`SELECT 'audit entry ' || a.seq || ' records cohort import ' || a.subject_id || ', which is not there' AS problem FROM audit_log a
        WHERE a.action = 'cohort_import.created' AND NOT EXISTS (SELECT 1 FROM cohort_imports c WHERE c.id::text = a.subject_id)`,
  ];
  for (const check of checks) problems.push(...(await rows(check)).map((r) => r.problem));
  // An import is whole: the stored file (its pieces in order) is the file whose digest and row count were recorded.
  const imports = await queryRows<{ id: number; sha256: string; rows: number; content: string }>(
    db,
    sql`
    SELECT i.id, i.sha256, i.rows, coalesce(string_agg(c.content, '' ORDER BY c.seq), '') AS content
    FROM cohort_imports i LEFT JOIN cohort_import_chunks c ON c.cohort_import_id = i.id
    GROUP BY i.id`,
  );
  for (const i of imports) {
    if (sha256(i.content) !== i.sha256) problems.push(`cohort import ${i.id}: its stored file does not match its digest`);
    if (i.content.trim().split('\n').length - 1 !== i.rows)
      problems.push(`cohort import ${i.id}: ${i.rows} rows recorded, the stored file holds another number`);
  }
  return problems;
}

test(`every acknowledged write survives a kill -9 of the server, nothing is half-written and the audit chain stays intact (${testDatabaseKind})`, async () => {
  const { env: databaseEnv, cleanup } = await cliDatabaseEnv({ demo: true });
  // One secret for every start, as in production: a signed-in visitor's session and form tokens outlive a restart.
  const env: Record<string, string> = { ...databaseEnv, SESSION_SECRET: randomBytes(32).toString('hex') };
  const open = () => openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR ?? '' });
  try {
    const setup = await open();
    let token: string;
    let siteId: number;
    try {
      const manager = await actorOf(setup.db, 'manager');
      token = await createApiToken(setup.db, systemActor, manager.userId!, 'crash test');
      siteId = manager.siteIds[0];
    } finally {
      await setup.close();
    }
    const all: Acknowledged = { people: [], referrals: [], imports: [], refusals: [] };
    const researcher = new HttpVisitor();

    for (let run = 0; run < runs; run++) {
      // Each start after the first is a restart on data left by a kill -9 (and, on PGlite, a stale folder lock).
      const server = await spawnServer(env);
      if (run === 0) assert.equal((await researcher.signIn(server.url, 'researcher')).status, 303);
      const form = await researcher.get(`${server.url}/evaluations/imports/new`);
      assert.equal(form.status, 200, 'the session started before the kill is still valid after it');

      // Even runs are killed a moment after the import is sent (once a few writes are in), to cut it part-way; odd
      // runs after a number of acknowledged writes that grows run by run, so the kill lands at different points.
      const killAfter = run % 2 === 0 ? 3 : 5 + 10 * run + Math.floor(Math.random() * 10);
      const notBefore = Date.now() + (run % 2 === 0 ? 100 + Math.random() * 700 : 0);
      let count = 0;
      let killed: Promise<void> | undefined;
      const kill = () => (killed ??= server.kill());
      const onAcknowledged = () => {
        if (++count >= killAfter) setTimeout(kill, Math.max(0, notBefore - Date.now()));
      };
      const work = [
        cohortImport(server, researcher, run, all),
        ...Array.from({ length: writers }, (_, i) => writer(server, token, siteId, run, i, all, onAcknowledged)),
      ];
      // A server too slow to reach the count is killed all the same.
      const timer = setTimeout(kill, 10_000);
      await Promise.all(work);
      clearTimeout(timer);
      await killed;
    }

    // Opening the data left by the last kill runs the same recovery as a restart of the server.
    const database = await open();
    let missing: string[];
    let problems: string[];
    let verdict: Awaited<ReturnType<typeof verifyAuditLog>>;
    let importsWhole = 0;
    let importsAbsent = 0;
    try {
      const people = new Map(
        (await queryRows<{ id: number; prison_number: string }>(database.db, sql`SELECT id, prison_number FROM people`)).map((p) => [p.id, p.prison_number]),
      );
      const referrals = new Map(
        (await queryRows<{ id: number; person_id: number; status: string }>(database.db, sql`SELECT id, person_id, status FROM referrals`)).map((r) => [
          r.id,
          r,
        ]),
      );
      const stored = new Set((await queryRows<{ sha256: string }>(database.db, sql`SELECT sha256 FROM cohort_imports`)).map((c) => c.sha256));
      missing = [
        ...all.people.filter((p) => people.get(p.id) !== p.prisonNumber).map((p) => `person ${p.id} (${p.prisonNumber})`),
        // Nothing moves these referrals on after they are submitted, so each is stored as it was answered.
        ...all.referrals
          .filter((r) => referrals.get(r.id)?.person_id !== r.personId || referrals.get(r.id)?.status !== r.status)
          .map((r) => `referral ${r.id}`),
        ...all.imports.filter((i) => i.acknowledged && !stored.has(i.sha256)).map((i) => `cohort import ${i.sha256.slice(0, 12)}`),
      ];
      for (const i of all.imports.filter((x) => !x.acknowledged)) {
        if (stored.has(i.sha256)) importsWhole++;
        else importsAbsent++;
      }
      problems = await halfWritten(database.db);
      // What `sotp audit verify` runs.
      verdict = await verifyAuditLog(database.db);
    } finally {
      await database.close();
    }

    const acknowledgedImports = all.imports.filter((i) => i.acknowledged).length;
    const writes = all.people.length + all.referrals.length + acknowledgedImports;
    const line =
      `crash (${testDatabaseKind}): ${runs} runs, ${writes} acknowledged writes (${all.people.length} people, ${all.referrals.length} referrals, ` +
      `${acknowledgedImports} cohort imports; ${importsWhole + importsAbsent} imports cut by the kill: ${importsWhole} stored whole, ${importsAbsent} absent), ` +
      `${missing.length} missing, ${problems.length} half-written, ${verdict.intact ? `audit chain intact (${verdict.entries} entries)` : 'audit chain BROKEN'}`;
    console.log(line);

    assert.deepEqual(missing, [], 'every acknowledged write is stored');
    assert.deepEqual(problems, [], 'nothing is half-written');
    assert.deepEqual(
      all.refusals.filter((r) => / 5\d\d$/.test(r)),
      [],
      'no server errors',
    );
    assert.ok(verdict.intact, JSON.stringify(verdict));
    assert.ok(all.people.length > 0 && all.referrals.length > 0, 'the burst wrote something before the kills');
  } finally {
    await cleanup();
    if (env.DATA_DIR) rmSync(env.DATA_DIR, { recursive: true, force: true });
  }
});
