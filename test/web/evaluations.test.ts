import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importFinished } from '../support/cohort-imports.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

const fixture = readFileSync(new URL('../fixtures/evaluation/friendship2003.csv', import.meta.url), 'utf8');
let t: TestApp;
before(async () => {
  t = await startTestApp({ demo: true });
});
after(() => t.close());

test('a researcher uploads a cohort file, runs an evaluation and reads the report with its charts', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  await researcher.get('/evaluations/imports/new');
  const upload = await researcher.postFile('/evaluations/imports', { kind: 'cohort' }, { field: 'file', name: 'friendship2003.csv', content: fixture });
  assert.equal(upload.statusCode, 303, upload.body.slice(0, 500));
  const imported = await importFinished(researcher, upload);
  assert.match(imported.body, /Imported 2557 men from friendship2003\.csv/);
  const form = await researcher.get('/evaluations/new');
  assert.match(form.body, /name="covariates" type="checkbox" value="rm2000_score"/);
  const importId = /name="cohortImportId" value="(\d+)"/.exec(form.body)![1];
  const run = await researcher.post('/evaluations', {
    cohortImportId: importId,
    covariates: ['age_at_release', 'prior_sexual', 'rm2000_score'],
    outcome: 'sexual_violent',
    windowDays: '730',
    caliper: '0.2',
    ratio: '1',
    byRiskBand: 'true',
  });
  assert.equal(run.statusCode, 303, errorSummary(run.body).join('; '));
  const report = await researcher.get(String(run.headers.location));
  assert.equal(report.statusCode, 200);
  assert.match(report.body, /<svg role="img"[^>]*>\s*<title[^>]*>Kaplan–Meier curves/);
  assert.match(report.body, /Covariate balance \(Love plot\)/);
  assert.match(report.body, /Cox hazard ratio/);
  assert.match(report.body, /Risk band: medium/);
});

test('a bad cohort file is refused with a GOV.UK error summary naming the lines, on the import page the upload leads to', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  await researcher.get('/evaluations/imports/new');
  const bad = fixture.replace(/\nP0001,[01],/, '\nP0001,maybe,');
  const upload = await researcher.postFile('/evaluations/imports', { kind: 'cohort' }, { field: 'file', name: 'bad.csv', content: bad });
  const page = await importFinished(researcher, upload);
  assert.match(errorSummary(page.body)[0], /^Line 2, treated/);
  assert.match(page.body, /bad\.csv was not imported and nothing was changed/);
});

test('a cohort upload of an empty file is refused at once, naming the file', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  await researcher.get('/evaluations/imports/new');
  const empty = await researcher.postFile('/evaluations/imports', { kind: 'cohort' }, { field: 'file', name: 'empty.csv', content: '' });
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(errorSummary(empty.body), ['The file is empty']);
});

test('an upload without a CSRF token is refused', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  const response = await researcher.postFile('/evaluations/imports', { _csrf: 'forged', kind: 'cohort' }, { field: 'file', name: 'x.csv', content: fixture });
  assert.equal(response.statusCode, 403);
});

test('evaluation pages are closed to treatment managers and facilitators; auditors may read but not import', async () => {
  for (const username of ['manager', 'facilitator', 'assessor']) {
    const client = t.client();
    await client.signIn(username);
    assert.equal((await client.get('/evaluations')).statusCode, 403, username);
  }
  const auditor = t.client();
  await auditor.signIn('auditor');
  assert.equal((await auditor.get('/evaluations')).statusCode, 200);
  assert.equal((await auditor.get('/evaluations/imports/new')).statusCode, 403);
});

