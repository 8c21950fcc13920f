// `sotp staff import`: the real command on its own copy of the demo database. A staff list with accreditations from
// before sotp is all or nothing, names each problem by its line, and running it twice changes nothing the second time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { cliDatabaseEnv } from '../support/database.js';
import { runCli } from '../support/run-cli.js';

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let dir: string;
before(async () => {
  ({ env, cleanup } = await cliDatabaseEnv({ demo: true }));
  dir = await mkdtemp(join(tmpdir(), 'sotp-staff-import-'));
  // Facilitators of their own, not in the demo pipeline.
  for (const [username, site] of [
    ['import-f1', 'NGT'],
    ['import-f2', 'SMR'],
  ]) {
    const added = await runCli(['user', 'add', '--username', username, '--name', username, '--role', 'facilitator', '--site', site, '--password-stdin'], {
      env,
      stdin: 'a-long-enough-password\n',
    });
    assert.equal(added.code, 0, added.stderr);
  }
});
after(async () => {
  await cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Rows of a query on the CLI's database, read while no command runs. */
async function query<T>(text: string): Promise<T[]> {
  if (env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = await PGlite.create({ dataDir: env.DATA_DIR });
  try {
    return (await db.query<T>(text)).rows;
  } finally {
    await db.close();
  }
}

const header = 'username,display_name,site_code,programme_id,accredited_on';
const counts = async () =>
  (
    await query<{ members: number; moves: number }>(
      "SELECT (SELECT count(*)::int FROM staff_members) AS members, (SELECT count(*)::int FROM staff_stage_moves WHERE move_id = 'record_existing_accreditation') AS moves",
    )
  )[0];

test('a staff list with a problem on any line imports nothing and names every line at fault (exit 2)', async () => {
  const before = await counts();
  const file = await csv('broken.csv', [
    header,
    'pipeline-import-ok,Olu Okafor,NGT,core-sotp,2019-05-01',
    'nobody-here,No One,NGT,core-sotp,2019-05-01',
    'manager,Mandy Manager,NGT,core-sotp,2019-05-01',
    'facilitator3,Fran Three,XYZ,core-sotp,2019-31-01',
    'facilitator3,Fran Three,NGT,no-such-programme,2999-01-01',
  ]);
  const run = await runCli(['staff', 'import', '--file', file], { env });
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /nothing was imported/);
  assert.match(run.stderr, /Line 2, username: no sign-in is called "pipeline-import-ok"/);
  assert.match(run.stderr, /Line 3, username: no sign-in is called "nobody-here"/);
  assert.match(run.stderr, /Line 4, username: "manager" is not a facilitator’s sign-in/);
  assert.match(run.stderr, /Line 5, site_code: no site has the code "XYZ"/);
  assert.match(run.stderr, /Line 5, accredited_on: must be a real date/);
  assert.match(run.stderr, /Line 6, programme_id: there is no programme "no-such-programme"/);
  assert.match(run.stderr, /Line 6, accredited_on: cannot be in the future/);
  assert.deepEqual(await counts(), before, 'nothing was saved');
});

test('a file without the columns is refused naming them', async () => {
  const run = await runCli(['staff', 'import', '--file', await csv('columns.csv', ['username,name', 'facilitator3,Fran'])], { env });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /needs the columns display_name, site_code, programme_id, accredited_on/);
});

test('a staff list is imported as accredited moves with the import as evidence, and importing it again changes nothing', async () => {
  const file = await csv('staff.csv', [header, 'import-f1,Fran Import,NGT,core-sotp,2019-05-01', 'import-f2,Fin Import,smr,core-sotp,2020-02-03']);
  const first = await runCli(['staff', 'import', '--file', file], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'staff added: 2, accreditations recorded: 2, lines already recorded: 0\n');
  const before = await counts();
  const moves = await query<{ evidence: Record<string, string>; programme_id: string; to_stage: string }>(
    "SELECT m.evidence, m.programme_id, m.to_stage FROM staff_stage_moves m JOIN staff_members s ON s.id = m.staff_member_id JOIN users u ON u.id = s.user_id WHERE u.username = 'import-f1' AND m.move_id = 'record_existing_accreditation'",
  );
  assert.equal(moves.length, 1);
  assert.equal(moves[0].to_stage, 'accredited');
  assert.deepEqual(moves[0].evidence, { accreditedOn: '2019-05-01', importFile: 'staff.csv', importLine: '2' });
  const audit = await query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
  const again = await runCli(['staff', 'import', '--file', file], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, 'staff added: 0, accreditations recorded: 0, lines already recorded: 2\n');
  assert.deepEqual(await counts(), before, 'the second run changed nothing');
  assert.deepEqual(await query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log'), audit, 'not even the audit log');
});
