// A large cohort import runs in the background, a piece at a time: the upload answers at once with the
// import's page, the server keeps answering while the file is parsed, and the page shows the rows read so far.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isNull, sql } from 'drizzle-orm';
import { cohortImportChunks } from '../../src/db/schema.js';
import { queryRows } from '../../src/db/connection.js';
import { synthCohort, synthCsv } from '../../src/domain/evaluation/synth.js';
import { importFinished, isRunning } from '../support/cohort-imports.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: true });
});
after(() => t.close());

const rowsOf = 20_000;
const large = synthCsv(synthCohort({ preset: 'mews2017', seed: 11, rows: rowsOf }));
const rowsRead = (html: string) => Number(/Rows read\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*(\d+)/.exec(html)?.[1] ?? NaN);
const countImports = async () => Number((await queryRows<{ n: string }>(t.database.db, sql`SELECT count(*) AS n FROM cohort_imports`))[0].n);

test('a cohort import keeps the server answering: /health answers while a large import is parsed, and the rows read so far increase', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  await researcher.get('/evaluations/imports/new');
  const upload = await researcher.postFile('/evaluations/imports', { kind: 'cohort' }, { field: 'file', name: 'large.csv', content: large });
  assert.equal(upload.statusCode, 303);
  const location = String(upload.headers.location);
  const counts: number[] = [];
  let healthAnsweredMidImport = false;
  for (let attempt = 0; attempt < 3000; attempt++) {
    // A pause between looks, as a person's Refresh has: inject never waits on I/O, so looking without one
    // would keep the event loop from ever reading the uploaded file.
    await sleep(20);
    const health = await t.app.inject({ url: '/health' });
    const page = await researcher.get(location);
    if (!isRunning(page)) break;
    // The page read after /health still says the import is running: /health was answered during it.
    if (health.statusCode === 200) healthAnsweredMidImport = true;
    if (Number.isFinite(rowsRead(page.body))) counts.push(rowsRead(page.body));
  }
  assert.ok(healthAnsweredMidImport, '/health answered while the import was running');
  const seen = [...new Set(counts)];
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    'the rows read never go back',
  );
  // At least one count strictly between none and all: on a loaded machine a look may come only once mid-import.
  assert.ok(seen.filter((n) => n > 0 && n < rowsOf).length >= 1, `the page showed the count growing: ${seen.join(', ')}`);
  const done = await researcher.get(location);
  assert.match(done.body, new RegExp(`Imported ${rowsOf} men from large\\.csv`));
});

test('a cohort import with a bad row changes nothing and names the line, however far into a large file it is', async () => {
  const lines = large.split('\n');
  lines[15_000] = lines[15_000].replace(/^(P\d+),[01],/, '$1,yes,');
  const before = await countImports();
  const researcher = t.client();
  await researcher.signIn('researcher');
  await researcher.get('/evaluations/imports/new');
  const upload = await researcher.postFile('/evaluations/imports', { kind: 'cohort' }, { field: 'file', name: 'large-bad.csv', content: lines.join('\n') });
  const page = await importFinished(researcher, upload);
  assert.deepEqual(errorSummary(page.body), ['Line 15001, treated: must be 0 or 1, got &quot;yes&quot;']);
  assert.equal(await countImports(), before);
  assert.equal(
    (await t.database.db.select().from(cohortImportChunks).where(isNull(cohortImportChunks.cohortImportId))).length,
    0,
    'no piece of the file is left staged',
  );
});

test('an import page is for the researcher who uploaded the file and administrators; auditors may not see it', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  await researcher.get('/evaluations/imports/new');
  const upload = await researcher.postFile(
    '/evaluations/imports',
    { kind: 'cohort' },
    { field: 'file', name: 'mine.csv', content: large.split('\n').slice(0, 100).join('\n') },
  );
  await importFinished(researcher, upload);
  const admin = t.client();
  await admin.signIn('admin');
  assert.equal((await admin.get(String(upload.headers.location))).statusCode, 200);
  const auditor = t.client();
  await auditor.signIn('auditor');
  assert.equal((await auditor.get(String(upload.headers.location))).statusCode, 403);
});
