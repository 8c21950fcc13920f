// In a real browser: a treatment manager creates a group, allocates a man from the waitlist, cancels a
// session (and sees what moved), swaps a facilitator and books a catch-up; a facilitator opens their week
// and availability. Every page on the way is checked with axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import {
  accessibilityViolations,
  assertPrintsWithoutServiceChrome,
  bookCatchUpHalfAYearOn,
  fillNorthgateGroupForm,
  mondayAYearAhead,
  serverAndBrowserForThisFile,
  signIn,
} from './browser.js';

let context: BrowserContext;
let page: Page;
const running = serverAndBrowserForThisFile(async ({ browser }) => {
  context = await browser.newContext();
  page = await context.newPage();
});

const problems: string[] = [];
async function axe(label: string) {
  for (const v of await accessibilityViolations(page)) problems.push(`${label}: ${v}`);
}

const start = mondayAYearAhead();
let groupUrl = '';

test('a treatment manager creates a group in the browser and its timetable is shown by week', async () => {
  await signIn(page, running.server.url, 'manager');
  await page.waitForURL(`${running.server.url}/`);
  await page.goto(`${running.server.url}/groups`);
  await axe('/groups');
  await page.getByRole('button', { name: 'Create a group at HMP Northgate' }).click();
  await axe('/groups/new');
  await page.getByRole('button', { name: 'Create group and plan timetable' }).click();
  await page.waitForSelector('.govuk-error-summary');
  await axe('/groups (errors)');
  await fillNorthgateGroupForm(page, 'Browser test group', start);
  await page.getByRole('button', { name: 'Create group and plan timetable' }).click();
  await page.waitForURL(/\/groups\/\d+$/);
  groupUrl = page.url();
  assert.equal(
    await page
      .locator('h1')
      .innerText()
      .then((t) => t.startsWith('Browser test group')),
    true,
  );
  assert.equal(await page.locator('tr[id^="session-"]').count(), 84);
  await axe('/groups/:id');
});

test('the manager allocates a man from the waitlist', async () => {
  await page.goto(groupUrl);
  await page.getByRole('button', { name: 'Allocate men from the waitlist' }).click();
  await axe('/groups/:id/allocate');
  const boxes = page.locator('input[name="referrals"]');
  assert.ok((await boxes.count()) > 0, 'the demo waitlist at Northgate has men waiting');
  await boxes.first().check();
  await page.getByRole('button', { name: 'Allocate to Browser test group' }).click();
  await page.waitForURL(/\/groups\/\d+#members$/);
  assert.match(await page.locator('#members + table').innerText(), /[A-Z]\d{4}[A-Z]{2}/);
});

test('cancelling a session asks for a reason and shows the sessions that moved', async () => {
  await page.goto(groupUrl);
  await page.getByRole('link', { name: 'Cancel session 3', exact: true }).click();
  await axe('/groups/:id/sessions/:id/cancel');
  await page.getByRole('button', { name: 'Cancel session and move later sessions' }).click();
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter why the session is cancelled/);
  await axe('/groups/:id/sessions/:id/cancel (errors)');
  await page.getByLabel('The prison regime (for example a lockdown, an alarm or a search)').check();
  await page.getByLabel('Why is the session cancelled?').fill('Lockdown');
  await page.getByRole('button', { name: 'Cancel session and move later sessions' }).click();
  await page.getByRole('heading', { name: 'Session 3 cancelled' }).waitFor();
  const moved = page.getByRole('table', { name: 'Sessions that moved' }).locator('tbody tr');
  assert.ok((await moved.count()) >= 1);
  assert.equal(await moved.first().locator('th').innerText(), '3');
  await axe('cancelled');
});

