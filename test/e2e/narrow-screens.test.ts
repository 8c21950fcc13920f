// On a phone-sized screen (375 CSS pixels, an iPhone SE or mini) no page is wider than the screen: wide
// tables scroll inside their own region instead of making the whole page scroll sideways.
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { demoUsers } from '../../src/services/demo.js';
import { crawl, serverAndBrowserForThisFile, signIn } from './browser.js';

const running = serverAndBrowserForThisFile();
const phone = { width: 375, height: 667 };

async function tooWidePages(page: Page, start: string) {
  const tooWide: string[] = [];
  const visited = await crawl(page, running.server.url, start, async (path) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > phone.width) tooWide.push(`${path} is ${width} px wide`);
  });
  return { visited, tooWide };
}

test('at 375 px wide no public page (catalogue, sign-in) is wider than the screen', async () => {
  const context = await running.browser.newContext({ viewport: phone });
  const page = await context.newPage();
  const { visited, tooWide } = await tooWidePages(page, '/programmes');
  assert.ok(visited.has('/programmes/core-sotp'));
  await page.goto(`${running.server.url}/sign-in`);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= phone.width, '/sign-in');
  assert.deepEqual(tooWide, []);
  await context.close();
});

for (const user of demoUsers) {
  test(`at 375 px wide no page ${user.username} can reach is wider than the screen`, async () => {
    const context = await running.browser.newContext({ viewport: phone });
    const page = await context.newPage();
    await signIn(page, running.server.url, user.username);
    await page.waitForURL(`${running.server.url}/`);
    const { visited, tooWide } = await tooWidePages(page, '/');
    assert.ok(visited.size >= 2, `${user.username} reached ${[...visited].join(', ')}`);
    assert.deepEqual(tooWide, []);
    await context.close();
  });
}
