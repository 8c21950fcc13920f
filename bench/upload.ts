// Benchmark for recording uploads: a 1 GiB video sent through tus (raw tus requests in pieces of the size the
// upload page's tus-js-client sends, RECORDING_UPLOAD_CHUNK_BYTES, from a client process of its own) to the real server (buildApp on PGlite in a
// temporary folder, port 0, loopback) against the same bytes written to disk with fs.createWriteStream, in one run.
// The upload is timed from its first request to the answer of its last: the recording recorded, its checksum
// verified against the SHA-256 the client declared and its duration read from the file. Prints both throughputs,
// their ratio, where the upload's time went (the transfer, then the finishing checks) and the process's RSS
// (sampled every 50 ms: before the upload and its peak during it). Aim: at least 50% of raw disk speed, peak RSS
// under 200 MB. The video is the test clip (MP4) followed by a `free` box of random bytes up to the size: valid,
// and incompressible. BENCH_UPLOAD_MIB changes the size (at most 4095).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { and, eq, lte } from 'drizzle-orm';
import { londonToday } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { groupSessions, recordings, sessionFacilitators, users } from '../src/db/schema.js';
import { projectPath } from '../src/paths.js';
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
const dir = mkdtempSync(join(tmpdir(), 'sotp-bench-upload-'));
const source = join(dir, 'source.bin');

// The source file: the test clip, then a `free` box (which players and parsers skip) holding 8 MiB of random
// bytes repeated, random enough that nothing on the way can compress it.
let declaredSha256: string;
{
  const clip = readFileSync(projectPath('test', 'fixtures', 'media', 'clip.mp4'));
  const freeBox = Buffer.alloc(8);
  freeBox.writeUInt32BE(bytes - clip.length, 0);
  freeBox.write('free', 4, 'latin1');
  const hash = createHash('sha256');
  const block = randomBytes(8 * 2 ** 20);
  const out = createWriteStream(source);
  const write = async (piece: Buffer) => {
    hash.update(piece);
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  await write(clip);
  await write(freeBox);
  for (let written = clip.length + freeBox.length; written < bytes; written += block.length)
    await write(block.subarray(0, Math.min(block.length, bytes - written)));
  await new Promise<void>((resolve) => out.end(() => resolve()));
  declaredSha256 = hash.digest('hex');
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
const chunk = config.recordings.chunkBytes;
const { app } = await buildApp({ database, config, programmes: loadProgrammeDefinitions(), version: packageVersion });
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;
const [facilitator] = await database.db.select({ id: users.id }).from(users).where(eq(users.username, 'facilitator'));
const token = await createApiToken(database.db, systemActor, facilitator.id, 'upload bench');
const [session] = await database.db
  .select({ id: groupSessions.id })
  .from(groupSessions)
  .innerJoin(sessionFacilitators, and(eq(sessionFacilitators.sessionId, groupSessions.id), eq(sessionFacilitators.userId, facilitator.id)))
  .where(lte(groupSessions.sessionDate, londonToday())) // a recording is of a session that has happened
  .limit(1);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (n: number) => (n / 1e6).toFixed(0);

// Raw disk: the same bytes, read from the same file, written with fs.createWriteStream.
const rawStarted = performance.now();
await pipeline(createReadStream(source), createWriteStream(join(dir, 'raw.bin')));
const rawSeconds = (performance.now() - rawStarted) / 1000;
rmSync(join(dir, 'raw.bin'));

await new Promise((resolve) => setTimeout(resolve, 200));
const rssBefore = process.memoryUsage().rss;
peakRss = rssBefore;
// The client runs in a process of its own (bench/upload-client.mjs), as a facilitator's browser would: its
// reading and sending would otherwise share, and be counted against, the server's thread.
const client = spawn(
  process.execPath,
  [projectPath('bench', 'upload-client.mjs'), JSON.stringify({ port, token, source, bytes, chunk, sessionId: session.id, sha256: declaredSha256 })],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let output = '';
client.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
const [code] = (await once(client, 'close')) as [number];
clearInterval(sampler);
if (code !== 0) throw new Error(`the upload client failed (exit ${code})`);
const { uploadSeconds, transferSeconds, finishSeconds, recordingId } = JSON.parse(output) as Record<string, number>;
const [recorded] = await database.db
  .select({ bytes: recordings.bytes, sha256: recordings.sha256, durationMs: recordings.durationMs })
  .from(recordings)
  .where(eq(recordings.id, recordingId));
if (recorded?.bytes !== bytes || recorded.sha256 !== declaredSha256)
  throw new Error(`the recording recorded is not the file sent: ${JSON.stringify(recorded)}`);
const ratio = rawSeconds / uploadSeconds;

await app.close();
await database.close();
rmSync(dir, { recursive: true, force: true });

const pieces = Math.ceil(bytes / chunk);
reportResults(
  `bench:upload — ${mib} MiB through tus on loopback vs fs.createWriteStream`,
  markdownTable(
    ['measure', 'value', 'aim'],
    [
      ['raw disk write (createWriteStream)', `${rawSeconds.toFixed(2)} s, ${mb(bytes / rawSeconds)} MB/s`, ''],
      [
        `tus upload (POST + ${pieces} PATCHes of ${mb(chunk)} MB, to the recording recorded and verified)`,
        `${uploadSeconds.toFixed(2)} s, ${mb(bytes / uploadSeconds)} MB/s`,
        '',
      ],
      ['throughput ratio tus / raw', `${(ratio * 100).toFixed(0)}%`, '≥ 50%'],
      ['of which: transfer, to the last byte sent', `${transferSeconds.toFixed(2)} s`, ''],
      ['of which: last PATCH answered (finishing checks: SHA-256, duration, move, record)', `${finishSeconds.toFixed(2)} s`, ''],
      ['server RSS before the upload', `${mb(rssBefore)} MB`, ''],
      ['server peak RSS during the upload', `${mb(peakRss)} MB (+${mb(peakRss - rssBefore)} MB)`, '< 200 MB'],
    ],
  ),
);
