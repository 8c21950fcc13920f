import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { permissions } from '../../src/domain/permissions.js';
import { startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: true });
});
after(() => t.close());

test('every route of the server is either explicitly public, for any signed-in user, or guarded by an action of the permissions table', () => {
  assert.ok(t.routeTable.length > 10);
  const undeclared = t.routeTable.filter((r) => {
    if (r.access === 'public' || r.access === 'signed_in') return false;
    const action = (r.access as { action?: unknown } | undefined)?.action;
    return !(typeof action === 'string' && Object.hasOwn(permissions, action));
  });
  assert.deepEqual(undeclared, [], `routes without a declared access: ${undeclared.map((r) => `${r.method} ${r.url}`).join(', ')}`);
});

test('every guarded GET page sends a signed-out visitor to the sign-in page', async () => {
  const guarded = t.routeTable.filter((r) => r.method === 'GET' && r.access !== 'public' && !r.url.startsWith('/api/'));
  assert.ok(guarded.length >= 4);
  for (const route of guarded) {
    const url = route.url.replace(/:\w+/g, '1');
    const response = await t.app.inject({ url });
    assert.equal(response.statusCode, 303, `${url} should redirect`);
    assert.match(String(response.headers.location), /^\/sign-in/);
  }
});

test('every guarded API route answers 401 JSON without a token', async () => {
  const guarded = t.routeTable.filter((r) => r.url.startsWith('/api/') && r.access !== 'public' && r.method !== 'HEAD');
  assert.ok(guarded.length >= 1);
  for (const route of guarded) {
    const response = await t.app.inject({ method: route.method as 'GET', url: route.url.replace(/:\w+/g, '1') });
    assert.equal(response.statusCode, 401, `${route.method} ${route.url}`);
    assert.equal(response.json().error.code, 'http_401');
  }
});
