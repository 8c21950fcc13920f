// A researcher's whole evaluation journey in a real browser: upload a cohort file, run an evaluation and
// read the report with its SVG charts; every page is axe clean and nothing breaks the content security policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
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

test('an administrator opens a programme’s harm monitor from the evaluations page: accessible, with the design form', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await signIn(page, running.server.url, 'admin');
  await page.goto(`${running.server.url}/evaluations`);
  await page
    .getByRole('link', { name: /^Harm monitor: / })
    .first()
    .click();
  await page.waitForURL(/\/evaluations\/monitor\/[a-z0-9-]+$/);
  assert.match(await page.locator('h1').innerText(), /^Harm monitor: /);
  assert.deepEqual(await accessibilityViolations(page), []);
  await context.close();
});
