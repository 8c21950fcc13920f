// The embedded database's folder belongs to one process: a second sotp refuses it at once, saying who holds it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { lockFileName } from '../../src/db/data-folder-lock.js';
import { runCli } from '../support/run-cli.js';

const parent = mkdtempSync(join(tmpdir(), 'sotp-lock-'));
const dataDir = join(parent, 'data');
let database: Database | undefined;
before(async () => {
  database = await openDatabase({ dataDir });
});
after(async () => {
  await database?.close();
  rmSync(parent, { recursive: true, force: true });
});

test('a second process may not open a data folder that a running sotp holds: it exits 1 naming the folder and the pid', async () => {
  const run = await runCli(['user', 'disable', '--username', 'facilitator'], { env: { DATA_DIR: dataDir, DATABASE_URL: '' } });
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr.trim(), `sotp: the data folder ${dataDir} is in use by a running sotp (pid ${process.pid}): stop it, or use the web admin / API`);
  assert.equal(JSON.parse(readFileSync(join(dataDir, lockFileName), 'utf8')).pid, process.pid, 'the holder keeps its lock');
});

test('closing the database releases the folder, and a lock left by a process that has gone is taken over', async () => {
  await database!.close();
  database = undefined;
  assert.equal(existsSync(join(dataDir, lockFileName)), false);
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(dataDir, lockFileName), JSON.stringify({ pid: Number(gone) }));
  database = await openDatabase({ dataDir });
  assert.equal(JSON.parse(readFileSync(join(dataDir, lockFileName), 'utf8')).pid, process.pid);
});

test('a data folder holding other files but no database is refused with what is wrong, not a crash', async () => {
  const cluttered = join(parent, 'cluttered');
  mkdirSync(cluttered);
  writeFileSync(join(cluttered, 'server.log'), 'an operator left this here\n');
  const run = await runCli(['db', 'migrate'], { env: { DATA_DIR: cluttered, DATABASE_URL: '' } });
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`DATA_DIR ${cluttered} is not empty and holds no sotp database`));
  assert.equal(existsSync(join(cluttered, lockFileName)), false, 'a refused opening leaves no lock behind');
});
