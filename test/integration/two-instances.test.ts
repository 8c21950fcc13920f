// Two `sotp serve` processes on one PostgreSQL — the way sotp scales past one machine: writes spread across both are
// all kept, a session and its form tokens work on either, concurrent edits of one record conflict rather than
// overwrite, and the audit chain stays one unbroken chain. PGlite is one process by design, so this needs PostgreSQL
// (.ci/run sets TEST_DATABASE_URL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { readMigrations } from '../../src/db/migrate.js';
import { loadProgrammeDefinitions } from '../../src/programme-files.js';
import { openRuntime } from '../../src/runtime.js';
import { openDatabase, queryRows, type Database } from '../../src/db/connection.js';
import { systemActor } from '../../src/services/access.js';
import { verifyAuditLog } from '../../src/services/audit.js';
import { createApiToken } from '../../src/services/authentication.js';
import { actorOf } from '../support/actors.js';
import { cliDatabaseEnv } from '../support/database.js';
import { apiRequest, HttpVisitor, spawnServer, type ServerProcess } from '../support/server.js';

const skip = process.env.TEST_DATABASE_URL ? false : 'needs PostgreSQL (set TEST_DATABASE_URL): an embedded PGlite folder is opened by one process only';

let instances: ServerProcess[] = [];
let database: Database;
let token: string;
let siteId: number;
let cleanup = async () => {};
const counts = { writes: [0, 0], races: 0, conflicts: 0, auditedReads: 0 };

before(async () => {
  if (skip) return;
  const prepared = await cliDatabaseEnv({ demo: true });
  cleanup = prepared.cleanup;
  database = await openDatabase({ databaseUrl: prepared.env.DATABASE_URL, dataDir: '' });
  const manager = await actorOf(database.db, 'manager');
  token = await createApiToken(database.db, systemActor, manager.userId!, 'two instances');
  siteId = manager.siteIds[0];
  // Instances behind one address share SESSION_SECRET (it signs the form-token cookie), as production requires.
  const env = { ...prepared.env, SESSION_SECRET: randomBytes(32).toString('hex') };
  instances = await Promise.all([spawnServer(env), spawnServer(env)]);
});

after(async () => {
  await Promise.all(instances.map((i) => i.stop()));
  await database?.close();
  await cleanup();
});

let serial = 0;
function newPerson(familyName: string) {
  serial++;
  const letters = String.fromCharCode(65 + (serial % 26)) + String.fromCharCode(65 + (Math.floor(serial / 26) % 26));
  return { prisonNumber: `T${String(serial).padStart(4, '0')}${letters}`, givenName: 'Two', familyName, dateOfBirth: '1975-05-05', sex: 'male', siteId };
}

