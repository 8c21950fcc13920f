import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { signInFailures } from '../../src/db/schema.js';
import { demoUsers } from '../../src/services/demo.js';
import { errorSummary, startTestApp, TestClient, type TestApp } from '../support/web.js';

let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: true });
});
after(() => t.close());

test('every demo user can sign in and lands on their home page', async () => {
  for (const user of demoUsers) {
    const client = t.client();
    const response = await client.signIn(user.username);
    assert.equal(response.statusCode, 303, user.username);
    assert.equal(response.headers.location, '/');
    const home = await client.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, new RegExp(`Signed in as <strong>${user.username}</strong>`));
  }
});

test('a wrong password gives a GOV.UK error summary and no session', async () => {
  const client = t.client();
  const response = await client.signIn('manager', 'not-the-password');
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), ['Enter a correct user name and password']);
  assert.match(response.body, /<title>Error: Sign in/);
  assert.equal((await client.get('/')).statusCode, 303);
});

test('an empty sign-in form names both missing fields', async () => {
  const client = t.client();
  await client.get('/sign-in');
  const response = await client.post('/sign-in', { username: '', password: '' });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), ['Enter your user name', 'Enter your password']);
});

test('a form posted without a valid CSRF token is refused with 403', async () => {
  const client = t.client();
  await client.get('/sign-in');
  const response = await client.post('/sign-in', { _csrf: 'forged', username: 'admin', password: 'demo-password-for-tests' });
  assert.equal(response.statusCode, 403);
  assert.equal((await client.get('/')).statusCode, 303, 'not signed in');
});

test('a signed-in form posted without a CSRF token is refused with 403', async () => {
  const client = t.client();
  await client.signIn('admin');
  const response = await client.post('/admin/sites', { _csrf: '', code: 'ABC', name: 'HMP Nowhere' });
  assert.equal(response.statusCode, 403);
});

test('sign-out ends the session on the server', async () => {
  const client = t.client();
  await client.signIn('auditor');
  await client.get('/');
  const response = await client.post('/sign-out');
  assert.equal(response.statusCode, 303);
  assert.equal((await client.get('/')).statusCode, 303);
});

test('returnTo only ever sends a person back to a page of this service', async () => {
  const client = t.client();
  await client.get('/sign-in?returnTo=//evil.example/x');
  const response = await client.post('/sign-in', { username: 'admin', password: 'demo-password-for-tests', returnTo: '//evil.example/x' });
  assert.equal(response.headers.location, '/');
});

test('failed sign-ins for a user name make the next attempt wait, doubling each time up to a minute — a delay, never a lockout', async () => {
  const client = new TestClient(t.app, '10.0.0.7');
  for (let i = 0; i < 3; i++) assert.equal((await client.signIn('facilitator2', `wrong-${i}`)).statusCode, 400, `free failure ${i + 1}`);
  // Each failure after the third doubles the wait: three more (six in all) mean 2^3 = 8 s, asked even with the right
  // password and from another address. (Eight, not one, so that a slow machine cannot outlast it mid-test.)
  await t.database.db.insert(signInFailures).values(Array.from({ length: 3 }, (_, i) => ({ username: 'facilitator2', address: `10.2.0.${i}` })));
  const refused = await new TestClient(t.app, '10.0.0.8').signIn('facilitator2');
  assert.equal(refused.statusCode, 429);
  const wait = Number(/Wait (\d+) seconds? and try again/.exec(refused.body)?.[1]);
  assert.ok(wait > 4 && wait <= 8, `waits ${wait} s`);
  // Twelve failures in all would mean 2^9 s; the wait never exceeds a minute.
  await t.database.db.insert(signInFailures).values(Array.from({ length: 9 }, (_, i) => ({ username: 'facilitator2', address: `10.1.0.${i}` })));
  assert.match((await new TestClient(t.app, '10.0.0.11').signIn('facilitator2')).body, /Wait (60 seconds|1 minute) and try again/);
  // Once the wait has passed, the right password works: the failures were pushed back beyond it.
  await t.database.db
    .update(signInFailures)
    .set({ failedAt: new Date(Date.now() - 61_000) })
    .where(eq(signInFailures.username, 'facilitator2'));
  assert.equal((await new TestClient(t.app, '10.0.0.12').signIn('facilitator2')).statusCode, 303);
});

test('failed sign-ins from one address are limited whatever user names they try', async () => {
  const client = new TestClient(t.app, '10.0.0.9');
  for (let i = 0; i < 10; i++) await client.signIn(`nobody${i}`, 'wrong-password');
  assert.equal((await client.signIn('researcher')).statusCode, 429);
  assert.equal((await new TestClient(t.app, '10.0.0.10').signIn('researcher')).statusCode, 303);
});

test('after sign-in, returnTo goes only to a local path: tabs, backslashes, double slashes and control characters go home', async () => {
  const cases: Array<[string, string]> = [
    ['/people?q=smith', '/people?q=smith'],
    ['/\t/evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/\\/evil.example', '/'],
    ['/a\r\nSet-Cookie: x=1', '/'],
    ['/a\u2028b', '/'],
    ['https://evil.example/', '/'],
  ];
  for (const [returnTo, expected] of cases) {
    const client = t.client();
    const form = await client.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    assert.equal(form.statusCode, 200, JSON.stringify(returnTo));
    const response = await client.post('/sign-in', { username: 'auditor', password: 'demo-password-for-tests', returnTo });
    assert.equal(response.statusCode, 303, JSON.stringify(returnTo));
    assert.equal(response.headers.location, expected, JSON.stringify(returnTo));
  }
});

test('a CSRF token is bound to its session: one from a signed-out page is refused once signed in, and sign-in replaces the secret', async () => {
  const client = t.client();
  const page = await client.get('/sign-in');
  const anonymousToken = client.lastCsrfToken!;
  const secretCookie = page.cookies.find((c) => c.name === 'sotp_csrf')!;
  const signedIn = await client.post('/sign-in', { username: 'admin', password: 'demo-password-for-tests' });
  assert.equal(signedIn.statusCode, 303);
  assert.ok(
    signedIn.cookies.some((c) => c.name === 'sotp_csrf' && c.value === ''),
    'the CSRF secret is cleared at sign-in',
  );
  const session = signedIn.cookies.find((c) => c.name === 'sotp_session')!;
  // The same secret and its signed-out token, sent with the signed-in session: refused, because the token is bound.
  const forged = await t.app.inject({
    method: 'POST',
    url: '/admin/sites',
    headers: { cookie: `sotp_session=${session.value}; sotp_csrf=${secretCookie.value}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: anonymousToken, code: 'ZZA', name: 'HMP Anonymous Token' }).toString(),
  });
  assert.equal(forged.statusCode, 403);
  await client.get('/admin/sites/new');
  const genuine = await client.post('/admin/sites', { code: 'ZZB', name: 'HMP Session Token' });
  assert.equal(genuine.statusCode, 303, genuine.body.slice(0, 300));
});
