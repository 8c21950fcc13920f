// Benchmark for a large cohort import: a ~50 MB synthetic cohort file uploaded to the real server (buildApp on
// PGlite in a temporary folder, port 0) while /health is asked every 50 ms from a worker thread, so the
// latencies measured are the server's, not the poller's. Prints file size, rows, import duration, /health
// max and p95 during the import and for 10 s before it (the machine's noise), and the process's RSS. Aim: /health max under 200 ms. BENCH_ROWS changes the size.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { synthCohort, synthCsv } from '../src/domain/evaluation/synth.js';
import { loadProgrammeDefinitions } from '../src/programme-files.js';
import { packageVersion } from '../src/runtime.js';
import { seedDemo } from '../src/services/demo.js';
import { recordProgrammeVersions } from '../src/services/programmes.js';
import { buildApp } from '../src/web/app.js';
import { markdownTable, reportResults } from './results.js';

const run = promisify(execFile);
const rows = Number(process.env.BENCH_ROWS ?? 920_000);
const password = 'import-bench-password';

// `--write FILE`: this script run as a child only to write the cohort file, so making it costs the server's
// process no memory.
const writeTo = process.argv.indexOf('--write');
if (writeTo > 0) {
  writeFileSync(process.argv[writeTo + 1], synthCsv(synthCohort({ preset: 'mews2017', seed: 1, rows })));
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'sotp-bench-import-'));
const csv = join(dir, 'cohort.csv');
execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--write', csv], { stdio: 'inherit' });
const bytes = statSync(csv).size;

const database = await openDatabase({ dataDir: join(dir, 'data') });
await migrate(database);
await recordProgrammeVersions(database.db, loadProgrammeDefinitions());
await seedDemo(database.db, { password, production: false });
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SOTP_DEMO_PASSWORD: password });
const { app } = await buildApp({ database, config, programmes: loadProgrammeDefinitions(), version: packageVersion });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

// A browser without JavaScript: cookies kept by hand, CSRF tokens read from the forms.
const cookies = new Map<string, string>();
async function request(path: string, init: RequestInit = {}): Promise<{ status: number; location: string; body: string }> {
  const response = await fetch(`${base}${path}`, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers ?? {}), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    cookies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return { status: response.status, location: response.headers.get('location') ?? '', body: await response.text() };
}
const tokenOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
const signInPage = await request('/sign-in');
await request('/sign-in', {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ _csrf: tokenOf(signInPage.body), username: 'researcher', password }).toString(),
});
const form = await request('/evaluations/imports/new');

/** Asks /health every 50 ms from a worker thread until told to stop; answers with the latencies seen. */
function pollHealth(): { stop: () => Promise<number[]> } {
  const poller = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const latencies = [];
     let stop = false;
     parentPort.on('message', () => { stop = true; });
     (async () => {
       while (!stop) {
         const started = performance.now();
         await fetch(workerData + '/health').then((r) => r.text());
         latencies.push(performance.now() - started);
         await new Promise((r) => setTimeout(r, 50));
       }
       parentPort.postMessage(latencies);
     })();`,
    { eval: true, workerData: base },
  );
  return {
    async stop() {
      poller.postMessage('stop');
      const latencies = await new Promise<number[]>((resolve) => poller.once('message', resolve));
      await poller.terminate();
      return latencies.sort((a, b) => a - b);
    },
  };
}

// The same poll with nothing else running first: on a busy machine /health is slow anyway, and the baseline
// says how much of the latency during the import is the import's.
const idleRss = process.memoryUsage.rss();
const idle = pollHealth();
await sleep(10_000);
const baseline = await idle.stop();
const poller = pollHealth();

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const started = performance.now();
// The upload is sent by curl, another process: encoding 50 MB of form data here would stall this process's
// thread, which is also the server's, and be counted against the server.
const { stdout: curlOut } = await run('curl', [
  '-s',
  '-o',
  '/dev/null',
  '-w',
  '%{http_code}\n%header{location}',
  '-H',
  `cookie: ${[...cookies].map(([k, v]) => `${k}=${v}`).join('; ')}`,
  '-F',
  `_csrf=${tokenOf(form.body)}`,
  '-F',
  'kind=cohort',
  '-F',
  `file=@${csv};type=text/csv;filename=cohort.csv`,
  `${base}/evaluations/imports`,
]);
const [status, location] = curlOut.split('\n');
if (status !== '303') throw new Error(`upload answered ${status}`);
const answer = { location };
const uploaded = performance.now() - started;
let page = await request(answer.location);
while (/>\s*Refresh\s*</.test(page.body)) {
  await sleep(200);
  page = await request(answer.location);
}
const duration = performance.now() - started;
clearInterval(sampler);
const imported = /Imported (\d+) men/.exec(page.body)?.[1];
if (imported !== String(rows))
  throw new Error(`the import did not finish as expected: ${page.body.slice(page.body.indexOf('<main'), page.body.indexOf('<main') + 800)}`);
const latencies = await poller.stop();
await app.close();
await database.close();
rmSync(dir, { recursive: true, force: true });

const p95 = (sorted: number[]) => sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)].toFixed(1);
const mb = (n: number) => (n / 2 ** 20).toFixed(1);
reportResults(
  'Cohort import while serving (bench/import.ts)',
  `${markdownTable(
    [
      'file MB',
      'rows',
      'upload answered s',
      'import s',
      '/health requests',
      '/health p95 ms',
      '/health max ms',
      'idle /health p95 ms',
      'idle /health max ms',
      'idle RSS MB',
      'peak RSS MB',
    ],
    [
      [
        mb(bytes),
        rows.toLocaleString('en-GB'),
        (uploaded / 1000).toFixed(1),
        (duration / 1000).toFixed(1),
        latencies.length,
        p95(latencies),
        latencies.at(-1)!.toFixed(1),
        p95(baseline),
        baseline.at(-1)!.toFixed(1),
        mb(idleRss),
        mb(peakRss),
      ],
    ],
  )}\n\nPGlite (embedded) in a temporary folder; synthetic mews2017 cohort (seed 1) uploaded as a complete cohort by the researcher over HTTP; /health asked every 50 ms from a worker thread from the upload until the import page says it is done (upload, streamed parse and check, staged storage, commit). The file is uploaded by curl in a process of its own. Peak RSS is the server process's (sampled every 50 ms during the import); idle RSS is the same process's before the upload. The idle columns are the same /health poll for 10 s before the upload, with nothing else running in the server: the machine's own noise. Aim: /health max under 200 ms.`,
);
