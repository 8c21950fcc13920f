import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { projectPath } from '../../src/paths.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: true });
});
after(() => t.close());

function version2(change: (def: Record<string, any>) => void = () => {}): string {
  const def = JSON.parse(readFileSync(projectPath('programmes', 'core-sotp.v1.json'), 'utf8'));
  def.version = 2;
  def.effectiveFrom = '2026-06-01';
  def.eligibility.criteria.find((c: { id: string }) => c.id === 'adult').years = 21;
  change(def);
  return JSON.stringify(def);
}

test('the administrator home links programme definitions to their admin pages, which other roles cannot open', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  const home = await admin.get('/');
  assert.match(home.body, /href="\/admin\/programmes">Programme definitions</);
  const list = await admin.get('/admin/programmes');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /href="\/admin\/programmes\/core-sotp">Core Sex Offender Treatment Programme</);
  const manager = t.client();
  await manager.signIn('manager');
  assert.equal((await manager.get('/admin/programmes')).statusCode, 403);
  assert.equal((await manager.get('/admin/programmes/core-sotp')).statusCode, 403);
});

test('a broken upload shows an error summary naming the field, and nothing is added', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  await admin.get('/admin/programmes/new');
  const broken = version2((def) => {
    def.blocks[3].sessions = 'three';
  });
  const response = await admin.postFile('/admin/programmes', {}, { field: 'file', name: 'core-sotp.v2.json', content: broken });
  assert.equal(response.statusCode, 400);
  assert.match(errorSummary(response.body)[0], /blocks\[3\]\.sessions/);
  assert.match(response.body, /href="#file"/);
  const empty = await admin.postFile('/admin/programmes', {}, { field: 'file', name: '', content: '' });
  assert.deepEqual(errorSummary(empty.body), ['Choose a programme definition file']);
  const page = await admin.get('/admin/programmes/core-sotp');
  assert.doesNotMatch(page.body, /Version 2/);
});

test('an uploaded version is shown at once (post/redirect/get), in the catalogue too, and compared with the one before', async () => {
  const admin = t.client();
  await admin.signIn('admin');
  await admin.get('/admin/programmes/new');
  const response = await admin.postFile('/admin/programmes', {}, { field: 'file', name: 'core-sotp.v2.json', content: version2() });
  assert.equal(response.statusCode, 303);
  assert.equal(response.headers.location, '/admin/programmes/core-sotp');
  const page = await admin.get('/admin/programmes/core-sotp');
  assert.match(page.body, /Version 2 was uploaded/);
  assert.match(page.body, /Uploaded by/);
  assert.doesNotMatch((await admin.get('/admin/programmes/core-sotp')).body, /was uploaded/, 'the outcome is shown once');
  assert.match((await t.client().get('/programmes/core-sotp')).body, /Version 2/, 'the public catalogue shows the new version');

  const compared = await admin.get('/admin/programmes/core-sotp/compare?was=1&now=2');
  assert.equal(compared.statusCode, 200);
  const criterion =
    /Minimum age \(years\)<br><code[^>]*>eligibility\.criteria\[1\]\.years<\/code><\/th>\s*<td class="govuk-table__cell">(\d+)<\/td>\s*<td class="govuk-table__cell">(\d+)<\/td>/.exec(
      compared.body,
    );
  assert.deepEqual(criterion?.slice(1), ['18', '21']);
  assert.match(compared.body, /In effect from/);

  const same = await admin.get('/admin/programmes/core-sotp/compare?was=2&now=2');
  assert.equal(same.statusCode, 400);
  assert.deepEqual(errorSummary(same.body), ['Choose two different versions to compare']);

  const download = await admin.get('/admin/programmes/core-sotp/versions/2/download');
  assert.equal(download.statusCode, 200);
  assert.match(String(download.headers['content-disposition']), /filename="core-sotp\.v2\.json"/);
  assert.equal(JSON.parse(download.body).eligibility.criteria[1].years, 21);
  assert.equal((await admin.get('/admin/programmes/core-sotp/versions/9/download')).statusCode, 404);
  assert.equal((await admin.get('/admin/programmes/no-such-programme')).statusCode, 404);
});
