// Follows a cohort upload to its import page and reads it again, as a person pressing "Refresh" would,
// until the import has finished (the page no longer offers Refresh). Bounded: never waits forever.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import type { TestClient } from './web.js';

export const isRunning = (page: LightMyRequestResponse) => />\s*Refresh\s*</.test(page.body);

export async function importFinished(client: TestClient, upload: LightMyRequestResponse): Promise<LightMyRequestResponse> {
  const location = String(upload.headers.location);
  if (upload.statusCode !== 303 || !location.startsWith('/evaluations/import-progress/'))
    throw new Error(`not an upload that started an import: ${upload.statusCode} ${location}`);
  for (let attempt = 0; attempt < 3000; attempt++) {
    const page = await client.get(location);
    if (page.statusCode !== 200 || !isRunning(page)) return page;
    await sleep(20);
  }
  throw new Error(`the import at ${location} did not finish`);
}
