import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: true });
});
after(() => t.close());

test('pages carry a nonce-based content security policy with no unsafe-inline', async () => {
  const response = await t.app.inject({ url: '/sign-in' });
  const csp = String(response.headers['content-security-policy']);
  const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce, csp);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  const scripts = [...response.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.ok(scripts.length >= 2);
  for (const attributes of scripts) assert.match(attributes, new RegExp(`nonce="${nonce}"`));
});

test('each response gets a fresh nonce', async () => {
  const nonce = async () => /'nonce-([^']+)'/.exec(String((await t.app.inject({ url: '/sign-in' })).headers['content-security-policy']))?.[1];
  assert.notEqual(await nonce(), await nonce());
});

test('helmet’s other headers are present', async () => {
  const response = await t.app.inject({ url: '/programmes' });
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
  assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
  assert.ok(response.headers['referrer-policy']);
});

test('the session cookie is HttpOnly and SameSite; not Secure outside production', async () => {
  const client = t.client();
  const response = await client.signIn('auditor');
  const cookie = response.cookies.find((c) => c.name === 'sotp_session')!;
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.notEqual(cookie.secure, true);
});

test('in production the session and CSRF cookies are Secure', async () => {
  const production = await startTestApp({ demo: true, env: { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40) } });
  try {
    const client = production.client();
    const form = await client.get('/sign-in');
    assert.equal(form.cookies.find((c) => c.name === 'sotp_csrf')?.secure, true);
    const response = await client.post('/sign-in', { username: 'auditor', password: 'demo-password-for-tests' });
    assert.equal(response.cookies.find((c) => c.name === 'sotp_session')?.secure, true);
  } finally {
    await production.close();
  }
});

test('pages, redirects and API answers that may hold personal data are never cached; static assets may be', async () => {
  const client = t.client();
  await client.signIn('manager');
  for (const url of ['/', '/caseload', '/sign-in', '/no-such-page']) {
    assert.equal((await client.get(url)).headers['cache-control'], 'no-store', url);
  }
  const redirect = await t.app.inject({ url: '/caseload' });
  assert.equal(redirect.statusCode, 303);
  assert.equal(redirect.headers['cache-control'], 'no-store');
  const api = await t.app.inject({ url: '/api/v1/me' });
  assert.equal(api.headers['cache-control'], 'no-store');
  const asset = await t.app.inject({ url: '/assets/sotp.css' });
  assert.doesNotMatch(String(asset.headers['cache-control']), /no-store/);
});
