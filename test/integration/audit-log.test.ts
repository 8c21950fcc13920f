import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { queryRows } from '../../src/db/connection.js';
import { systemActor } from '../../src/services/access.js';
import { appendAudit, verifyAuditLog } from '../../src/services/audit.js';
import { testDatabase } from '../support/database.js';

let database: Database;
before(async () => {
  database = await testDatabase();
});
after(() => database.close());

test('entries appended in one transaction each get contiguous sequence numbers and verify', async () => {
  const before = await verifyAuditLog(database.db);
  assert.ok(before.intact);
  for (let i = 0; i < 5; i++) {
    await database.db.transaction((tx) => appendAudit(tx, systemActor, { action: 'test.event', subjectType: 'test', subjectId: i }));
  }
  const after = await verifyAuditLog(database.db);
  assert.deepEqual(after, { intact: true, entries: before.entries + 5 });
});

test('an audit entry is rolled back with the change it records', async () => {
  const { entries } = await verifyAuditLog(database.db);
  await assert.rejects(
    database.db.transaction(async (tx) => {
      await appendAudit(tx, systemActor, { action: 'test.doomed', subjectType: 'test' });
      throw new Error('the change failed');
    }),
  );
  assert.equal((await verifyAuditLog(database.db)).entries, entries);
});

/** Drizzle wraps the driver's error; the database's own message is in the cause. */
const refusedAsAppendOnly = (error: unknown) => /append-only/.test(String((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message));

test('the database refuses UPDATE, DELETE and TRUNCATE on the audit log', async () => {
  await assert.rejects(database.db.execute(sql`UPDATE audit_log SET actor = 'mallory'`), refusedAsAppendOnly);
  await assert.rejects(database.db.execute(sql`DELETE FROM audit_log`), refusedAsAppendOnly);
  await assert.rejects(database.db.execute(sql`TRUNCATE audit_log`), refusedAsAppendOnly);
});

test('details are stored as given and the chain survives the jsonb round trip', async () => {
  await database.db.transaction((tx) =>
    appendAudit(tx, systemActor, { action: 'test.details', subjectType: 'test', details: { z: 1, a: [1, 2, { y: true, b: 0.5 }] } }),
  );
  const [row] = await queryRows<{ details: unknown }>(database.db, sql`SELECT details FROM audit_log ORDER BY seq DESC LIMIT 1`);
  assert.deepEqual(row.details, { z: 1, a: [1, 2, { y: true, b: 0.5 }] });
  assert.ok((await verifyAuditLog(database.db)).intact);
});

test('concurrent writers each get their own place in the chain: no duplicates, no gaps, chain intact', async () => {
  const before = await verifyAuditLog(database.db);
  await Promise.all(
    Array.from({ length: 25 }, (_, i) =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_sleep(0.002)`);
        await appendAudit(tx, systemActor, { action: 'test.concurrent', subjectType: 'test', subjectId: i });
      }),
    ),
  );
  assert.deepEqual(await verifyAuditLog(database.db), { intact: true, entries: before.entries + 25 });
});
