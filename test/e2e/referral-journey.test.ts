// The whole journey in a real browser: a waitlisted referral whose eligibility the referral page shows is
// allocated to a named group; the group is staffed by its lead and co-facilitator; a week of the lead's leave
// mid-group is flagged and re-planned; a session is cancelled and a catch-up booked; he leaves the group. At every step the caseload, the group
// page and the referral page must tell the same story. Every page on the way is checked with axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { accessibilityViolations, bookCatchUpHalfAYearOn, fillNorthgateGroupForm, mondayAYearAhead, serverAndBrowserForThisFile, signIn } from './browser.js';

let page: Page;
const running = serverAndBrowserForThisFile(async ({ browser }) => {
  page = await (await browser.newContext()).newPage();
});
const url = (path: string) => `${running.server.url}${path}`;

const problems: string[] = [];
async function axe(label: string) {
  for (const v of await accessibilityViolations(page)) problems.push(`${label}: ${v}`);
}

const summary = (key: string) =>
  page
    .locator('.govuk-summary-list__row')
    .filter({ has: page.locator('.govuk-summary-list__key', { hasText: key }) })
    .locator('.govuk-summary-list__value')
    .innerText();

const start = mondayAYearAhead();
const groupName = 'Journey group';
let groupUrl = '';
let referralUrl = '';
let prisonNumber = '';

/** The referral page, the caseload and the group page agree on his status and his group. */
async function agree(status: string, inGroup: boolean) {
  await page.goto(referralUrl);
  assert.match(await summary('Status'), new RegExp(status));
  assert.equal((await summary('Group')).trim(), inGroup ? groupName : 'Not in a group');
  await page.goto(url(`/caseload?q=${prisonNumber}`));
  const row = page.locator('tbody tr').filter({ hasText: prisonNumber });
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), new RegExp(status));
  await page.goto(groupUrl);
  const members = await page
    .locator('#members + table')
    .innerText()
    .catch(() => '');
  assert.equal(members.includes(prisonNumber), inGroup, `the group page ${inGroup ? 'lists' : 'does not list'} him`);
}

test('a group with lead, co and cover facilitators is planned with the lead and co in every session', async () => {
  await signIn(page, running.server.url, 'manager');
  await page.waitForURL(url('/'));
  await page.goto(url('/groups'));
  await page.getByRole('button', { name: 'Create a group at HMP Northgate' }).click();
  await fillNorthgateGroupForm(page, groupName, start);
  await page.getByRole('button', { name: 'Create group and plan timetable' }).click();
  await page.waitForURL(/\/groups\/\d+$/);
  groupUrl = page.url();
  const sessions = page.locator('tr[id^="session-"]');
  assert.equal(await sessions.count(), 84);
  assert.equal(await sessions.filter({ hasText: 'Frankie Facilitator' }).filter({ hasText: 'Robin Facilitator' }).count(), 84, 'lead and co in every session');
  assert.equal(await sessions.filter({ hasText: 'Kit Facilitator' }).count(), 0, 'the cover is not needed');
  await axe('/groups/:id (new)');
});

test('a waitlisted referral shows his eligibility and risk, and is allocated to the named group', async () => {
  await page.goto(url('/caseload?status=awaiting_allocation'));
  await axe('/caseload (awaiting allocation)');
  const first = page.locator('tbody tr').first();
  prisonNumber = (await first.locator('a[href^="/people/"]').innerText()).trim();
  await first.locator('a[href^="/referrals/"]').click();
  await page.waitForURL(/\/referrals\/\d+$/);
  referralUrl = page.url();
  await axe('/referrals/:id (waiting)');
  assert.match(await page.locator('#eligibility + p').innerText(), /Eligible/, 'a man on the waitlist is eligible');
  assert.ok((await page.locator('#risk ~ ul li').count()) >= 1, 'his latest risk score is shown');
  await agree('Awaiting allocation', false);
  await page.goto(url('/waitlist'));
  assert.match(await page.locator('main').innerText(), new RegExp(prisonNumber), 'he is on the waitlist');

  await page.goto(referralUrl);
  await page.getByRole('button', { name: `Allocate him to ${groupName}` }).click();
  await page.waitForURL(referralUrl);
  await axe('/referrals/:id (allocated)');
  await agree('Allocated to a group', true);
  await page.goto(url('/waitlist'));
  assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(prisonNumber), 'he has left the waitlist');
});

