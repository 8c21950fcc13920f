// An assessor records a man's psychometric test before and after treatment in a real browser, and his page then
// shows the change on the scale. Every page on the way is checked with axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { accessibilityViolations, fillDate, serverAndBrowserForThisFile, signIn } from './browser.js';

const running = serverAndBrowserForThisFile();
const instrument = 'Illustrative Sexual Interests Scale';

/** Answers every item of the form, each scoring `keyed` once the reverse-keyed items (3 and 6) are turned round. */
async function answerItems(page: Page, keyed: number): Promise<void> {
  for (let item = 1; item <= 6; item++) {
    const answer = item === 3 || item === 6 ? 6 - keyed : keyed;
    await page
      .getByRole('group', { name: new RegExp(`^${item}\\. `) })
      .getByLabel(String(answer), { exact: true })
      .check();
  }
}

test('an assessor records pre and post tests and the man’s page shows his change, every page axe clean', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  const axe = async (label: string) => {
    for (const v of await accessibilityViolations(page)) problems.push(`${label}: ${v}`);
  };
  try {
    await signIn(page, running.server.url, 'assessor');
    await page.goto(`${running.server.url}/people/new`);
    await page.getByLabel('Prison number').fill(`E${1000 + Math.floor(Math.random() * 9000)}PS`);
    await page.getByLabel('Given name').fill('Tobias');
    await page.getByLabel('Family name').fill('Testcase');
    await fillDate(page, 'Date of birth', '1985-03-04');
    await page.getByRole('group', { name: 'Sex' }).getByLabel('Male', { exact: true }).check();
    await page.getByLabel('Site').selectOption({ label: 'HMP Northgate' });
    await page.getByRole('button', { name: /Save|Add/ }).click();
    await page.waitForURL(/\/people\/\d+$/);
    assert.match(await page.locator('#psychometrics ~ p').first().innerText(), /No psychometric tests recorded/);

    await page.getByRole('link', { name: `Record a test: ${instrument}` }).click();
    await page.waitForURL(/\/psychometrics\/new\?instrument=/);
    assert.match(await page.locator('main').innerText(), /ILLUSTRATIVE ONLY/);
    await axe('test form');
    // Nothing answered and no date: refused, naming the date, and nothing is saved.
    await page.getByRole('button', { name: 'Save test' }).click();
    await page.waitForSelector('.govuk-error-summary');
    assert.match(await page.locator('.govuk-error-summary').innerText(), /date of the test/i);
    await axe('test form (errors)');

    await page.getByRole('group', { name: 'When was the test taken?' }).getByLabel('Before treatment').check();
    await fillDate(page, 'Date of the test', '2026-06-01');
    await answerItems(page, 5);
    await page.getByRole('button', { name: 'Save test' }).click();
    await page.waitForURL(/\/people\/\d+#psychometrics$/);
    assert.match(await page.locator('main').innerText(), /No test after treatment yet/);

    await page.getByRole('link', { name: `Record a test: ${instrument}` }).click();
    await page.getByRole('group', { name: 'When was the test taken?' }).getByLabel('After treatment').check();
    await fillDate(page, 'Date of the test', '2026-11-20');
    await answerItems(page, 2);
    await page.getByRole('button', { name: 'Save test' }).click();
    await page.waitForURL(/\/people\/\d+#psychometrics$/);

    // 30 before, 12 after: a change of −18, RCI −18 / (√2 · 4 · √0.15) = −8.22, and below the cut-off of 16.3.
    const row = page.locator('table', { hasText: 'Change from before to after treatment' }).locator('tbody tr').first();
    assert.deepEqual((await row.locator('td').allInnerTexts()).slice(1, 6), ['30', '12', '-18', '-8.22', 'Reliably improved']);
    assert.match(await row.innerText(), /Yes: crossed the cut-off/);
    await axe('person page with change');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
