// The delivery issue's journey in a real browser, through the demo group's first session: the facilitator records
// its register with one man a little late and one absent; the absence (and only it) makes a catch-up required; the
// treatment manager books it and marks it delivered; the facilitator uploads the session's recording in pieces, the
// connection drops after the server has taken a piece and the page carries on from the offset the server reports;
// the recording plays and seeks (Range requests answered 206); and the absent man's end-of-treatment report shows
// the caught-up session and prints. Every page on the way is checked with axe.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { projectPath } from '../../src/paths.js';
import { accessibilityViolations, assertPrintsWithoutServiceChrome, fillDate, serverAndBrowserForThisFile, signIn } from './browser.js';

// The server this file starts uploads in pieces of 4 KB, so a 13 KB video takes four, and keeps files in a
// folder of this test's own.
process.env.RECORDING_UPLOAD_CHUNK_BYTES = '4096';
process.env.FILE_STORE_DIR = mkdtempSync(join(tmpdir(), 'sotp-e2e-files-'));
const running = serverAndBrowserForThisFile();
after(() => rmSync(process.env.FILE_STORE_DIR!, { recursive: true, force: true }));

/** A man's row in the group page's progress table: attended, missed, caught up, outstanding catch-ups. */
async function progressOf(page: Page, man: string): Promise<{ missed: number; caughtUp: number; outstanding: number }> {
  const cells = await page
    .locator('#progress ~ table tbody tr', { has: page.getByRole('rowheader', { name: man }) })
    .first()
    .locator('td')
    .allInnerTexts();
  const [, missed, caughtUp, outstanding] = cells.map((c) => Number(c.trim()));
  return { missed, caughtUp, outstanding };
}

