// `sotp backup` and `sotp restore` round trip: every table and the audit chain's head are the same after a
// restore, and a restore never overwrites a database. Runs on the database the suite runs on (PGlite or PostgreSQL).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, type Database } from '../../src/db/connection.js';
import { cliDatabaseEnv, testDatabaseKind } from '../support/database.js';
import { runCli } from '../support/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'sotp-backup-'));
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** Every table's row count and a digest of its rows in a fixed order, and the audit chain's head. */
async function fingerprint(env: Record<string, string>): Promise<{ tables: Record<string, string>; head: unknown }> {
  const database: Database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR ?? '' });
  try {
    const names = await queryRows<{ table_name: string }>(
      database.db,
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const tables: Record<string, string> = {};
    for (const { table_name: name } of names) {
      const [row] = await queryRows<{ n: string; digest: string }>(
        database.db,
        sql.raw(`SELECT count(*)::text AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t`),
      );
      tables[name] = `${row.n}:${row.digest}`;
    }
    const [head] = await queryRows(database.db, sql`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
    return { tables, head };
  } finally {
    await database.close();
  }
}

/** An empty place to restore into: an empty folder, or a new empty PostgreSQL database. */
async function emptyTarget(): Promise<Record<string, string>> {
  if (testDatabaseKind === 'pglite') return { DATA_DIR: join(work, `restored-${randomBytes(4).toString('hex')}`), DATABASE_URL: '' };
  const base = process.env.TEST_DATABASE_URL!;
  const name = `sotp_restore_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  cleanups.push(async () => {
    const dropper = new pg.Client({ connectionString: base });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await dropper.end();
  });
  return { DATABASE_URL: url.toString() };
}

test(`a backup restored into an empty database holds every table row for row and the same audit chain head (${testDatabaseKind})`, async () => {
  const source = await cliDatabaseEnv({ demo: true });
  cleanups.push(source.cleanup);
  const file = join(work, 'sotp.backup');
  const backup = await runCli(['backup', '--out', file], { env: source.env });
  assert.equal(backup.code, 0, backup.stderr);
  assert.equal(backup.stdout, `backup written: ${file}\n`);
  const target = await emptyTarget();
  const restore = await runCli(['restore', '--file', file], { env: target });
  assert.equal(restore.code, 0, restore.stderr);
  const before = await fingerprint(source.env);
  const afterRestore = await fingerprint(target);
  assert.ok(Object.keys(before.tables).length > 20, 'every table is compared');
  assert.ok(Number(before.tables.audit_log.split(':')[0]) > 0, 'the demo database has an audit log');
  assert.deepEqual(afterRestore, before);
  const verify = await runCli(['audit', 'verify'], { env: target });
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /^audit log intact: \d+ entries\n$/);

  // A second restore onto the restored database is refused: a restore never overwrites data.
  const again = await runCli(['restore', '--file', file], { env: target });
  assert.notEqual(again.code, 0);
  assert.deepEqual(await fingerprint(target), before, 'nothing changed');
});

test('restoring a file that is not there, or into a folder that is not empty, is refused with the reason and exit 2', async () => {
  const missing = await runCli(['restore', '--file', join(work, 'no-such.backup')], { env: { DATA_DIR: join(work, 'unused'), DATABASE_URL: '' } });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /there is no backup file/);
  const cluttered = join(work, 'cluttered');
  const file = join(work, 'any.backup');
  writeFileSync(file, 'not a backup');
  mkdirSync(cluttered);
  writeFileSync(join(cluttered, 'notes.txt'), 'keep me');
  const refused = await runCli(['restore', '--file', file], { env: { DATA_DIR: cluttered, DATABASE_URL: '' } });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, new RegExp(`DATA_DIR ${cluttered} is not empty: restore into an empty folder`));
});
