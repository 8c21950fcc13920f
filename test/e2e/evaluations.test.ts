// A researcher's whole evaluation journey in a real browser: upload a cohort file, run an evaluation and
// read the report with its SVG charts; an administrator takes the harm monitor's looks and reads its chart. Every page is
// axe clean and nothing breaks the content security policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import { users } from '../../src/db/schema.js';
import type { Actor } from '../../src/services/access.js';
import { saveMonitorDesign } from '../../src/services/harm-monitor.js';
import { importMonitorData } from '../support/monitor-data.js';
import { accessibilityViolations, serverAndBrowserForThisFile, signIn } from './browser.js';

const cohortFile = fileURLToPath(new URL('../fixtures/evaluation/friendship2003.csv', import.meta.url));
const running = serverAndBrowserForThisFile();

test('a researcher imports a cohort, runs an evaluation and reads an accessible report with its charts', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await signIn(page, running.server.url, 'researcher');
  await page.goto(`${running.server.url}/evaluations/imports/new`);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.getByRole('button', { name: 'Import file' }).click();
  await page.waitForSelector('.govuk-error-summary');
  assert.deepEqual(await accessibilityViolations(page), [], 'the form with its errors');
  await page.getByLabel('A complete cohort').check();
  await page.setInputFiles('input[type=file]', cohortFile);
  await page.getByRole('button', { name: 'Import file' }).click();
  await page.waitForURL(/\/evaluations\/import-progress\/\d+$/);
  assert.deepEqual(await accessibilityViolations(page), [], 'the import page');
  // The page does not reload itself: the researcher presses Refresh until the import has finished.
  for (let look = 0; look < 100 && (await page.getByRole('button', { name: 'Refresh' }).count()) > 0; look++) {
    await page.waitForTimeout(100);
    await page.getByRole('button', { name: 'Refresh' }).click();
  }
  assert.match(await page.locator('.govuk-notification-banner').innerText(), /Imported 2557 men/);
  await page.goto(`${running.server.url}/evaluations/new`);
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.getByLabel('Also analyse each risk band').check();
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  await page.waitForURL(/\/evaluations\/\d+$/);
  assert.equal((await page.locator('svg[role="img"]').count()) >= 2, true, 'Kaplan–Meier and balance charts are drawn');
  assert.match(await page.locator('h1').innerText(), /Evaluation \d+/);
  assert.deepEqual(await accessibilityViolations(page), []);
  assert.deepEqual(cspViolations, []);
  await context.close();
});

test('an administrator opens a programme’s harm monitor from the evaluations page and reads every look taken, with the chart of the statistic against its boundaries', async () => {
  // The data a look needs, as an administrator would have imported it, and a design with yearly looks from 2022.
  await running.server.whileStopped(async (db) => {
    const [ada] = await db.select().from(users).where(eq(users.username, 'admin'));
    const admin: Actor = { userId: ada.id, username: ada.username, role: 'administrator', siteIds: [] };
    const poolId = await importMonitorData(db, admin, loadConfig({ NODE_ENV: 'test' }).pseudonymKey);
    await saveMonitorDesign(db, admin, 'core-sotp', {
      cohortImportId: poolId,
      covariates: ['age_at_release', 'prior_sexual'],
      outcome: 'sexual',
      firstLook: '2022-01-01',
      everyMonths: 12,
      horizonYears: 10,
      spending: 'pocock',
      sides: 'one',
    });
  });
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await signIn(page, running.server.url, 'admin');
  await page.goto(`${running.server.url}/evaluations`);
  await page.getByRole('link', { name: 'Harm monitor: Core Sex Offender Treatment Programme' }).click();
  await page.waitForURL(/\/evaluations\/monitor\/core-sotp$/);
  assert.match(await page.locator('h1').innerText(), /^Harm monitor: /);
  // The service takes the looks that are due itself, at start-up and then every so often; the administrator may also
  // take the one due now. Either way the five yearly looks from 2022 are taken.
  const chart = page.locator('svg[role="img"]');
  for (let attempt = 0; attempt < 40 && (await chart.locator('circle').count()) < 5; attempt++) {
    const take = page.getByRole('button', { name: 'Take the look that is due now' });
    if (await take.count()) await take.click();
    else await page.waitForTimeout(500);
    await page.goto(`${running.server.url}/evaluations/monitor/core-sotp`);
  }
  assert.equal(await page.locator('table').filter({ hasText: 'Harm boundary' }).locator('tbody tr').count(), 5, 'a row for each look');
  assert.equal(await chart.count(), 1, 'the chart of the statistic against the boundaries is drawn');
  assert.match((await chart.getAttribute('aria-labelledby')) ?? '', /monitor-chart-title/);
  assert.equal(await chart.locator('circle').count(), 5, 'a point for each look');
  assert.deepEqual(await accessibilityViolations(page), []);
  await context.close();
});
