// Benchmark for recording uploads: a 1 GiB file sent through tus (raw tus requests in 64 MiB PATCHes) to the real
// server (buildApp on PGlite in a temporary folder, port 0, loopback) against the same bytes written to disk with
// fs.createWriteStream, in one run. Prints both throughputs, their ratio and the server process's RSS (sampled
// every 50 ms: before the upload and its peak during it). Aim: at least 50% of raw disk speed, peak RSS under 200 MB.
// The file is random bytes, not a video: the upload's finishing checks (SHA-256 of the stored file, then reading it
// as a video) run and refuse it; their time is reported on its own line and left out of the transfer's throughput.
// BENCH_UPLOAD_MIB changes the size.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { and, eq } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { groupSessions, sessionFacilitators, users } from '../src/db/schema.js';
import { loadProgrammeDefinitions } from '../src/programme-files.js';
import { packageVersion } from '../src/runtime.js';
import { systemActor } from '../src/services/access.js';
import { createApiToken } from '../src/services/authentication.js';
import { seedDemo } from '../src/services/demo.js';
import { recordProgrammeVersions } from '../src/services/programmes.js';
import { buildApp } from '../src/web/app.js';
import { markdownTable, reportResults } from './results.js';

const mib = Number(process.env.BENCH_UPLOAD_MIB ?? 1024);
const bytes = mib * 2 ** 20;
const chunk = 64 * 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'sotp-bench-upload-'));
const source = join(dir, 'source.bin');

// The source file: 8 MiB of random bytes repeated (random enough that nothing on the way can compress it).
{
  const block = randomBytes(8 * 2 ** 20);
  const out = createWriteStream(source);
  for (let written = 0; written < bytes; written += block.length) {
    if (!out.write(block.subarray(0, Math.min(block.length, bytes - written)))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

const password = 'upload-bench-password';
const database = await openDatabase({ dataDir: join(dir, 'data') });
await migrate(database);
await recordProgrammeVersions(database.db, loadProgrammeDefinitions());
await seedDemo(database.db, { password, production: false });
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  SOTP_DEMO_PASSWORD: password,
  FILE_STORE_DIR: join(dir, 'files'),
  RECORDING_MAX_BYTES: String(bytes + 1),
});
const { app } = await buildApp({ database, config, programmes: loadProgrammeDefinitions(), version: packageVersion });
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;
const [facilitator] = await database.db.select({ id: users.id }).from(users).where(eq(users.username, 'facilitator'));
const token = await createApiToken(database.db, systemActor, facilitator.id, 'upload bench');
const [session] = await database.db
  .select({ id: groupSessions.id })
  .from(groupSessions)
  .innerJoin(sessionFacilitators, and(eq(sessionFacilitators.sessionId, groupSessions.id), eq(sessionFacilitators.userId, facilitator.id)))
  .limit(1);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (n: number) => (n / 1e6).toFixed(0);

// Raw disk: the same bytes, read from the same file, written with fs.createWriteStream.
const rawStarted = performance.now();
await pipeline(createReadStream(source), createWriteStream(join(dir, 'raw.bin')));
const rawSeconds = (performance.now() - rawStarted) / 1000;
rmSync(join(dir, 'raw.bin'));

interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When the last byte of the request had been handed to the socket. */
  sentAt: number;
}

function send(method: string, path: string, headers: Record<string, string>, body?: { start: number; end: number }): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...headers } });
    let sentAt = 0;
    req.on('finish', () => (sentAt = performance.now()));
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, sentAt }));
    });
    if (body) createReadStream(source, body).pipe(req);
    else req.end();
  });
}

await new Promise((resolve) => setTimeout(resolve, 200));
const rssBefore = process.memoryUsage().rss;
peakRss = rssBefore;
const uploadStarted = performance.now();
const created = await send('POST', '/api/v1/uploads', {
  'upload-length': String(bytes),
  'upload-metadata': `sessionId ${Buffer.from(String(session.id)).toString('base64')}`,
});
if (created.status !== 201) throw new Error(`creation answered ${created.status}: ${created.body}`);
const location = String(created.headers.location);
let last: Sent | undefined;
for (let offset = 0; offset < bytes; offset += chunk) {
  const end = Math.min(bytes, offset + chunk) - 1;
  last = await send(
    'PATCH',
    location,
    { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': String(end - offset + 1) },
    { start: offset, end },
  );
  if (end + 1 < bytes && last.status !== 204) throw new Error(`PATCH at ${offset} answered ${last.status}: ${last.body}`);
}
const answered = performance.now();
clearInterval(sampler);
// The transfer ends when the server has the last byte: what follows is the finishing checks.
const transferSeconds = (last!.sentAt - uploadStarted) / 1000;
const finishSeconds = (answered - last!.sentAt) / 1000;
const ratio = rawSeconds / transferSeconds;

await app.close();
await database.close();
rmSync(dir, { recursive: true, force: true });

const refusal =
  last!.status === 204 ? 'accepted' : `${last!.status} ${(JSON.parse(last!.body) as { error: { field?: string; message: string } }).error.field ?? ''}`;
reportResults(
  `bench:upload — ${mib} MiB through tus on loopback vs fs.createWriteStream`,
  markdownTable(
    ['measure', 'value', 'aim'],
    [
      ['raw disk write (createWriteStream)', `${rawSeconds.toFixed(2)} s, ${mb(bytes / rawSeconds)} MB/s`, ''],
      ['tus transfer (POST + 64 MiB PATCHes, to the last byte stored)', `${transferSeconds.toFixed(2)} s, ${mb(bytes / transferSeconds)} MB/s`, ''],
      ['throughput ratio tus / raw', `${(ratio * 100).toFixed(0)}%`, '≥ 50%'],
      ['server RSS before the upload', `${mb(rssBefore)} MB`, ''],
      ['server peak RSS during the upload', `${mb(peakRss)} MB (+${mb(peakRss - rssBefore)} MB)`, '< 200 MB'],
      [
        'finishing checks on the stored file (SHA-256, read as a video)',
        `${finishSeconds.toFixed(2)} s, answer: ${refusal}`,
        'random bytes: refused as not a video',
      ],
    ],
  ),
);
