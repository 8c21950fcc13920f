// sotp keeps serving when PostgreSQL ends its idle connections (a restart, a failover, an administrator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../../src/db/connection.js';
import { cliDatabaseEnv } from '../support/database.js';

const skip = process.env.TEST_DATABASE_URL ? false : 'needs PostgreSQL (set TEST_DATABASE_URL)';

test('idle connections ended by PostgreSQL do not stop sotp: the next query is answered on a new connection', { skip }, async () => {
  const { env, cleanup } = await cliDatabaseEnv();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: '' });
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    await Promise.all([1, 2, 3].map(() => queryRows(database.db, sql`SELECT pg_sleep(0.05)`)));
    const name = new URL(env.DATABASE_URL).pathname.slice(1);
    const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    assert.ok(rowCount! > 0, 'the pool had idle connections to end');
    // The pool hears of the ended connections as they go; give it that moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [row] = await queryRows<{ answer: number }>(database.db, sql`SELECT 42 AS answer`);
    assert.equal(row.answer, 42);
  } finally {
    await admin.end();
    await database.close();
    await cleanup();
  }
});
