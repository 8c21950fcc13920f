// The auditor's first steps in a real browser (issue 13): open an audit of a site and programme over a period, read
// its operational indicators with the records behind each, and the sample's page; every page axe clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessibilityViolations, serverAndBrowserForThisFile, signIn } from './browser.js';

const running = serverAndBrowserForThisFile();

test('an auditor opens an audit and reads its operational indicators, each with the records behind its figure, axe clean', async () => {
  const page = await (await running.browser.newContext()).newPage();
  await signIn(page, running.server.url, 'auditor');
  await page.getByRole('link', { name: 'Audits' }).first().click();
  await page.getByRole('button', { name: 'Open an audit' }).click();
  assert.deepEqual(await accessibilityViolations(page), []);
  await page.getByLabel('Site').selectOption({ label: 'HMP Northgate' });
  const today = new Date();
  const from = new Date(today.getTime() - 28 * 86_400_000);
  for (const [legend, d] of [
    ['First day of the period', from],
    ['Last day of the period', today],
  ] as const) {
    const group = page.getByRole('group', { name: legend });
    await group.getByLabel('Day').fill(String(d.getUTCDate()));
    await group.getByLabel('Month').fill(String(d.getUTCMonth() + 1));
    await group.getByLabel('Year').fill(String(d.getUTCFullYear()));
  }
  await page.getByRole('button', { name: 'Open the audit' }).click();
  await page.waitForURL(/\/audits\/\d+$/);
  assert.match(await page.locator('h1').innerText(), /Audit of HMP Northgate/);
  const registers = page.locator('#indicator-registers_on_time');
  const [, , of] = /(\d+) of (\d+)/.exec(await registers.locator('p').first().innerText())!;
  assert.ok(Number(of) > 0, 'the demo group held sessions in the last four weeks');
  await registers.locator('summary').click();
  assert.equal(await registers.locator('li').count(), Number(of), 'the records behind the figure are listed');
  assert.deepEqual(await accessibilityViolations(page), []);
});
