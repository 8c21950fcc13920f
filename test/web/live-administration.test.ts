// What an administrator does to accounts while the server runs — disable a user, make and revoke API tokens —
// from the admin pages and the API, taking effect at once (the command line cannot, on a running embedded database).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import { findUserId, getUser } from '../../src/services/users.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
let adminToken: string;
before(async () => {
  t = await startTestApp({ demo: true });
  adminToken = await createApiToken(t.database.db, systemActor, await findUserId(t.database.db, systemActor, 'admin'), 'test');
});
after(() => t.close());

const api = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
const userId = (name: string) => findUserId(t.database.db, systemActor, name);

test('an API token made on the user’s admin page is shown once and works at once; revoked there, it is refused at once', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  const id = await userId('assessor');
  await admin.get(`/admin/users/${id}`);
  const created = await admin.post(`/admin/users/${id}/tokens`, { label: 'nightly report' });
  assert.equal(created.statusCode, 303);
  const page = await admin.get(created.headers.location as string);
  const token = /<code id="new-api-token">([^<]+)<\/code>/.exec(page.body)?.[1];
  assert.ok(token, 'the new token is shown');
  assert.equal((await api('GET', '/api/v1/me', token)).json().username, 'assessor');
  // Reloading the page does not show it again, nor make another.
  const again = await admin.get(`/admin/users/${id}`);
  assert.doesNotMatch(again.body, /new-api-token/);
  assert.equal((again.body.match(/\/tokens\/\d+\/revoke/g) ?? []).length, 1, 'one token, one revoke button');

  const tokenId = /\/tokens\/(\d+)\/revoke/.exec(again.body)?.[1];
  const revoked = await admin.post(`/admin/users/${id}/tokens/${tokenId}/revoke`);
  assert.equal(revoked.statusCode, 303);
  assert.equal((await api('GET', '/api/v1/me', token)).statusCode, 401);
  assert.match((await admin.get(`/admin/users/${id}`)).body, /Revoked/);
});

test('a token needs a label: refused naming the field, and no token is made', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  const id = await userId('auditor');
  await admin.get(`/admin/users/${id}`);
  const refused = await admin.post(`/admin/users/${id}/tokens`, { label: '   ' });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), ['Enter a label saying what the token is for']);
  assert.match(refused.body, /href="#token-label"/);
  assert.equal((await api('GET', `/api/v1/users/${id}/tokens`, adminToken)).json().tokens.length, 0);
});

test('disabling a user through the API ends his session and his tokens at once; re-enabling restores sign-in', async () => {
  const id = await userId('facilitator');
  const facilitatorToken = (await api('POST', `/api/v1/users/${id}/tokens`, adminToken, { label: 'facilitator tools' })).json().token as string;
  const browser = t.client();
  await browser.signIn('facilitator');
  assert.equal((await browser.get('/')).statusCode, 200);
  assert.equal((await api('GET', '/api/v1/me', facilitatorToken)).statusCode, 200);

  const { version } = await getUser(t.database.db, systemActor, id);
  const disabled = await api('POST', `/api/v1/users/${id}/disable`, adminToken, { version });
  assert.equal(disabled.statusCode, 200);
  assert.equal(disabled.json().disabled, true);
  assert.equal((await api('GET', '/api/v1/me', facilitatorToken)).statusCode, 401);
  assert.equal((await browser.get('/')).statusCode, 303, 'his session no longer signs him in');

  const stale = await api('POST', `/api/v1/users/${id}/enable`, adminToken, { version });
  assert.equal(stale.statusCode, 409, 'the version read before the change is refused');
  const enabled = await api('POST', `/api/v1/users/${id}/enable`, adminToken, { version: disabled.json().version });
  assert.equal(enabled.json().disabled, false);
  assert.equal((await t.client().signIn('facilitator')).statusCode, 303);
});

test('only administrators manage accounts through the API', async () => {
  const managerToken = await createApiToken(t.database.db, systemActor, await userId('manager'), 'test');
  const id = await userId('assessor');
  assert.equal((await api('GET', `/api/v1/users/${id}/tokens`, managerToken)).statusCode, 403);
  assert.equal((await api('POST', `/api/v1/users/${id}/tokens`, managerToken, { label: 'x' })).statusCode, 403);
});
