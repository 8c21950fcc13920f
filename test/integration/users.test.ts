import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../src/db/connection.js';
import { systemActor, type Actor } from '../../src/services/access.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { listSites } from '../../src/services/sites.js';
import { createUser, findUserId, getUser, listUsers, setUserDisabled } from '../../src/services/users.js';
import { testDatabase } from '../support/database.js';

let database: Database;
before(async () => {
  database = await testDatabase({ demo: true });
});
after(() => database.close());

const actorFor = (role: Actor['role'], siteIds: number[] = []): Actor => ({ userId: 999, username: `a-${role}`, role, siteIds });

test('only administrators may list, read, create or disable users', async () => {
  for (const role of ['treatment_manager', 'assessor', 'facilitator', 'auditor', 'researcher'] as const) {
    const actor = actorFor(role, [1]);
    await assert.rejects(listUsers(database.db, actor), AccessDenied);
    await assert.rejects(getUser(database.db, actor, 1), AccessDenied);
    await assert.rejects(createUser(database.db, actor, {}), AccessDenied);
    await assert.rejects(setUserDisabled(database.db, actor, 1, true, { version: 1 }), AccessDenied);
  }
});

test('a user of one site sees only that site; national roles see all', async () => {
  const sites = await listSites(database.db, systemActor);
  const southmoor = sites.find((s) => s.code === 'SMR')!;
  assert.deepEqual(
    (await listSites(database.db, actorFor('treatment_manager', [southmoor.id]))).map((s) => s.code),
    ['SMR'],
  );
  assert.deepEqual((await listSites(database.db, actorFor('auditor'))).map((s) => s.code).sort(), ['NGT', 'SMR']);
  assert.deepEqual(await listSites(database.db, actorFor('facilitator', [])), []);
});

test('creating a user with a site that does not exist is refused and nothing is stored', async () => {
  await assert.rejects(
    createUser(database.db, systemActor, { username: 'ghost', displayName: 'Ghost', role: 'assessor', siteIds: [99999], password: 'a-long-enough-password' }),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'siteIds',
  );
  await assert.rejects(findUserId(database.db, systemActor, 'ghost'));
});

test('national roles are stored without site assignments', async () => {
  const sites = await listSites(database.db, systemActor);
  const user = await createUser(database.db, systemActor, {
    username: 'auditor2',
    displayName: 'Second Auditor',
    role: 'auditor',
    siteIds: sites.map((s) => s.id),
    password: 'a-long-enough-password',
  });
  assert.deepEqual(user.siteIds, []);
});

test('two administrators disabling and enabling from the same version: the second gets a conflict', async () => {
  const id = await findUserId(database.db, systemActor, 'assessor');
  const { version } = await getUser(database.db, systemActor, id);
  await setUserDisabled(database.db, systemActor, id, true, { version });
  await assert.rejects(setUserDisabled(database.db, systemActor, id, false, { version }), EditConflict);
  assert.equal((await getUser(database.db, systemActor, id)).disabled, true);
});

test('an administrator cannot disable their own account', async () => {
  const id = await findUserId(database.db, systemActor, 'admin');
  const self: Actor = { userId: id, username: 'admin', role: 'administrator', siteIds: [] };
  const { version } = await getUser(database.db, systemActor, id);
  await assert.rejects(setUserDisabled(database.db, self, id, true, { version }), ValidationFailed);
});
