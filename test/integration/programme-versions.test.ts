import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, programmeVersions } from '../../src/db/schema.js';
import { ProgrammeDefinitionError } from '../../src/domain/programme/definition.js';
import { loadConfig } from '../../src/config.js';
import { loadProgrammeDefinitions } from '../../src/programme-files.js';
import { openRuntime } from '../../src/runtime.js';
import { projectPath } from '../../src/paths.js';
import type { Actor } from '../../src/services/access.js';
import { AccessDenied, ValidationFailed } from '../../src/services/errors.js';
import { getGroup } from '../../src/services/groups/detail.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { compareProgrammeVersions, listProgrammeVersions, uploadProgrammeVersion } from '../../src/services/programmes.js';
import { actorOf } from '../support/actors.js';
import { cliDatabaseEnv, testDatabase } from '../support/database.js';
import { buildEstate, groupForm, liveSessions, testToday, type Estate } from '../support/groups.js';

let database: Database;
let admin: Actor;
let estate: Estate;

before(async () => {
  database = await testDatabase({ demo: true });
  admin = await actorOf(database.db, 'admin');
  estate = await buildEstate(database.db);
});
after(() => database.close());

const v1Text = readFileSync(projectPath('programmes', 'core-sotp.v1.json'), 'utf8');

/** Core SOTP v1 as a new version, with `change` applied to a copy (blocks 1 and 2 split 5 + 6 instead of 6 + 5 unless changed). */
function coreSotp(version: number, change: (def: Record<string, any>) => void = () => {}): string {
  const def = JSON.parse(v1Text);
  def.version = version;
  def.effectiveFrom = '2026-06-01';
  def.blocks[0].sessions = 5;
  def.blocks[1].sessions = 6;
  change(def);
  return JSON.stringify(def, null, 2);
}

const storedVersions = async () =>
  (await database.db.select({ version: programmeVersions.version }).from(programmeVersions).where(eq(programmeVersions.programmeId, 'core-sotp')))
    .map((r) => r.version)
    .sort();

function refusedOnFile(pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof ValidationFailed, String(e));
    assert.equal(e.errors[0].field, 'file');
    assert.match(e.errors[0].message, pattern);
    return true;
  };
}

test('a programme version is validated like the file at start-up and a broken one names the field', async () => {
  const broken = coreSotp(2, (def) => {
    def.blocks[3].sessions = 'three';
  });
  // At start-up, the same file in the programmes folder stops start-up naming blocks[3].sessions …
  const folder = mkdtempSync(join(tmpdir(), 'sotp-programmes-'));
  try {
    writeFileSync(join(folder, 'core-sotp.v2.json'), broken);
    assert.throws(
      () => loadProgrammeDefinitions(folder),
      (e: unknown) => e instanceof ProgrammeDefinitionError && e.field === 'blocks[3].sessions',
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  // … and uploaded, it is refused naming the same field; nothing is stored.
  await assert.rejects(uploadProgrammeVersion(database.db, admin, { fileName: 'core-sotp.v2.json', content: broken }), refusedOnFile(/blocks\[3\]\.sessions/));
  // The rules beyond the shape apply too: Core SOTP's fixed 84 sessions, and the file name agreeing with the file.
  const wrongTotal = coreSotp(2, (def) => {
    def.blocks[0].sessions = 6;
    def.totalSessions = 85;
  });
  await assert.rejects(
    uploadProgrammeVersion(database.db, admin, { fileName: 'core-sotp.v2.json', content: wrongTotal }),
    refusedOnFile(/totalSessions: Core SOTP has 84/),
  );
  await assert.rejects(
    uploadProgrammeVersion(database.db, admin, { fileName: 'core-sotp.v3.json', content: coreSotp(2) }),
    refusedOnFile(/id: the file name says core-sotp v3 but the file says core-sotp v2/),
  );
  await assert.rejects(uploadProgrammeVersion(database.db, admin, { fileName: 'core-sotp.v2.json', content: '{ "id": ' }), refusedOnFile(/not valid JSON/));
  assert.deepEqual(await storedVersions(), [1]);
});

test('an existing version cannot be replaced', async () => {
  const changedV1 = coreSotp(1);
  await assert.rejects(
    uploadProgrammeVersion(database.db, admin, { fileName: 'core-sotp.v1.json', content: changedV1 }),
    refusedOnFile(/version 1 already exists.*save your change as version 2/),
  );
  const [stored] = await database.db
    .select()
    .from(programmeVersions)
    .where(and(eq(programmeVersions.programmeId, 'core-sotp'), eq(programmeVersions.version, 1)));
  assert.equal((stored.definition as { blocks: Array<{ sessions: number }> }).blocks[0].sessions, 6, 'version 1 is as it was');
});

test('only administrators may see or upload programme versions', async () => {
  const manager = await actorOf(database.db, 'manager');
  await assert.rejects(listProgrammeVersions(database.db, manager), AccessDenied);
  await assert.rejects(uploadProgrammeVersion(database.db, manager, { fileName: 'core-sotp.v2.json', content: coreSotp(2) }), AccessDenied);
  assert.deepEqual(await storedVersions(), [1]);
});

test('groups keep the programme version they started with after a new version is uploaded', async () => {
  const before = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { earliestStart: '2027-01-04' }), testToday);
  const uploaded = await uploadProgrammeVersion(database.db, admin, { fileName: 'core-sotp.v2.json', content: coreSotp(2) });
  assert.equal(uploaded.version, 2);
  const after = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { earliestStart: '2027-01-04', roomId: String(estate.roomA2) }),
    testToday,
  );
  assert.equal((await getGroup(database.db, estate.managerA, before.id, testToday)).programmeVersion, 1);
  assert.equal((await getGroup(database.db, estate.managerA, after.id, testToday)).programmeVersion, 2);
  // Session 6 is the last of block 1 in version 1 and the first of block 2 in version 2.
  const sixth = async (groupId: number) => (await liveSessions(database.db, groupId)).find((s) => s.number === 6)?.block;
  assert.equal(await sixth(before.id), 1);
  assert.equal(await sixth(after.id), 2);
  const versions = (await listProgrammeVersions(database.db, admin)).find((p) => p.programmeId === 'core-sotp')!.versions;
  assert.deepEqual(
    versions.map((v) => [v.version, v.uploadedBy === undefined ? 'folder' : 'uploaded', v.groups >= 1]),
    [
      [2, 'uploaded', true],
      [1, 'folder', true],
    ],
  );
});

