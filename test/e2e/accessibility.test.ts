// Signs in as every demo user, opens every page reachable from their home page and checks each
// with axe (WCAG 2.2 AA). Pages are grouped by route pattern so 60 men's pages are not 60 visits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoUsers } from '../../src/services/demo.js';
import { accessibilityViolations, crawl, serverAndBrowserForThisFile, signIn } from './browser.js';

const running = serverAndBrowserForThisFile();

test('the public catalogue and sign-in page have no accessibility violations', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const visited = await crawl(page, running.server.url, '/programmes', async (path) => {
    assert.deepEqual(await accessibilityViolations(page), [], path);
  });
  assert.ok(visited.has('/programmes/core-sotp'));
  await page.goto(`${running.server.url}/sign-in`);
  assert.deepEqual(await accessibilityViolations(page), [], '/sign-in');
  await context.close();
});

test('a wrong password shows a GOV.UK error summary that is itself accessible', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await signIn(page, running.server.url, 'manager', 'wrong-password-here');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter a correct user name and password/);
  assert.deepEqual(await accessibilityViolations(page), []);
  await context.close();
});

// One user of each role: a second user of a role sees the same pages at another site (manager2's own test
// below checks what differs), and crawling both doubled the time CI spends here.
const onePerRole = demoUsers.filter((user, i) => demoUsers.findIndex((u) => u.role === user.role) === i);
for (const user of onePerRole) {
  test(`${user.username} can sign in and every page they can reach is axe clean (WCAG 2.2 AA)`, async () => {
    const context = await running.browser.newContext();
    const page = await context.newPage();
    await signIn(page, running.server.url, user.username);
    await page.waitForURL(`${running.server.url}/`);
    assert.match(await page.locator('.sotp-account-bar').innerText(), new RegExp(`Signed in as ${user.username}`));
    const problems: string[] = [];
    const visited = await crawl(page, running.server.url, '/', async (path) => {
      for (const violation of await accessibilityViolations(page)) problems.push(`${path}: ${violation}`);
    });
    assert.ok(visited.size >= 2, `${user.username} reached ${[...visited].join(', ')}`);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('manager2 (Southmoor) sees only Southmoor in their header and cannot open administrator pages', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  await signIn(page, running.server.url, 'manager2');
  await page.waitForURL(`${running.server.url}/`);
  const bar = await page.locator('.sotp-account-bar').innerText();
  assert.match(bar, /HMP Southmoor/);
  assert.doesNotMatch(bar, /Northgate/);
  const response = await page.goto(`${running.server.url}/admin/users`);
  assert.equal(response?.status(), 403);
  assert.deepEqual(await accessibilityViolations(page), []);
  await context.close();
});