test('a week of leave mid-group flags the sessions in it on the group page', async () => {
  // (Supervision lapsing is the browser test of test/e2e/supervision.test.ts.)
  await page.goto(groupUrl);
  const rows = page.locator('tr[id^="session-"]');
  const [from, to] = [await rows.nth(39).getAttribute('data-date'), await rows.nth(43).getAttribute('data-date')];
  assert.match(`${from} ${to}`, /^\d{4}-\d{2}-\d{2} \d{4}-\d{2}-\d{2}$/, 'session rows carry their date');
  await page.goto(url('/facilitators'));
  await page.getByRole('link', { name: 'Frankie Facilitator', exact: true }).click();
  await page.getByLabel('First day').fill(from!);
  await page.getByLabel('Last day (optional)').fill(to!);
  await page.getByLabel('Reason (optional)').fill('Leave');
  await page.getByRole('button', { name: 'Add unavailable days' }).click();
  await page.waitForLoadState();
  await page.goto(groupUrl);
  assert.match(await page.locator('.govuk-warning-text').first().innerText(), /5 sessions still to run break a scheduling rule/);
  const flagged = page.locator('tr[id^="session-"]').filter({ hasText: 'Needs re-planning' });
  assert.equal(await flagged.count(), 5);
  assert.match(await flagged.first().innerText(), /Frankie Facilitator is unavailable on this day/);
  await axe('/groups/:id (leave)');
  await agree('Allocated to a group', true);
});

test('re-planning after the leave staffs or moves every flagged session', async () => {
  await page.goto(groupUrl);
  await page.getByRole('button', { name: 'Re-plan the affected sessions' }).click();
  await page.waitForURL(/replanned=/);
  assert.match(await page.locator('.govuk-notification-banner').innerText(), /Sessions re-planned from session \d+/);
  assert.equal(await page.locator('tr[id^="session-"]').filter({ hasText: 'Needs re-planning' }).count(), 0);
  await axe('/groups/:id (re-planned)');
  await agree('Allocated to a group', true);
});

test('a cancelled session moves the later ones, and a catch-up is booked and tracked for him', async () => {
  await page.goto(groupUrl);
  await page.getByRole('link', { name: 'Cancel session 3', exact: true }).click();
  await page.getByLabel('Why is the session cancelled?').fill('Lockdown');
  await page.getByRole('button', { name: 'Cancel session and move later sessions' }).click();
  await page.getByRole('heading', { name: 'Session 3 cancelled' }).waitFor();
  await axe('cancelled');

  await page.goto(groupUrl);
  await page.getByRole('button', { name: 'Book a catch-up session' }).click();
  const man = page.getByLabel('Man who missed a session');
  const option = man.locator('option').filter({ hasText: prisonNumber });
  await man.selectOption({ value: (await option.getAttribute('value'))! });
  await bookCatchUpHalfAYearOn(page);
  assert.match(await page.locator('#catch-ups + p').innerText(), /^1 catch-up booked and not yet delivered/);
  assert.match(await page.locator('#catch-ups ~ table').first().innerText(), new RegExp(`Kit Facilitator`));
  await axe('/groups/:id (catch-up)');
  await agree('Allocated to a group', true);
});

test('removing him from the group asks why, frees his place and puts his referral back to awaiting allocation', async () => {
  await page.goto(groupUrl);
  await page
    .locator('#members + table tr')
    .filter({ hasText: prisonNumber })
    .getByRole('link', { name: /Remove from group/ })
    .click();
  await page.getByRole('button', { name: /^Remove .+ from Journey group$/ }).click();
  await page
    .getByRole('link', { name: /reason/i })
    .first()
    .waitFor();
  await axe('remove from group (reason missing)');
  await page.getByLabel('Why is he leaving the group?').fill('Transferred to another prison');
  await page.getByRole('button', { name: /^Remove .+ from Journey group$/ }).click();
  await page.waitForURL(/\/groups\/\d+/);
  await axe('/groups/:id (member removed)');
  await agree('Awaiting allocation', false);
});

test('every page on the journey is axe clean (WCAG 2.2 AA)', () => {
  assert.deepEqual(problems, []);
});
