// Issue 12's browser test: a facilitator whose supervision is overdue beyond its grace period is no longer offered for
// sessions, the sessions planned after the grace date are flagged, and the treatment manager records a supervision
// (the form offers the facilitator's recent recordings) which restores both. The facilitator reads his own record,
// read-only. Every page is axe clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { supervisions, users } from '../../src/db/schema.js';
import { accessibilityViolations, serverAndBrowserForThisFile, signIn } from './browser.js';

const running = serverAndBrowserForThisFile();
const problems: string[] = [];
async function axe(page: Page, label: string) {
  for (const v of await accessibilityViolations(page)) problems.push(`${label}: ${v}`);
}

test('a facilitator whose supervision is overdue beyond grace is not offered and his planned sessions are flagged; recording a supervision restores both', async () => {
  // The demo's Frankie Facilitator, lead of the Northgate group, as if not supervised for 60 days longer: his last
  // supervision 77 days ago, due 35 days ago, the 14 days' grace over three weeks ago.
  await running.server.whileStopped(async (db) => {
    const [frankie] = await db.select().from(users).where(eq(users.username, 'facilitator'));
    await db
      .update(supervisions)
      .set({ supervisedOn: sql`${supervisions.supervisedOn} - 60` })
      .where(eq(supervisions.facilitatorId, frankie.id));
  });
  const url = (path: string) => `${running.server.url}${path}`;
  const page = await (await running.browser.newContext()).newPage();
  await signIn(page, running.server.url, 'manager');

  const home = page.locator('#supervision');
  const alert = home.locator('li').filter({ hasText: 'Frankie Facilitator' });
  assert.match(
    await alert.innerText(),
    /Lapsed[\s\S]*supervision for Core SOTP was due on [\s\S]*the accreditation lapsed after[\s\S]*Planned into sessions after it lapsed/,
  );
  await axe(page, '/ (lapsed)');

  await page.goto(url('/facilitators'));
  const row = page.locator('tbody tr').filter({ hasText: 'Frankie Facilitator' });
  assert.equal((await row.locator('td').first().innerText()).trim(), 'None current', 'not offered for sessions');
  await axe(page, '/facilitators (lapsed)');

  await page.goto(url('/groups'));
  await page.getByRole('link', { name: 'NGT Core SOTP group 1' }).click();
  const groupUrl = page.url();
  assert.match(await page.locator('.govuk-warning-text').first().innerText(), /\d+ sessions still to run break a scheduling rule/);
  const flagged = page.locator('tr[id^="session-"]').filter({ hasText: 'Needs re-planning' });
  assert.ok((await flagged.count()) > 0);
  assert.match(await flagged.first().innerText(), /Frankie Facilitator’s supervision lapsed after/);
  await axe(page, '/groups/:id (lapsed)');

  // The treatment manager records a supervision from the staff overview, agreeing an action.
  await page.goto(url('/facilitators'));
  await page.getByRole('link', { name: /^Staff and supervision at / }).click();
  await axe(page, '/sites/:id/staff');
  await page.getByRole('link', { name: 'Frankie Facilitator' }).click();
  await page.getByRole('link', { name: 'Record a supervision' }).click();
  await axe(page, '/facilitators/:id/supervisions/new');
  await page.getByLabel('Notes').fill('Talked through the last block; supervision back on its six-weekly footing.');
  await page.locator('#action1Description').fill('Watch the block 7 exemplar recording');
  const [year, month, day] = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10).split('-');
  await page.locator('#action1DueOn-day').fill(String(Number(day)));
  await page.locator('#action1DueOn-month').fill(String(Number(month)));
  await page.locator('#action1DueOn-year').fill(year);
  await page.getByRole('button', { name: 'Record the supervision' }).click();
  await page.waitForURL(/\/facilitators\/\d+#supervision-\d+$/);
  const card = page.locator('.govuk-summary-card').first();
  assert.match(await card.innerText(), /by Morgan Manager at HMP Northgate[\s\S]*Watch the block 7 exemplar recording/);
  assert.match(await page.locator('#accreditation ~ table').first().innerText(), /Core SOTP[\s\S]*Current/);
  await axe(page, '/facilitators/:id (supervised)');

  await page.goto(groupUrl);
  assert.equal(await page.locator('tr[id^="session-"]').filter({ hasText: 'Needs re-planning' }).count(), 0, 'the flags are gone');
  await page.goto(url('/facilitators'));
  assert.equal((await page.locator('tbody tr').filter({ hasText: 'Frankie Facilitator' }).locator('td').first().innerText()).trim(), 'core-sotp');
  await page.goto(url('/'));
  assert.equal(await page.locator('#supervision li').filter({ hasText: 'Frankie Facilitator' }).count(), 0);

  // Frankie reads his own record: the supervision and its action, and nothing to record with.
  const own = await (await running.browser.newContext()).newPage();
  await signIn(own, running.server.url, 'facilitator');
  await own.goto(url('/my/availability'));
  assert.match(await own.locator('.govuk-summary-card').first().innerText(), /Watch the block 7 exemplar recording/);
  assert.equal(await own.getByRole('link', { name: 'Record a supervision' }).count(), 0);
  await axe(own, '/facilitators/:id (own)');
  assert.deepEqual(problems, []);
});