test('a facilitator records a register with a late and an absent man, the absence is caught up, the recording is uploaded in interrupted pieces and played with a seek, and his report prints — every page axe clean', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  const axe = async (label: string) => {
    for (const v of await accessibilityViolations(page)) problems.push(`${label}: ${v}`);
  };
  const base = running.server.url;
  try {
    // The register of session 1, which the demo's treatment manager recorded: the facilitator corrects it.
    await signIn(page, base, 'facilitator');
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/groups`);
    await page.locator('main table a.govuk-link[href^="/groups/"]').first().click();
    await page.waitForURL(/\/groups\/\d+$/);
    const groupUrl = page.url();
    const men = (await page.locator('#progress ~ table tbody th[scope=row]').allInnerTexts()).map((m) => m.trim());
    const [lateMan, absentMan] = men;
    const before = { late: await progressOf(page, lateMan), absent: await progressOf(page, absentMan) };
    await page.getByRole('link', { name: 'Register of session 1', exact: true }).click();
    await page.waitForURL(/\/sessions\/\d+\/register$/);
    await axe('register');
    const lateField = page.getByRole('group', { name: new RegExp(`^${lateMan} \\(`) });
    await lateField.getByLabel('Late', { exact: true }).check();
    await page.getByLabel(`Minutes late (${lateMan})`).fill('10');
    await page
      .getByRole('group', { name: new RegExp(`^${absentMan} \\(`) })
      .getByLabel('Unexcused absence')
      .check();
    await page.getByRole('button', { name: /Save the (corrected )?register/ }).click();
    await page.waitForURL(/\/register(\?|$)/);
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /Register saved/);
    await axe('register saved, with its history');
    await page.goto(groupUrl);
    const afterRegister = { late: await progressOf(page, lateMan), absent: await progressOf(page, absentMan) };
    assert.deepEqual(afterRegister.late, before.late, '10 minutes late is within what the programme allows: nothing to catch up');
    assert.equal(afterRegister.absent.missed, before.absent.missed + 1);
    assert.equal(afterRegister.absent.outstanding, before.absent.outstanding + 1, 'the absence makes a catch-up required');

    // The treatment manager books his catch-up that afternoon, and marks it delivered.
    await context.clearCookies();
    await signIn(page, base, 'manager');
    await page.waitForURL(`${base}/`);
    await page.goto(groupUrl);
    await page.getByRole('button', { name: 'Book a catch-up session' }).click();
    const manField = page.getByLabel('Man who missed a session');
    await manField.selectOption({ label: (await manField.locator('option').allInnerTexts()).find((o) => o.startsWith(`${absentMan} (`))! });
    const missed = page.getByLabel('Session he missed');
    const sessionOne = (await missed.locator('option').allInnerTexts()).find((o) => o.startsWith('Session 1 '))!;
    await missed.selectOption({ label: sessionOne });
    const missedOn = new Date(`${sessionOne.replace(/^.*, /, '')} 12:00 UTC`).toISOString().slice(0, 10);
    await fillDate(page, 'Date of the catch-up', missedOn);
    await page.getByLabel('Start time').selectOption('13:30');
    await page.getByLabel('Room', { exact: true }).selectOption({ index: 1 });
    await page.getByLabel('Facilitator').selectOption({ label: 'Kit Facilitator' }); // the team's cover, free that afternoon
    await axe('book a catch-up');
    await page.getByRole('button', { name: 'Book catch-up' }).click();
    await page.waitForLoadState();
    assert.equal(await page.locator('.govuk-error-summary').count(), 0, await page.locator('main').innerText());
    await page.waitForURL(/#catch-ups$/);
    await page.getByRole('button', { name: `Mark delivered (catch-up of session 1 for ${absentMan})` }).click();
    await page.waitForURL(/\/groups\/\d+/);
    const caughtUp = await progressOf(page, absentMan);
    assert.equal(caughtUp.caughtUp, before.absent.caughtUp + 1, 'the delivered catch-up counts as caught up');
    assert.equal(caughtUp.outstanding, before.absent.outstanding);
    await axe('group page after the catch-up');

    // The facilitator uploads session 1's recording.
    await context.clearCookies();
    await signIn(page, base, 'facilitator');
    await page.waitForURL(`${base}/`);
    await page.goto(groupUrl);
    await page.getByRole('link', { name: 'Recordings of session 1', exact: true }).click();
    await page.waitForURL(/\/sessions\/\d+\/recordings$/);
    assert.equal(await page.locator('#upload-needs-javascript').isHidden(), true, 'with JavaScript the upload form replaces the explanation');
    await axe('session recordings');

    // The second piece reaches the server, but its answer is lost on the way back: the page must ask the server
    // where the upload stands (HEAD) and carry on from there, not send that piece again.
    const sent: string[] = [];
    let dropped = false;
    await page.route('**/uploads/*', async (route) => {
      const request = route.request();
      sent.push(`${request.method()} ${request.headers()['upload-offset'] ?? ''}`.trim());
      if (request.method() === 'PATCH' && request.headers()['upload-offset'] === '4096' && !dropped) {
        dropped = true;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    // The video element asks for its bytes by range (206), from the first byte on.
    const partial: string[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/video') && response.status() === 206) partial.push(String(response.headers()['content-range']));
    });
    await page.setInputFiles('input[type=file]', projectPath('test', 'fixtures', 'media', 'clip.webm'));
    await page.getByRole('button', { name: 'Upload recording' }).click();
    await page.waitForURL(/\/recordings\/\d+$/);
    assert.ok(dropped, 'the connection was dropped once');
    const afterDrop = sent.slice(sent.indexOf('PATCH 4096') + 1);
    assert.equal(afterDrop[0], 'HEAD', `after the drop the page asks for the offset: ${sent.join(', ')}`);
    assert.deepEqual(afterDrop.slice(1), ['PATCH 8192', 'PATCH 12288'], 'and carries on from the server’s offset');

    assert.match(await page.locator('main').innerText(), /Recording of session 1/);
    assert.match(await page.locator('.govuk-summary-list').innerText(), /6 s/);
    await axe('recording');

    // Play it, then seek near the end.
    const video = page.locator('video');
    await video.evaluate((v: HTMLVideoElement) =>
      v.readyState >= 1 ? null : new Promise((resolve) => v.addEventListener('loadedmetadata', resolve, { once: true })),
    );
    assert.equal(Math.round(await video.evaluate((v: HTMLVideoElement) => v.duration)), 6);
    const position = await video.evaluate(
      (v: HTMLVideoElement) =>
        new Promise<number>((resolve) => {
          v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
          v.currentTime = 4.5;
        }),
    );
    assert.ok(Math.abs(position - 4.5) < 0.5, `seeked to ${position}`);
    assert.ok(
      partial.some((range) => range.startsWith('bytes 0-')),
      `the video was fetched with Range requests: ${partial.join(', ')}`,
    );
    await axe('recording after seeking');

    // His end-of-treatment report shows the session he missed and caught up, and prints.
    await page.goto(groupUrl);
    await page
      .getByRole('link', { name: `End-of-treatment report (${absentMan})` })
      .first()
      .click();
    await page.waitForURL(/\/group-members\/\d+\/report$/);
    assert.match(await page.locator('.sotp-report').innerText(), /Session 1[\s\S]*Delivered/i);
    await axe('end-of-treatment report');
    await assertPrintsWithoutServiceChrome(page);
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, []);
});
