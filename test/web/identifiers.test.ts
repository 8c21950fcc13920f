// Ids are PostgreSQL integers: a number the database cannot hold is "no such record" in a path and a named
// 400 in a form, filter or body — never a server error. Walks the real route table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callersFor, type Caller } from '../support/access.js';
import { startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
let callers: Map<string, Caller>;
before(async () => {
  t = await startTestApp({ demo: true });
  callers = await callersFor(t, ['admin', 'manager', 'researcher', 'facilitator']);
});
after(() => t.close());

const tooLarge = ['2147483648', '99999999999', '0'];

test('every GET page and API route with an id in its path answers 404 (never 500) for an id the database cannot hold', async () => {
  const routes = t.routeTable.filter((r) => r.method === 'GET' && /:\w*(id|Id)\b/.test(r.url));
  assert.ok(routes.length >= 10, `found ${routes.length}`);
  let checked = 0;
  for (const { username, client, token } of callers.values()) {
    for (const route of routes) {
      for (const id of tooLarge) {
        const url = route.url.replace(/:(\w+)/g, (_m, name: string) => (/(^id$|Id$)/.test(name) ? id : '1'));
        const response = url.startsWith('/api/') ? await t.app.inject({ url, headers: { authorization: `Bearer ${token}` } }) : await client.get(url);
        assert.ok(response.statusCode < 500, `${username} GET ${url} answered ${response.statusCode}`);
        if (response.statusCode !== 403) assert.equal(response.statusCode, 404, `${username} GET ${url}`);
        checked++;
      }
    }
  }
  console.log(`identifiers: ${checked} role × route × id requests checked`);
});

test('an id out of range in a filter or an API body is a 400 naming the field', async () => {
  const { client } = callers.get('researcher')!;
  const page = await client.get('/evaluations/new?cohortImportId=1.5');
  assert.equal(page.statusCode, 400);
  assert.match(page.body, /cohortImportId must be a whole number from 1 to 2,147,483,647/);
  for (const notAnId of ['-Infinity', 'Infinity', 'NaN', '-3']) {
    const filtered = await client.get(`/evaluations/new?cohortImportId=${notAnId}`);
    assert.equal(filtered.statusCode, 400, notAnId);
    assert.match(filtered.body, /cohortImportId must be a whole number/);
  }
  const api = await t.app.inject({
    method: 'POST',
    url: '/api/v1/referrals',
    headers: { authorization: `Bearer ${callers.get('manager')!.token}` },
    payload: { personId: 99999999999, programmeId: 'core-sotp' },
  });
  assert.equal(api.statusCode, 400, api.body);
  assert.equal(api.json().error.field, 'personId');
});
