import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { cliDatabaseEnv } from '../support/database.js';
import { runCli } from '../support/run-cli.js';

/** Tampering as a database owner would: switch the append-only trigger off, change, switch it on. */
async function tamper(env: Record<string, string>, statement: string): Promise<void> {
  const sqlText = `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete; ${statement}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_or_delete;`;
  if (env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    await client.query(sqlText);
    await client.end();
  } else {
    const client = await PGlite.create(env.DATA_DIR);
    await client.exec(sqlText);
    await client.close();
  }
}

test('sotp audit verify reports an intact log with its entry count', async () => {
  const { env, cleanup } = await cliDatabaseEnv({ demo: true });
  try {
    const run = await runCli(['audit', 'verify'], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^audit log intact: \d+ entries\n$/);
    assert.ok(Number(/(\d+) entries/.exec(run.stdout)![1]) > 10, 'demo seeding writes entries');
  } finally {
    await cleanup();
  }
});

test('sotp audit verify catches an edited entry and names it', async () => {
  const { env, cleanup } = await cliDatabaseEnv({ demo: true });
  try {
    await tamper(env, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`);
    const run = await runCli(['audit', 'verify'], { env });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken at entry 3/);
    assert.equal(run.stdout, '');
  } finally {
    await cleanup();
  }
});

test('sotp audit verify catches a deleted entry and names it', async () => {
  const { env, cleanup } = await cliDatabaseEnv({ demo: true });
  try {
    await tamper(env, `DELETE FROM audit_log WHERE seq = 4`);
    const run = await runCli(['audit', 'verify'], { env });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken at entry 4: entry 4 is missing/);
  } finally {
    await cleanup();
  }
});
