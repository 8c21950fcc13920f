// An administrator's programme definitions in a real browser: a broken file is refused naming the field, a new
// version is uploaded and compared with the one before it. Every page on the way is checked with axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { accessibilityViolations, serverAndBrowserForThisFile, signIn } from './browser.js';

const running = serverAndBrowserForThisFile();

test('an administrator uploads a new programme version and compares it with the one before, every page axe clean', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'sotp-e2e-programme-'));
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  const axe = async (label: string) => {
    for (const v of await accessibilityViolations(page)) problems.push(`${label}: ${v}`);
  };
  try {
    const def = JSON.parse(readFileSync(projectPath('programmes', 'core-sotp.v1.json'), 'utf8'));
    def.version = 2;
    def.effectiveFrom = '2026-06-01';
    def.maxSessionsPerDay = 2;
    def.blocks[0].sessions = 5;
    def.blocks[1].sessions = 6;
    const file = join(folder, 'core-sotp.v2.json');

    await signIn(page, running.server.url, 'admin');
    await page.waitForURL(`${running.server.url}/`);
    await page.getByRole('link', { name: 'Programme definitions' }).click();
    await page.waitForURL(/\/admin\/programmes$/);
    await axe('/admin/programmes');
    await page.getByRole('button', { name: 'Upload a new version' }).click();
    await axe('/admin/programmes/new');

    writeFileSync(file, JSON.stringify({ ...def, groupCapacity: 'nine' }));
    await page.setInputFiles('input[type=file]', file);
    await page.getByRole('button', { name: 'Upload version' }).click();
    await page.waitForSelector('.govuk-error-summary');
    assert.match(await page.locator('.govuk-error-summary').innerText(), /groupCapacity/);
    await axe('/admin/programmes (errors)');

    writeFileSync(file, JSON.stringify(def, null, 2));
    await page.setInputFiles('input[type=file]', file);
    await page.getByRole('button', { name: 'Upload version' }).click();
    await page.waitForURL(/\/admin\/programmes\/core-sotp$/);
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /Version 2 was uploaded/);
    await axe('/admin/programmes/core-sotp');

    await page.getByLabel('Earlier version').selectOption('1');
    await page.getByLabel('Later version').selectOption('2');
    await page.getByRole('button', { name: 'Compare versions' }).click();
    await page.waitForURL(/\/compare\?was=1&now=2$/);
    const settings = page.locator('table', { has: page.locator('code', { hasText: 'maxSessionsPerDay' }) }).locator('tr', { hasText: 'Most sessions a day' });
    assert.deepEqual(await settings.locator('td').allInnerTexts(), ['1', '2']);
    assert.match(await page.locator('main').innerText(), /Session 6\s+Block 1\s+Block 2/);
    await axe('/admin/programmes/core-sotp/compare');

    await page.goto(`${running.server.url}/admin/programmes/core-sotp/compare?was=2&now=2`);
    assert.match(await page.locator('.govuk-error-summary').innerText(), /Choose two different versions/);
    await axe('/admin/programmes/core-sotp/compare (errors)');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
