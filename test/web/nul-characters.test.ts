// PostgreSQL text cannot hold NUL: a NUL in any form field, filter or API body is the caller's mistake (400 naming
// the field), never a server error, and nothing is stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { people, users } from '../../src/db/schema.js';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import { siteIdOf } from '../support/actors.js';
import { startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
let token: string;
let ngt: number;
before(async () => {
  t = await startTestApp({ demo: true });
  const [manager] = await t.database.db.select({ id: users.id }).from(users).where(eq(users.username, 'manager'));
  token = await createApiToken(t.database.db, systemActor, manager.id, 'test');
  ngt = await siteIdOf(t.database.db, 'NGT');
});
after(() => t.close());

const countPeople = async () => (await t.database.db.select({ id: people.id }).from(people)).length;

test('a NUL in a form field is refused with 400 naming the field, and nothing is saved', async () => {
  const client = t.client();
  await client.signIn('manager');
  await client.get('/people/new');
  const before = await countPeople();
  const response = await client.post('/people', {
    prisonNumber: 'N1234UL',
    givenName: 'Nu\u0000l',
    familyName: 'Byte',
    dateOfBirth: '1980-01-01',
    sex: 'male',
    siteId: String(ngt),
  });
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /givenName contains a NUL character/);
  assert.equal(await countPeople(), before);
});

test('a NUL in a search filter is refused with 400 naming the filter', async () => {
  const client = t.client();
  await client.signIn('manager');
  const response = await client.get('/people?q=Smi%00th');
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /q contains a NUL character/);
});

test('a NUL anywhere in an API body is refused with 400 and the field path', async () => {
  const before = await countPeople();
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/people',
    headers: { authorization: `Bearer ${token}` },
    payload: { prisonNumber: 'N1234UM', givenName: 'Api', familyName: 'Nul\u0000', dateOfBirth: '1980-01-01', sex: 'male', siteId: ngt },
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(response.json().error.field, 'familyName');
  assert.equal(await countPeople(), before);
});
