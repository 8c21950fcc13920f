import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { people, programmeGroups, sites, users } from '../../src/db/schema.js';
import { dateProblem } from '../../src/web/dates.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
let ngt: number;
let ngtGroup: number;
let ngtPerson: number;
let ngtFacilitator: number;

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  [{ id: ngt }] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'NGT'));
  [{ id: ngtGroup }] = await db.select({ id: programmeGroups.id }).from(programmeGroups).where(eq(programmeGroups.siteId, ngt)).limit(1);
  [{ id: ngtPerson }] = await db.select({ id: people.id }).from(people).where(eq(people.siteId, ngt)).limit(1);
  [{ id: ngtFacilitator }] = await db.select({ id: users.id }).from(users).where(eq(users.username, 'facilitator'));
});
after(() => t.close());

function hasDateInput(html: string, name: string): boolean {
  return ['day', 'month', 'year'].every((part) => html.includes(`name="${name}-${part}"`));
}

test('every date a page asks for is a GOV.UK date input (day, month, year) whose hint matches it, never YYYY-MM-DD', async () => {
  const pages: Array<[string, string, string[]]> = [
    ['assessor', '/people/new', ['dateOfBirth', 'sentenceDate', 'earliestReleaseDate', 'iqDate']],
    ['assessor', `/people/${ngtPerson}/edit`, ['dateOfBirth', 'sentenceDate', 'earliestReleaseDate', 'iqDate']],
    ['assessor', `/people/${ngtPerson}/convictions/new`, ['convictionDate']],
    ['manager', `/groups/new?site=${ngt}`, ['earliestStart']],
    ['manager', `/groups/${ngtGroup}/catch-ups/new`, ['date']],
    ['manager', `/sites/${ngt}/setup`, ['date']],
    ['manager', `/sites/${ngt}/week`, ['date']],
    ['facilitator', '/my/week', ['date']],
    ['researcher', '/evaluations/reconvictions/new', ['dataAsOf']],
    ['manager', `/facilitators/${ngtFacilitator}/supervisions/new`, ['supervisedOn', 'action1DueOn']],
  ];
  for (const [username, url, fields] of pages) {
    const client = t.client();
    await client.signIn(username);
    const page = await client.get(url);
    assert.equal(page.statusCode, 200, url);
    for (const field of fields) assert.ok(hasDateInput(page.body, field), `${url} asks for ${field} as day, month and year`);
    assert.doesNotMatch(page.body.replace(/<code>[^<]*<\/code>|\(YYYY-MM-DD\)/g, ''), /YYYY-MM-DD/, `${url} has no YYYY-MM-DD hint`);
    assert.match(page.body, /For example, \d{1,2} \d{1,2} \d{4}/, `${url} hints a date the way the boxes take it`);
  }
});

test('a date that is not real is called "not a real date" by its label and the summary links to its day box', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/groups/new?site=${ngt}`);
  const response = await manager.post('/groups', {
    siteId: String(ngt),
    name: 'Dates',
    'earliestStart-day': '30',
    'earliestStart-month': '2',
    'earliestStart-year': '2031',
  });
  assert.equal(response.statusCode, 400);
  assert.ok(errorSummary(response.body).includes('Earliest start date must be a real date'), errorSummary(response.body).join(' | '));
  assert.match(response.body, /href="#earliestStart-day"/);
  assert.match(
    response.body,
    /class="govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error" id="earliestStart-day" name="earliestStart-day" type="text" value="30"/,
  );
});

test('a date missing a part says which part is missing and links to that box (second form on a page included)', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/sites/${ngt}/setup`);
  const response = await manager.post(`/sites/${ngt}/closures`, { 'date-day': '4', 'date-month': '', 'date-year': '2031', reason: 'Inspection' });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), ['Date the site is closed must include a month']);
  assert.match(response.body, /href="#closure-date-month"/);
  assert.match(response.body, /govuk-input--error" id="closure-date-month" name="date-month"/);
  assert.doesNotMatch(response.body, /govuk-input--error" id="closure-date-day"/);
});

test('a date typed as day, month and year reaches the service as that calendar day; the page then shows it', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/sites/${ngt}/setup`);
  const added = await manager.post(`/sites/${ngt}/closures`, { 'date-day': '7', 'date-month': '1', 'date-year': '2031', reason: 'Inspection' });
  assert.equal(added.statusCode, 303, errorSummary(added.body).join(' | '));
  const page = await manager.get(String(added.headers.location));
  assert.match(page.body, /Tuesday, 7 January 2031/);
  assert.match(page.body, /Closure day added/);
});

test('the week views choose a week with a date picker and link to the previous and next weeks', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const week = await manager.get(`/sites/${ngt}/week?date-day=8&date-month=1&date-year=2031`);
  assert.equal(week.statusCode, 200);
  assert.match(week.body, /<h1 class="govuk-heading-l">Week beginning 6 January 2031<\/h1>/);
  assert.match(week.body, /name="date-day" type="text" value="6"/);
  assert.match(week.body, new RegExp(`href="/sites/${ngt}/week\\?date=2030-12-30"[\\s\\S]*Previous week`));
  assert.match(week.body, new RegExp(`href="/sites/${ngt}/week\\?date=2031-01-13"[\\s\\S]*Next week`));
  const bad = await manager.get(`/sites/${ngt}/week?date-day=31&date-month=4&date-year=2031`);
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(errorSummary(bad.body), ['Date must be a real date']);
  assert.match(bad.body, /href="#date-day"/);
});

test('GOV.UK date errors: a missing part, parts that are not numbers, a short year and an impossible day', () => {
  const at = (day: string, month: string, year: string) => dateProblem('Date of birth', { day, month, year });
  assert.equal(at('', '', ''), undefined, 'blank is for the service to judge (it may be optional)');
  assert.deepEqual(at('12', '', ''), { message: 'Date of birth must include a month and year', parts: ['month', 'year'] });
  assert.deepEqual(at('', '3', '1990'), { message: 'Date of birth must include a day', parts: ['day'] });
  assert.deepEqual(at('x', '3', '1990'), { message: 'Date of birth must be a real date', parts: ['day'] });
  assert.deepEqual(at('1', '3', '90'), { message: 'Date of birth must include a year with 4 numbers', parts: ['year'] });
  assert.deepEqual(at('1', '13', '1990'), { message: 'Date of birth must be a real date', parts: ['month'] });
  assert.deepEqual(at('29', '2', '2023'), { message: 'Date of birth must be a real date', parts: ['day'] });
  assert.equal(at('29', '2', '2024'), undefined);
});