test('two instances starting at once on a new database both start, and the migrations and programme versions are recorded once', { skip }, async () => {
  const base = process.env.TEST_DATABASE_URL!;
  const name = `sotp_two_starts_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  try {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url.toString() });
    // What `sotp serve` does first, twice at the same moment.
    const started = await Promise.allSettled([openRuntime(config), openRuntime(config)]);
    for (const s of started) if (s.status === 'fulfilled') await s.value.database.close();
    assert.deepEqual(
      started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started')),
      ['started', 'started'],
    );
    const fresh = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
    try {
      const [row] = await queryRows<{ migrations: string; versions: string }>(
        fresh.db,
        sql`SELECT (SELECT count(*) FROM schema_migrations)::text AS migrations, (SELECT count(*) FROM programme_versions)::text AS versions`,
      );
      assert.deepEqual(row, { migrations: String(readMigrations().length), versions: String(loadProgrammeDefinitions().length) });
      assert.ok((await verifyAuditLog(fresh.db)).intact);
    } finally {
      await fresh.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});

test('writes spread across two instances are all stored, each with its audit entry', { skip }, async () => {
  const writers = 8;
  const each = 10;
  const created: number[] = [];
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let n = 0; n < each; n++) {
        // Alternate instances request by request, so each writer's records are spread across both.
        const instance = (w + n) % 2;
        const response = await apiRequest(instances[instance].url, token, 'POST', '/people', newPerson(`Spread${w}`));
        assert.equal(response.status, 201, JSON.stringify(response.json));
        created.push(response.json.id);
        counts.writes[instance]++;
      }
    }),
  );
  const ids = created.join(',');
  const [stored] = await queryRows<{ people: string; audited: string }>(
    database.db,
    sql`SELECT (SELECT count(*) FROM people WHERE id IN (${sql.raw(ids)}))::text AS people,
               (SELECT count(*) FROM audit_log WHERE action = 'person.created' AND subject_id IN (${sql.raw(created.map((id) => `'${id}'`).join(','))}))::text AS audited`,
  );
  assert.deepEqual(stored, { people: String(writers * each), audited: String(writers * each) });
  assert.ok(counts.writes[0] > 0 && counts.writes[1] > 0);
});

test('a session started on one instance is valid on the other, with its form tokens, and signing out on one ends it on both', { skip }, async () => {
  const [a, b] = instances;
  const visitor = new HttpVisitor();
  assert.equal((await visitor.signIn(a.url, 'manager')).status, 303);
  // The form is read on A; the token in it is used on B.
  const form = await visitor.get(`${a.url}/people/new`);
  assert.equal(form.status, 200);
  const person = newPerson('Session');
  const posted = await visitor.post(`${b.url}/people`, {
    prisonNumber: person.prisonNumber,
    givenName: person.givenName,
    familyName: person.familyName,
    'dateOfBirth-day': '5',
    'dateOfBirth-month': '5',
    'dateOfBirth-year': '1975',
    sex: 'male',
    siteId: String(siteId),
  });
  assert.equal(posted.status, 303, posted.body.slice(0, 300));
  assert.match(posted.location ?? '', /^\/people\/\d+$/);
  counts.writes[1]++;
  const shown = await visitor.get(`${a.url}${posted.location}`);
  assert.equal(shown.status, 200);
  assert.match(shown.body, new RegExp(person.prisonNumber));

  // Signing out on B ends the session stored in the database, so A refuses it too.
  await visitor.get(`${b.url}/people`);
  const signedOut = await visitor.post(`${b.url}/sign-out`);
  assert.equal(signedOut.status, 303);
  const afterwards = await visitor.get(`${a.url}/people`);
  assert.notEqual(afterwards.status, 200);
  assert.match(afterwards.location ?? '', /^\/sign-in/);
});

test('concurrent edits of one record on two instances give a conflict, never a lost update', { skip }, async () => {
  const [a, b] = instances;
  const created = await apiRequest(a.url, token, 'POST', '/people', newPerson('Race'));
  assert.equal(created.status, 201);
  const id = created.json.id;
  let version = created.json.version;
  for (let race = 0; race < 15; race++) {
    const [onA, onB] = await Promise.all([
      apiRequest(a.url, token, 'PATCH', `/people/${id}`, { givenName: `A${race}`, version }),
      apiRequest(b.url, token, 'PATCH', `/people/${id}`, { givenName: `B${race}`, version }),
    ]);
    assert.deepEqual([onA.status, onB.status].sort(), [200, 409], `race ${race}: one edit wins, the other is told it is out of date`);
    const winner = onA.status === 200 ? onA : onB;
    const stored = await apiRequest(b.url, token, 'GET', `/people/${id}`);
    assert.equal(stored.json.givenName, winner.json.givenName, 'the stored record is the edit that was acknowledged');
    assert.equal(stored.json.version, version + 1);
    version = stored.json.version;
    counts.races++;
    counts.conflicts++;
    counts.writes[onA.status === 200 ? 0 : 1]++;
  }
});

test('two instances appending to the audit log keep one unbroken chain', { skip }, async () => {
  const [before] = await queryRows<{ n: string }>(database.db, sql`SELECT count(*)::text AS n FROM audit_log`);
  const [{ id }] = await queryRows<{ id: number }>(database.db, sql`SELECT id FROM people WHERE prison_number LIKE 'T%' ORDER BY id LIMIT 1`);
  // Every read of a man's record appends an audit entry: many at once from both processes.
  await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      const response = await apiRequest(instances[i % 2].url, token, 'GET', `/people/${id}`);
      assert.equal(response.status, 200);
      counts.auditedReads++;
    }),
  );
  const [afterwards] = await queryRows<{ n: string }>(database.db, sql`SELECT count(*)::text AS n FROM audit_log`);
  assert.equal(Number(afterwards.n) - Number(before.n), 60, 'one entry per read');
  const verdict = await verifyAuditLog(database.db);
  assert.ok(verdict.intact, JSON.stringify(verdict));
  const line =
    `two instances: ${counts.writes[0] + counts.writes[1]} writes across 2 instances (${counts.writes[0]} on A, ${counts.writes[1]} on B), ` +
    `sessions valid on both, ${counts.races} concurrent edits → ${counts.conflicts} conflicts and 0 lost updates, ` +
    `${counts.auditedReads} concurrent audited reads, audit chain intact (${verdict.entries} entries)`;
  console.log(line);
});
