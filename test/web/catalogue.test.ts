import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: false });
});
after(() => t.close());

test('the catalogue lists Core SOTP without signing in', async () => {
  const response = await t.app.inject({ url: '/programmes' });
  assert.equal(response.statusCode, 200);
  assert.match(response.body, /Core Sex Offender Treatment Programme/);
  assert.match(response.body, /84 sessions of 150 minutes, up to 5 a week/);
});

test('the Core SOTP page shows every section of the source document and 20 blocks adding to 84 sessions', async () => {
  const response = await t.app.inject({ url: '/programmes/core-sotp' });
  assert.equal(response.statusCode, 200);
  for (const heading of [
    'Rating',
    'Type of intervention',
    'Target groups, level of prevention and subgroups',
    'Target population',
    'Delivery organisation',
    'Mode and context of delivery',
    'Level and nature of staff expertise required',
    'Intensity and extent of engagement',
    'Description of intervention',
    'Evidence',
    'References',
    'Contact details',
  ]) {
    assert.match(response.body, new RegExp(`<h2 class="govuk-heading-m"[^>]*>${heading}</h2>`), heading);
  }
  assert.match(response.body, /20 blocks, 84 sessions/);
  const sessionCells = [...response.body.matchAll(/<td class="govuk-table__cell govuk-table__cell--numeric">\s*(\d+)\s*<\/td>/g)].map((m) => Number(m[1]));
  assert.equal(sessionCells.length, 20);
  assert.equal(
    sessionCells.reduce((a, b) => a + b, 0),
    84,
  );
  assert.match(response.body, /Low evidence\/harmful/);
  assert.match(response.body, /01633 630941/);
  assert.match(response.body, /Friendship, C\., Mann, R\.E\., &amp; Beech, A\.R\. \(2003\)/);
});

test('filters narrow the catalogue by the source document’s taxonomy', async () => {
  const male = await t.app.inject({ url: '/programmes?gender=Male&setting=Group+work%2C+prison&rating=Low+evidence%2Fharmful' });
  assert.match(male.body, /1 programme</);
  const female = await t.app.inject({ url: '/programmes?gender=Female' });
  assert.match(female.body, /0 programmes/);
  assert.match(female.body, /No programmes match these filters/);
});

test('an unknown programme is a GOV.UK 404 page', async () => {
  const response = await t.app.inject({ url: '/programmes/no-such-thing' });
  assert.equal(response.statusCode, 404);
  assert.match(response.body, /Page not found/);
});

test('health reports the database kind and version', async () => {
  const response = await t.app.inject({ url: '/health' });
  assert.equal(response.statusCode, 200);
  const body = response.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.database, process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite');
  assert.match(body.version, /^\d+\.\d+\.\d+$/);
});