test('a report still reads when a risk band has no reconvictions (its p-values cannot be computed)', async () => {
  const rows = ['person_ref,treated,release_date,end_of_followup,risk_band,x,sexual_reoffence_date'];
  for (let i = 0; i < 80; i++) {
    const band = i % 2 === 0 ? 'low' : 'medium';
    const event = band === 'medium' && i % 6 === 1 ? '2021-06-01' : '';
    rows.push(`Q${i},${i % 4 === 0 ? 1 : 0},2020-01-0${1 + (i % 9)},2024-12-31,${band},${(i * 7) % 13},${event}`);
  }
  const researcher = t.client();
  await researcher.signIn('researcher');
  await researcher.get('/evaluations/imports/new');
  const upload = await researcher.postFile(
    '/evaluations/imports',
    { kind: 'cohort' },
    { field: 'file', name: 'no-events-in-low.csv', content: rows.join('\n') },
  );
  assert.equal(upload.statusCode, 303, errorSummary(upload.body).join('; '));
  await importFinished(researcher, upload);
  const form = await researcher.get('/evaluations/new');
  const importId = [...form.body.matchAll(/<option value="(\d+)"[^>]*>no-events-in-low\.csv/g)][0][1];
  const run = await researcher.post('/evaluations', { cohortImportId: importId, covariates: 'x', outcome: 'sexual', noMatch: 'true', byRiskBand: 'true' });
  assert.equal(run.statusCode, 303, errorSummary(run.body).join('; '));
  const report = await researcher.get(String(run.headers.location));
  assert.equal(report.statusCode, 200);
  assert.match(report.body, /Risk band: low/);
  assert.match(report.body, /p = n\/a/);
});

/** Uploads a complete cohort and returns its import id. */
async function uploadCohort(client: ReturnType<TestApp['client']>, name: string, rows: string[]): Promise<string> {
  await client.get('/evaluations/imports/new');
  const upload = await client.postFile('/evaluations/imports', { kind: 'cohort' }, { field: 'file', name, content: rows.join('\n') });
  assert.equal(upload.statusCode, 303, errorSummary(upload.body).join('; '));
  await importFinished(client, upload);
  const form = await client.get('/evaluations/new');
  return [...form.body.matchAll(new RegExp(`<option value="(\\d+)"[^>]*>${name.replace('.', '\\.')}`, 'g'))][0][1];
}

function smallCohort(treatedOf: (i: number) => number): string[] {
  const rows = ['person_ref,treated,release_date,end_of_followup,risk_band,x,region,sexual_reoffence_date'];
  for (let i = 0; i < 40; i++) rows.push(`K${i},${treatedOf(i)},2020-01-0${1 + (i % 9)},2024-12-31,low,${(i * 7) % 13},3,${i % 5 === 0 ? '2021-06-01' : ''}`);
  return rows;
}

test('a cohort with a constant covariate is refused with a GOV.UK error summary naming the covariate, and no run is stored', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  const importId = await uploadCohort(
    researcher,
    'constant-region.csv',
    smallCohort((i) => (i % 3 === 0 ? 1 : 0)),
  );
  const runsBefore = (await researcher.get('/evaluations')).body.match(/href="\/evaluations\/\d+"/g)?.length ?? 0;
  const run = await researcher.post('/evaluations', {
    cohortImportId: importId,
    covariates: ['x', 'region'],
    outcome: 'sexual',
    windowDays: '730',
    caliper: '0.2',
    ratio: '1',
  });
  assert.equal(run.statusCode, 400);
  assert.match(errorSummary(run.body)[0], /^Covariate region has the same value \(3\) for every man/);
  assert.match(run.body, /href="#covariates"/);
  assert.equal((await researcher.get('/evaluations')).body.match(/href="\/evaluations\/\d+"/g)?.length ?? 0, runsBefore);
});

test('a cohort with no comparison men is refused with an error summary naming the missing arm', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  const importId = await uploadCohort(
    researcher,
    'treated-only.csv',
    smallCohort(() => 1),
  );
  const run = await researcher.post('/evaluations', {
    cohortImportId: importId,
    covariates: 'x',
    outcome: 'sexual',
    windowDays: '730',
    caliper: '0.2',
    ratio: '1',
  });
  assert.equal(run.statusCode, 400);
  assert.match(errorSummary(run.body)[0], /no comparison men \(treated = 0\)/);
});

test('a number the evaluation form cannot read is refused with an example of one it can', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  const importId = await uploadCohort(
    researcher,
    'numbers.csv',
    smallCohort((i) => (i % 4 === 0 ? 1 : 0)),
  );
  const run = await researcher.post('/evaluations', {
    cohortImportId: importId,
    covariates: 'x',
    outcome: 'sexual',
    windowDays: 'two years',
    caliper: 'narrow',
    ratio: '1.5',
  });
  assert.equal(run.statusCode, 400);
  assert.deepEqual(errorSummary(run.body), [
    'Follow-up window must be a whole number of days, like 730',
    'Caliper must be a number, like 0.2',
    'Number of comparison men per treated man must be a whole number, like 1',
  ]);
});
