// A facilitator uploads a session's recording through the page in pieces, the connection drops after the server
// has taken a piece and the page carries on from the offset the server reports; then the recording plays and
// seeks (Range requests answered 206). Every page on the way is checked with axe.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { accessibilityViolations, serverAndBrowserForThisFile, signIn } from './browser.js';

// The server this file starts uploads in pieces of 4 KB, so a 13 KB video takes four, and keeps files in a
// folder of this test's own.
process.env.RECORDING_UPLOAD_CHUNK_BYTES = '4096';
process.env.FILE_STORE_DIR = mkdtempSync(join(tmpdir(), 'sotp-e2e-files-'));
const running = serverAndBrowserForThisFile();
after(() => rmSync(process.env.FILE_STORE_DIR!, { recursive: true, force: true }));

test('a facilitator uploads a recording in pieces, interrupted and resumed, then plays it and seeks, every page axe clean', async () => {
  const context = await running.browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  const axe = async (label: string) => {
    for (const v of await accessibilityViolations(page)) problems.push(`${label}: ${v}`);
  };
  const base = running.server.url;
  try {
    await signIn(page, base, 'facilitator');
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/groups`);
    await page.locator('main table a.govuk-link[href^="/groups/"]').first().click();
    await page.waitForURL(/\/groups\/\d+$/);
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
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, []);
});
