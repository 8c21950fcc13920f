// The auditor's whole job in a real browser (issue 13, "Done when"): open an audit, draw its sample, watch three
// recordings, work the checklist of material examined, rate both criteria; the site's treatment manager responds
// with an action plan; the auditor closes the audit; the report prints. Every page axe clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { sites } from '../../src/db/schema.js';
import { projectPath } from '../../src/paths.js';
import { recordPastSessions } from '../support/recordings.js';
import { accessibilityViolations, assertPrintsWithoutServiceChrome, fillDate, serverAndBrowserForThisFile, signIn } from './browser.js';

const running = serverAndBrowserForThisFile();

async function axeClean(page: Page, where: string) {
  assert.deepEqual(await accessibilityViolations(page), [], where);
}

test('an auditor opens an audit, draws the sample, watches three recordings, works the checklist and rates both criteria; the manager responds with a plan; the auditor closes it; the report prints — axe clean', async () => {
  let days: string[] = [];
  await running.server.whileStopped(async (db, { fileStoreDir }) => {
    const [ngt] = await db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'NGT'));
    const recorded = await recordPastSessions(db, ngt.id, 4, fileStoreDir, projectPath('demo', 'recordings', 'session-1.webm'));
    days = recorded.map((r) => r.date).sort();
  });
  const auditor = await (await running.browser.newContext()).newPage();
  await signIn(auditor, running.server.url, 'auditor');

  // Open the audit and draw its sample.
  await auditor.goto(`${running.server.url}/audits/new`);
  await auditor.getByLabel('Site').selectOption({ label: 'HMP Northgate' });
  await fillDate(auditor, 'First day of the period', days[0]);
  await fillDate(auditor, 'Last day of the period', days.at(-1)!);
  await auditor.getByRole('button', { name: 'Open the audit' }).click();
  await auditor.waitForURL(/\/audits\/\d+$/);
  const auditUrl = auditor.url();
  await auditor.getByLabel('Seed (optional)').fill('2027');
  await auditor.getByRole('button', { name: 'Draw the sample' }).click();
  await auditor.waitForURL(/#sample$/);
  assert.match(await auditor.locator('#sample + p').innerText(), /seed 2027/);
  await axeClean(auditor, 'the audit with its sample');

  // Watch each sampled recording in sotp and keep notes on it.
  const watchLinks = auditor.getByRole('link', { name: /^Watch the session of/ });
  assert.equal(await watchLinks.count(), 3);
  for (let i = 0; i < 3; i++) {
    const played = auditor.waitForResponse((r) => /\/recordings\/\d+\/video$/.test(r.url()) && r.status() < 300);
    await auditor
      .getByRole('link', { name: /^Watch the session of/ })
      .nth(i)
      .click();
    await played;
    if (i === 0) await axeClean(auditor, 'watching a sampled recording');
    await auditor.getByLabel(/What you saw/).fill(`Recording ${i + 1}: targets met; the men were engaged.`);
    await auditor.getByRole('button', { name: 'Record that I watched it' }).click();
    await auditor.waitForURL(/#sample$/);
  }
  assert.match(await auditor.locator('main').innerText(), /3 of 3 sampled recordings watched/);

  // The checklist of material examined.
  await auditor.getByRole('link', { name: /material examined/i }).click();
  await axeClean(auditor, 'the checklist');
  for (const item of ['Participants’ work', 'Session logs', 'End-of-treatment reports', 'Supervisor’s records']) {
    await auditor.getByLabel(`Your notes on ${item.toLowerCase()}`).fill(`${item}: complete and on time.`);
    await auditor.getByRole('button', { name: `Save the notes on ${item}` }).click();
    await auditor.waitForURL(/\/checklist#item-/);
  }
  await auditor.goto(auditUrl);

  // Rate both criteria.
  await auditor.getByRole('button', { name: 'Rate the audit' }).click();
  await axeClean(auditor, 'the ratings form');
  for (const [criterion, level] of [
    ['quality of delivery', 'Meets the standard'],
    ['quality of treatment management', 'Partly meets the standard'],
  ] as const) {
    await auditor
      .getByRole('group', { name: `Rating for ${criterion}` })
      .getByLabel(level, { exact: true })
      .check();
    await auditor.getByLabel(`Evidence for the rating of ${criterion}`).fill(`Evidence for ${criterion}: the recordings and the material examined.`);
    const cites = auditor.getByRole('group', { name: `What the evidence for ${criterion} cites` });
    await cites
      .getByRole('checkbox', { name: /^Recording:/ })
      .first()
      .check();
    await cites.getByRole('checkbox', { name: 'Checklist: Supervisor’s records' }).check();
  }
  await auditor.getByRole('button', { name: 'Record the ratings' }).click();
  await auditor.waitForURL(/#ratings$/);
  assert.match(await auditor.locator('main').innerText(), /Quality of treatment management: Partly meets the standard/);
  await axeClean(auditor, 'the rated audit');

  // The site's treatment manager responds with an action plan.
  const manager = await (await running.browser.newContext()).newPage();
  await signIn(manager, running.server.url, 'manager');
  await manager.goto(auditUrl);
  await manager.getByRole('button', { name: 'Respond with an action plan' }).click();
  await axeClean(manager, 'the response form');
  await manager.getByLabel('The site’s response').fill('We accept the ratings and will tighten supervision.');
  const first = manager.getByRole('group', { name: 'Action 1' });
  await first.getByLabel('What will be done').fill('Supervise each facilitator every six weeks');
  await first.getByLabel('Owner').fill('Treatment manager');
  const due = first.getByRole('group', { name: 'Due on' });
  const [year, month, day] = new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10).split('-');
  await due.getByLabel('Day').fill(String(Number(day)));
  await due.getByLabel('Month').fill(String(Number(month)));
  await due.getByLabel('Year').fill(year);
  await manager.getByRole('button', { name: 'Record the site’s response' }).click();
  await manager.waitForURL(/#action-plan$/);
  assert.match(await manager.locator('#action-plan + p').innerText(), /tighten supervision/);
  await axeClean(manager, 'the audit with the site’s response');

  // The auditor agrees the plan and closes the audit; the report prints.
  await auditor.goto(auditUrl);
  // Asking for a revised plan without saying why is refused on the audit's page, naming the box, and changes nothing.
  await auditor.getByRole('button', { name: 'Ask the site to revise its plan' }).click();
  assert.match(await auditor.locator('.govuk-error-summary').innerText(), /Enter what the site should change in its plan/);
  await axeClean(auditor, 'the audit with a refused revision');
  await auditor.goto(auditUrl);
  assert.match(await auditor.locator('#action-plan + p').innerText(), /tighten supervision/, 'the response stands');
  await auditor.getByLabel(/The action plan is agreed/).check();
  await auditor.getByRole('button', { name: 'Close the audit' }).click();
  await auditor.waitForURL(auditUrl);
  assert.match(await auditor.locator('main').innerText(), /Closed by/);
  await auditor.getByRole('link', { name: /Open the audit’s report/ }).click();
  const report = await auditor.locator('main').innerText();
  for (const text of [
    'Quality of delivery: Meets the standard',
    'seed 2027',
    'Supervise each facilitator every six weeks',
    'Registers recorded',
    'Supervisor’s records: complete and on time.',
    'Material cited: Supervisor’s records',
  ])
    assert.ok(report.includes(text), `the report shows ${text}`);
  await axeClean(auditor, 'the report');
  await assertPrintsWithoutServiceChrome(auditor);

  await auditor.goto(`${running.server.url}/audits/national`);
  assert.match(await auditor.locator('tbody').innerText(), /HMP Northgate[\s\S]*Meets the standard[\s\S]*Partly meets the standard/);
  await axeClean(auditor, 'the national overview');
});