test('swapping a facilitator offers only valid team members and changes one session', async () => {
  await page.goto(groupUrl);
  await page.getByRole('link', { name: 'Swap facilitator in session 12', exact: true }).click();
  await axe('/groups/:id/sessions/:id/swap');
  const candidates = page.locator('input[name="replacementId"]');
  assert.equal(await candidates.count(), 1, 'the one team member not in the session');
  const name = await page.locator('label[for="replacementId"]').innerText();
  await candidates.first().check();
  await page.getByRole('button', { name: 'Swap facilitator' }).click();
  await page.waitForURL(/\/groups\/\d+\?swapped=12/);
  assert.match(await page.locator('.govuk-notification-banner').innerText(), /Facilitator swapped in session 12/);
  await axe('/groups/:id (swapped)');
  const row = page
    .locator('tr[id^="session-"]')
    .filter({ has: page.locator('th', { hasText: /^12(?!\d)/ }) })
    .filter({ hasText: 'Scheduled' });
  assert.match(await row.innerText(), new RegExp(name.trim()));
});

test('a catch-up is booked for the man who missed a session and shows as outstanding', async () => {
  await page.goto(groupUrl);
  await page.getByRole('button', { name: 'Book a catch-up session' }).click();
  await axe('/groups/:id/catch-ups/new');
  const man = page.getByLabel('Man who missed a session');
  await man.selectOption({ index: 1 });
  await bookCatchUpHalfAYearOn(page);
  assert.match(await page.locator('#catch-ups + p').innerText(), /^1 catch-up booked and not yet delivered/);
  await axe('/groups/:id (with catch-up)');
});

test('the site’s week, rooms and facilitator pages are accessible to the manager', async () => {
  await page.goto(`${running.server.url}/groups`);
  await page.getByRole('link', { name: 'HMP Northgate: this week’s sessions' }).click();
  await axe('/sites/:id/week');
  await page.goto(`${running.server.url}/groups`);
  await page.getByRole('link', { name: 'HMP Northgate: rooms, session slots and closures' }).click();
  await axe('/sites/:id/setup');
  await page.goto(`${running.server.url}/groups`);
  await page.getByRole('link', { name: 'HMP Northgate: facilitators' }).click();
  await axe('/facilitators');
  await page.getByRole('link', { name: 'Kit Facilitator', exact: true }).click();
  await axe('/facilitators/:id');
});

test('a facilitator sees their week with a calendar address, and their availability page', async () => {
  await context.clearCookies();
  await signIn(page, running.server.url, 'facilitator4');
  await page.waitForURL(`${running.server.url}/`);
  await page.goto(`${running.server.url}/my/week?date=${start}`);
  await axe('/my/week');
  assert.match(await page.locator('code').innerText(), /\/calendar\/[0-9a-f]{64}\.ics$/);
  await page.getByRole('link', { name: 'My availability' }).click();
  await axe('/facilitators/:id (own)');
  await page.getByLabel('First day').fill('not a date');
  await page.getByRole('button', { name: 'Add unavailable days' }).click();
  await page.waitForSelector('.govuk-error-summary');
  await axe('/facilitators/:id (errors)');
});

test('the man’s end-of-treatment report takes the summary and prints without the service’s navigation', async () => {
  await context.clearCookies();
  await signIn(page, running.server.url, 'manager');
  await page.waitForURL(`${running.server.url}/`);
  await page.goto(groupUrl);
  await page
    .getByRole('link', { name: /^End-of-treatment report/ })
    .first()
    .click();
  await page.waitForURL(/\/group-members\/\d+\/report$/);
  await axe('/group-members/:id/report');
  await page.getByRole('button', { name: 'Write the summary' }).click();
  await axe('/group-members/:id/report/summaries');
  await page.getByLabel('Self-regulation deficits').fill('Drew up a plan for managing low mood.');
  await page.getByRole('button', { name: 'Save summary' }).click();
  await page.waitForURL(/\/report$/);
  assert.match(await page.locator('.sotp-report').innerText(), /Drew up a plan for managing low mood\./);
  await assertPrintsWithoutServiceChrome(page);
});

test('every page on the way is axe clean (WCAG 2.2 AA)', () => {
  assert.deepEqual(problems, []);
});
