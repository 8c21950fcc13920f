import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, like, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { queryRows } from '../../src/db/connection.js';
import { auditLog, harmMonitorLooks, people, referrals } from '../../src/db/schema.js';
import { type Actor } from '../../src/services/access.js';
import { importCohortFile } from '../../src/services/cohort-imports.js';
import { AccessDenied, ValidationFailed } from '../../src/services/errors.js';
import { getMonitor, monitorAlerts, monitorLooksCsv, saveMonitorDesign, takeDueLook, takeDueLooks } from '../../src/services/harm-monitor.js';
import { importReconvictions } from '../../src/services/reconvictions.js';
import { testDatabase } from '../support/database.js';

const key = 'test-pseudonym-key-test-pseudonym-key';
let database: Database;
let researcher: Actor;
let administrator: Actor;
let poolId: number;
let completers: Array<{ id: number; prisonNumber: string }>;
const facilitator: Actor = { userId: 1, username: 'f', role: 'facilitator', siteIds: [1] };

before(async () => {
  database = await testDatabase({ demo: true });
  const ids = await queryRows<{ id: number; username: string }>(database.db, sql`SELECT id, username FROM users WHERE username IN ('researcher', 'admin')`);
  const id = (name: string) => ids.find((r) => r.username === name)!.id;
  researcher = { userId: id('researcher'), username: 'researcher', role: 'researcher', siteIds: [] };
  administrator = { userId: id('admin'), username: 'admin', role: 'administrator', siteIds: [] };
  // The programme's completers are released in March 2021 and every one reoffends in 2022: a harmful programme.
  completers = await database.db
    .select({ id: people.id, prisonNumber: people.prisonNumber })
    .from(referrals)
    .innerJoin(people, eq(people.id, referrals.personId))
    .where(and(eq(referrals.programmeId, 'core-sotp'), eq(referrals.status, 'programme_complete')));
  for (const man of completers) await database.db.update(people).set({ earliestReleaseDate: '2021-03-01' }).where(eq(people.id, man.id));
  const records = completers.map((m, i) => `${m.prisonNumber},sexual,2022-0${1 + (i % 6)}-10`);
  await importReconvictions(
    database.db,
    administrator,
    { fileName: 'national.csv', content: `prison_number,outcome,offence_date\n${records.join('\n')}\n`, dataAsOf: '2026-06-30' },
    key,
  );
  const pool = ['person_ref,treated,release_date,end_of_followup,risk_band,age_at_release,prior_sexual,sexual_reoffence_date'];
  for (let i = 0; i < 300; i++)
    pool.push(`C${i},0,20${18 + (i % 4)}-0${1 + (i % 9)}-15,2026-06-30,medium,${25 + (i % 30)},${i % 3},${i % 50 === 0 ? '2023-05-05' : ''}`);
  poolId = (await importCohortFile(database.db, researcher, { kind: 'comparison', fileName: 'pool.csv', content: pool.join('\n') })).cohortImport.id;
});
after(() => database.close());

const design = (firstLook: string) => ({
  cohortImportId: poolId,
  covariates: ['age_at_release', 'prior_sexual'],
  outcome: 'sexual',
  firstLook,
  everyMonths: '12',
  horizonYears: '5',
});

test('a harm-monitor look is taken once however many schedulers run at the same time: one row per design and look date', async () => {
  await saveMonitorDesign(database.db, administrator, 'core-sotp', design('2022-01-01'));
  const now = new Date('2023-06-01T03:00:00Z');
  // Two server instances' rounds at once, then a later round on the same day: the two due looks, once each.
  const [a, b] = await Promise.all([takeDueLooks(database.db, { pseudonymKey: key, now }), takeDueLooks(database.db, { pseudonymKey: key, now })]);
  assert.equal(a + b, 2);
  assert.equal(await takeDueLooks(database.db, { pseudonymKey: key, now }), 0);
  const monitor = (await getMonitor(database.db, researcher, 'core-sotp', now))!;
  assert.deepEqual(
    monitor.looks.map((l) => l.date),
    ['2022-01-01', '2023-01-01'],
  );
  assert.equal((await database.db.select().from(harmMonitorLooks)).length, 2);
  // The next look is not due until its date: the clock moves on, and then it is taken.
  assert.equal(monitor.pending[0].date, '2024-01-01');
  assert.equal(monitor.pending[0].due, false);
  assert.equal(await takeDueLooks(database.db, { pseudonymKey: key, now: new Date('2024-01-01T00:30:00Z') }), 1);
});

