import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import { findUserId } from '../../src/services/users.js';
import { startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
let managerToken: string;
before(async () => {
  t = await startTestApp({ demo: true });
  managerToken = await createApiToken(t.database.db, systemActor, await findUserId(t.database.db, systemActor, 'manager'), 'test');
});
after(() => t.close());

test('the API answers 401 JSON without a bearer token', async () => {
  const response = await t.app.inject({ url: '/api/v1/me' });
  assert.equal(response.statusCode, 401);
  assert.equal(response.headers['content-type']?.toString().startsWith('application/json'), true);
  assert.equal(response.json().error.code, 'http_401');
});

test('the API ignores session cookies: a signed-in browser without a token gets 401', async () => {
  const client = t.client();
  await client.signIn('admin');
  assert.equal((await client.get('/api/v1/me')).statusCode, 401);
});

test('the API authenticates only with bearer tokens however its path is encoded: a session cookie on /%61pi/… gets 401', async () => {
  const client = t.client();
  await client.signIn('manager');
  for (const url of ['/%61pi/v1/me', '/%61%70%69/v1/people?q=a', '/api/%761/me']) {
    const response = await client.get(url);
    assert.equal(response.statusCode, 401, url);
    assert.equal(response.json().error.code, 'http_401', url);
  }
});

test('GET /api/v1/me returns the caller’s user name, role and sites', async () => {
  const response = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${managerToken}` } });
  assert.equal(response.statusCode, 200);
  const body = response.json();
  assert.equal(body.username, 'manager');
  assert.equal(body.role, 'treatment_manager');
  assert.deepEqual(
    body.sites.map((s: { name: string }) => s.name),
    ['HMP Northgate'],
  );
});

test('a made-up or tampered token is refused', async () => {
  for (const token of ['sotp_not-a-real-token', `${managerToken}x`, 'garbage']) {
    const response = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 401, token);
  }
});

test('the OpenAPI document is public and describes the API routes only', async () => {
  const response = await t.app.inject({ url: '/api/v1/openapi.json' });
  assert.equal(response.statusCode, 200);
  const doc = response.json();
  assert.match(doc.openapi, /^3\./);
  assert.ok(doc.paths['/api/v1/me'], 'me is described');
  assert.ok(
    Object.keys(doc.paths).every((p: string) => p.startsWith('/api/v1')),
    Object.keys(doc.paths).join(', '),
  );
});

test('an unknown API path is a 404 JSON error, not a page', async () => {
  const response = await t.app.inject({ url: '/api/v1/nothing-here', headers: { authorization: `Bearer ${managerToken}` } });
  assert.equal(response.statusCode, 404);
  assert.equal(response.json().error.code, 'not_found');
});