test('an uploaded version is audit-logged, and refused a second time', async () => {
  const [entry] = await database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'programme_version.uploaded'), eq(auditLog.subjectId, 'core-sotp@2')));
  assert.equal(entry.actor, 'admin');
  await assert.rejects(
    uploadProgrammeVersion(database.db, admin, { fileName: 'core-sotp.v2.json', content: coreSotp(2) }),
    refusedOnFile(/version 2 already exists/),
  );
});

test('an uploaded version survives a restart and is the current version after it', async () => {
  const { env, cleanup } = await cliDatabaseEnv({ demo: true });
  const config = loadConfig({ ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  try {
    const first = await openRuntime(config);
    try {
      assert.deepEqual(
        first.programmes.map((d) => [d.id, d.version]),
        [['core-sotp', 1]],
      );
      await uploadProgrammeVersion(first.database.db, await actorOf(first.database.db, 'admin'), { fileName: 'core-sotp.v2.json', content: coreSotp(2) });
    } finally {
      await first.database.close();
    }
    const second = await openRuntime(config);
    try {
      assert.deepEqual(
        second.programmes.map((d) => [d.id, d.version]),
        [['core-sotp', 2]],
        'the folder still holds only version 1',
      );
    } finally {
      await second.database.close();
    }
  } finally {
    await cleanup();
  }
});

test('two versions compared: each changed field with what it was and what it is now, and sessions that change block', async () => {
  const comparison = await compareProgrammeVersions(database.db, admin, 'core-sotp', { was: '1', now: '2' });
  assert.deepEqual(
    comparison.blocks.map((b) => [b.change, b.key, b.fields.map((f) => [f.path, f.was, f.now])]),
    [
      ['changed', '1', [['blocks[0].sessions', 6, 5]]],
      ['changed', '2', [['blocks[1].sessions', 5, 6]]],
    ],
  );
  assert.deepEqual(comparison.sessionMoves, [{ first: 6, last: 6, wasBlock: 1, nowBlock: 2 }]);
  assert.deepEqual(
    comparison.settings.map((f) => [f.path, f.was, f.now]),
    [['effectiveFrom', '1992-01-01', '2026-06-01']],
  );
  await assert.rejects(
    compareProgrammeVersions(database.db, admin, 'core-sotp', { was: '2', now: '2' }),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'now',
  );
  await assert.rejects(
    compareProgrammeVersions(database.db, admin, 'core-sotp', { was: '7', now: '2' }),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'was',
  );
});
