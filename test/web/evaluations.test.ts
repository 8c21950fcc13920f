import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
  const list = await researcher.get(String(upload.headers.location));
  assert.match(list.body, /Imported 2557 men from friendship2003\.csv/);
  const form = await researcher.get('/evaluations/new');
  assert.match(form.body, /name="covariates" type="checkbox" value="rm2000_score"/);
  const importId = /name="cohortImportId" value="(\d+)"/.exec(form.body)![1];
  const run = await researcher.post('/evaluations', { cohortImportId: importId, covariates: ['age_at_release', 'prior_sexual', 'rm2000_score'], outcome: 'sexual_violent', windowDays: '730', caliper: '0.2', ratio: '1', byRiskBand: 'true' });
  assert.equal(run.statusCode, 303, errorSummary(run.body).join('; '));
  const report = await researcher.get(String(run.headers.location));
  assert.equal(report.statusCode, 200);
  assert.match(report.body, /<svg role="img"[^>]*>\s*<title[^>]*>Kaplan–Meier curves/);
  assert.match(report.body, /Covariate balance \(Love plot\)/);
  assert.match(report.body, /Cox hazard ratio/);
  assert.match(report.body, /Risk band: medium/);
});

test('a bad cohort file is refused with a GOV.UK error summary naming the lines', async () => {
  const researcher = t.client();
  await researcher.signIn('researcher');
  await researcher.get('/evaluations/imports/new');
  const bad = fixture.replace(/\nP0001,[01],/, '\nP0001,maybe,');
  const response = await researcher.postFile('/evaluations/imports', { kind: 'cohort' }, { field: 'file', name: 'bad.csv', content: bad });
  assert.equal(response.statusCode, 400);
  assert.match(errorSummary(response.body)[0], /^Line 2, treated/);
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
  const upload = await researcher.postFile('/evaluations/imports', { kind: 'cohort' }, { field: 'file', name: 'no-events-in-low.csv', content: rows.join('\n') });
  assert.equal(upload.statusCode, 303, errorSummary(upload.body).join('; '));
  const form = await researcher.get('/evaluations/new');
  const importId = [...form.body.matchAll(/<option value="(\d+)"[^>]*>no-events-in-low\.csv/g)][0][1];
  const run = await researcher.post('/evaluations', { cohortImportId: importId, covariates: 'x', outcome: 'sexual', noMatch: 'true', byRiskBand: 'true' });
  assert.equal(run.statusCode, 303, errorSummary(run.body).join('; '));
  const report = await researcher.get(String(run.headers.location));
  assert.equal(report.statusCode, 200);
  assert.match(report.body, /Risk band: low/);
  assert.match(report.body, /p = n\/a/);
});
