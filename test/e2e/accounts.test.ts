// Accounts in the browser: an administrator makes and revokes an API token and disables a user on the user's
// page; a user changes his password, which signs him out of his other sessions. Every page checked with axe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { accessibilityViolations, serverAndBrowserForThisFile, signIn } from './browser.js';

const running = serverAndBrowserForThisFile();

async function signedInPage(username: string): Promise<Page> {
  const page = await (await running.browser.newContext()).newPage();
  await signIn(page, running.server.url, username);
  await page.waitForURL(`${running.server.url}/`);
  return page;
}

async function assertAccessible(page: Page, where: string) {
  assert.deepEqual(await accessibilityViolations(page), [], where);
}

test('an administrator makes an API token on a user’s page, sees it once, revokes it, and disables the account', async () => {
  const page = await signedInPage('admin');
  await page.goto(`${running.server.url}/admin/users`);
  await page.getByRole('link', { name: 'assessor', exact: true }).click();
  await page.getByRole('button', { name: 'Create API token' }).click();
  await page.getByRole('link', { name: 'Enter a label saying what the token is for' }).waitFor();
  await assertAccessible(page, 'token label missing');
  await page.getByLabel('Label for a new token').fill('Weekly returns');
  await page.getByRole('button', { name: 'Create API token' }).click();
  const token = (await page.locator('#new-api-token').innerText()).trim();
  assert.match(token, /^\S{40,}$/);
  await assertAccessible(page, 'token shown once');
  const me = await fetch(`${running.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await me.json()).username, 'assessor');

  await page.reload();
  assert.equal(await page.locator('#new-api-token').count(), 0, 'shown only once');
  await page.getByRole('button', { name: 'Revoke token Weekly returns' }).click();
  await page.getByText(/^Revoked /).waitFor();
  assert.equal((await fetch(`${running.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 401);

  await page.getByRole('button', { name: 'Disable account' }).click();
  await page.getByRole('button', { name: 'Enable account' }).waitFor();
  await assertAccessible(page, 'disabled user');
});

test('changing your password signs you out of your other sessions; a wrong current password is named', async () => {
  const elsewhere = await signedInPage('auditor');
  const page = await signedInPage('auditor');
  await page.goto(`${running.server.url}/account`);
  await assertAccessible(page, '/account');
  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByLabel('New password', { exact: true }).fill('a long and unusual passphrase 42');
  await page.getByLabel('New password again').fill('a long and unusual passphrase 42');
  await page.getByRole('button', { name: 'Change password' }).click();
  assert.equal(await page.locator('.govuk-error-summary').count(), 1, 'one error summary');
  await assertAccessible(page, '/account (error)');
  await page.getByLabel('Current password').fill('demo-password-for-tests');
  await page.getByLabel('New password', { exact: true }).fill('a long and unusual passphrase 42');
  await page.getByLabel('New password again').fill('a long and unusual passphrase 42');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText(/Your password has been changed\. 1 other session was signed out\./).waitFor();
  await elsewhere.goto(`${running.server.url}/`);
  await elsewhere.waitForURL(/\/sign-in/);
});