test('each look uses only men released, and reoffences known, by its date', async () => {
  const monitor = (await getMonitor(database.db, researcher, 'core-sotp'))!;
  const [first, second] = monitor.looks;
  // By 2022-01-01: the completers (released 2021-03-01) with none of their 2022 reoffences yet; pool men released before it.
  assert.equal(first.treated, completers.length);
  assert.equal(first.treatedEvents, 0);
  // Pool men are released in 2018, 2019, 2020 and 2021 (one year in four each): all by the 2022 look.
  assert.equal(first.comparison, 300);
  assert.equal(first.comparisonEvents, 0, 'the pool’s reoffences are in 2023');
  assert.equal(second.treatedEvents, completers.length);
  assert.equal(second.comparisonEvents, 0);
});

test('a look that crosses the harm boundary is audit-logged and shown to administrators on their home page', async () => {
  const monitor = (await getMonitor(database.db, researcher, 'core-sotp'))!;
  assert.equal(monitor.flag?.decision, 'harm');
  const crossing = monitor.looks.find((l) => l.decision === 'harm')!;
  assert.ok(crossing.statistic >= crossing.boundary.harm!);
  const entries = await database.db.select().from(auditLog).where(like(auditLog.action, 'monitor.%'));
  assert.ok(entries.some((e) => e.action === 'monitor.harm' && e.subjectId === 'core-sotp' && e.details.date === crossing.date));
  assert.deepEqual(await monitorAlerts(database.db, administrator), [{ programmeId: 'core-sotp', decision: 'harm', date: crossing.date }]);
  await assert.rejects(monitorAlerts(database.db, researcher), AccessDenied);
});

test('the design cannot change once its first look has been taken', async () => {
  await assert.rejects(saveMonitorDesign(database.db, administrator, 'core-sotp', design('2022-06-01')), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed);
    assert.equal(e.errors[0].field, 'firstLook');
    assert.match(e.errors[0].message, /cannot change/);
    return true;
  });
  assert.equal((await getMonitor(database.db, researcher, 'core-sotp'))!.design.firstLook, '2022-01-01');
});

test('a look on demand takes the earliest due look, and says when none is due yet', async () => {
  await assert.rejects(takeDueLook(database.db, researcher, 'core-sotp', { pseudonymKey: key, now: new Date('2024-06-01T00:00:00Z') }), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed);
    assert.match(e.errors[0].message, /next is on 2025-01-01/);
    return true;
  });
  const look = await takeDueLook(database.db, researcher, 'core-sotp', { pseudonymKey: key, now: new Date('2025-02-01T00:00:00Z') });
  assert.equal(look?.date, '2025-01-01');
  assert.equal(look?.takenBy, researcher.userId);
});

test('the looks export as CSV with counts and statistics only: no prison number or pseudonym of any man', async () => {
  const csv = await monitorLooksCsv(database.db, researcher, 'core-sotp');
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(
    lines[0],
    'programme,look,date,treated,comparison,treated_events,comparison_events,statistic,information,harm_boundary,benefit_boundary,decision,cohort_sha256,reconvictions_as_of',
  );
  assert.equal(lines.length, 1 + 4);
  for (const man of completers) assert.ok(!csv.includes(man.prisonNumber));
  assert.ok(!/\bP[0-9a-f]{20}\b/.test(csv), 'no pseudonym');
});

test('only administrators fix a design; researchers take looks and export; facilitators see nothing', async () => {
  await assert.rejects(saveMonitorDesign(database.db, researcher, 'core-sotp', design('2022-01-01')), AccessDenied);
  await assert.rejects(getMonitor(database.db, facilitator, 'core-sotp'), AccessDenied);
  await assert.rejects(monitorLooksCsv(database.db, facilitator, 'core-sotp'), AccessDenied);
});
