// Browser-test support: the real `sotp serve` on a copy of the demo database, driven by Debian's
// Chromium through playwright-core, with axe checking every page against WCAG 2.2 AA.
import { join } from 'node:path';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { cliDatabaseEnv, demoPassword } from '../support/database.js';
import { spawnServer } from '../support/server.js';
import { londonToday } from '../../src/clock.js';
import { dayNumber, isBankHoliday, isoDate, isoWeekday, weekStart } from '../../src/domain/schedule/calendar.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
  /**
   * Stops the server, runs `change` on its database (as a test's set-up does: e.g. moving time on for one record),
   * and starts it again on the same data. The address changes, so pages must sign in again.
   */
  whileStopped(change: (db: Db, files: { fileStoreDir: string }) => Promise<void>): Promise<void>;
}

export async function startServer(): Promise<RunningServer> {
  const { env, cleanup } = await cliDatabaseEnv({ demo: true });
  let server = await spawnServer(env);
  const running: RunningServer = {
    url: server.url,
    async stop() {
      await server.stop();
      await cleanup();
    },
    async whileStopped(change) {
      await server.stop();
      const database = await openDatabase({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR });
      try {
        // Where the server keeps uploaded files, as its configuration reads it (src/config.ts).
        await change(database.db, { fileStoreDir: env.FILE_STORE_DIR ?? join(env.DATA_DIR, 'files') });
      } finally {
        await database.close();
      }
      server = await spawnServer(env);
      running.url = server.url;
    },
  };
  return running;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe's violations on the page as readable lines (empty when the page is clean). */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join('; ')}`,
  );
}

export async function signIn(page: Page, baseUrl: string, username: string, password = demoPassword): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Starts the server and Chromium before this file's tests and stops both after them. Anything else to
 * prepare goes in `ready`, run inside the same hook (Node 20 does not wait for one root hook before the next).
 */
export function serverAndBrowserForThisFile(ready?: (running: { server: RunningServer; browser: Browser }) => Promise<void>): {
  server: RunningServer;
  browser: Browser;
} {
  const running = {} as { server: RunningServer; browser: Browser };
  before(async () => {
    running.server = await startServer();
    running.browser = await launchBrowser();
    await ready?.(running);
  });
  after(async () => {
    await running.browser?.close();
    await running.server?.stop();
  });
  return running;
}

const skipped = [/^\/sign-out/, /^\/api\//, /\.ics$/, /\.csv(\?|$)/, /^\/assets\//, /\/download/];
const pattern = (path: string) => path.replace(/\/\d+(?=\/|$)/g, '/:id').replace(/\?.*$/, '');

/**
 * Follows same-site links breadth first; at most `perPattern` pages of each route pattern. One page a pattern
 * is the default: the pages of one pattern share a template, and every user's crawl reaches every pattern
 * they can, which keeps the browser suite within CI's time as pages are added.
 */
export async function crawl(page: Page, baseUrl: string, start: string, visit: (path: string) => Promise<void>, perPattern = 1, limit = 80) {
  const queue = [start];
  const seen = new Set<string>();
  const patterns = new Map<string, number>();
  while (queue.length && seen.size < limit) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    const key = pattern(path);
    if ((patterns.get(key) ?? 0) >= perPattern) continue;
    seen.add(path);
    patterns.set(key, (patterns.get(key) ?? 0) + 1);
    const response = await page.goto(`${baseUrl}${path}`);
    assert.ok(response && response.status() < 500, `${path} answered ${response?.status()}`);
    await visit(path);
    const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const href of links) {
      if (!href.startsWith('/') || href.startsWith('//') || href.includes('#')) continue;
      if (skipped.some((s) => s.test(href))) continue;
      if (!seen.has(href)) queue.push(href);
    }
  }
  return seen;
}

/** Types a YYYY-MM-DD day into the GOV.UK date input (day, month, year) whose legend is `legend`. */
export async function fillDate(page: Page, legend: string, date: string): Promise<void> {
  const [year, month, day] = date.split('-');
  const field = page.getByRole('group', { name: legend });
  await field.getByLabel('Day').fill(String(Number(day)));
  await field.getByLabel('Month').fill(String(Number(month)));
  await field.getByLabel('Year').fill(year);
}

/** The Monday about a year ahead: the demo groups have finished by then, so their teams and rooms are free. */
export function mondayAYearAhead(): string {
  return isoDate(weekStart(dayNumber(londonToday())) + 7 * 54);
}

/** Fills the create-group form at HMP Northgate: weekday afternoons in room 2, Frankie lead, Robin co, Kit cover. */
export async function fillNorthgateGroupForm(page: Page, name: string, start: string): Promise<void> {
  await page.getByLabel('Group name').fill(name);
  await page.getByLabel('Room').selectOption({ label: 'Programme room 2' });
  await page.getByLabel('Capacity').fill('9');
  await fillDate(page, 'Earliest start date', start);
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) await page.getByLabel(`${day} 13:30`).check();
  await page.getByLabel('Lead facilitator').selectOption({ label: 'Frankie Facilitator' });
  await page.getByLabel('Co-facilitator').selectOption({ label: 'Robin Facilitator' });
  await page.getByLabel('Cover facilitator (optional)').selectOption({ label: 'Kit Facilitator' });
}

/**
 * Fills the catch-up form from "Session he missed" on: his first missed session, half a year on (the group of 84
 * sessions, five a week, has finished, so the team and rooms are free) in the site's morning slot on a working
 * day, with Kit Facilitator; books it and waits for the group page's catch-up list.
 */
export async function bookCatchUpHalfAYearOn(page: Page): Promise<void> {
  const session = page.getByLabel('Session he missed');
  await session.selectOption({ index: 1 });
  const missedOn = new Date(`${(await session.locator('option').nth(1).innerText()).replace(/^.*, /, '')} 12:00 UTC`);
  let day = Math.floor(missedOn.getTime() / 86_400_000) + 182;
  while (isoWeekday(day) > 5 || isBankHoliday(day)) day++;
  await fillDate(page, 'Date of the catch-up', isoDate(day));
  await page.getByLabel('Start time').selectOption('09:00');
  await page.getByLabel('Room', { exact: true }).selectOption({ label: 'Programme room 1' });
  await page.getByLabel('Facilitator').selectOption({ label: 'Kit Facilitator' });
  await page.getByRole('button', { name: 'Book catch-up' }).click();
  await page.waitForURL(/#catch-ups$/);
}

/** Prints the page as Chromium would to PDF: the service's navigation and buttons are left off, the heading is kept. */
export async function assertPrintsWithoutServiceChrome(page: Page): Promise<void> {
  await page.emulateMedia({ media: 'print' });
  for (const chrome of ['.govuk-header', '.govuk-service-navigation', '.sotp-account-bar', '.govuk-footer', '.govuk-back-link', '.sotp-no-print'])
    assert.equal(await page.locator(chrome).first().isVisible(), false, `${chrome} is not printed`);
  assert.equal(await page.locator('h1').isVisible(), true);
  const pdf = await page.pdf({ format: 'A4' });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  await page.emulateMedia({ media: 'screen' });
}
