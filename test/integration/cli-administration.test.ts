import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliDatabaseEnv } from '../support/database.js';
import { runCli } from '../support/run-cli.js';

let env: Record<string, string>;
let cleanup: () => Promise<void>;
before(async () => {
  ({ env, cleanup } = await cliDatabaseEnv({ demo: true }));
});
after(() => cleanup());

test('sotp user add creates a user and prints a one-time password', async () => {
  const run = await runCli(['user', 'add', '--username', 'newassessor', '--name', 'New Assessor', '--role', 'assessor', '--site', 'ngt'], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /created user newassessor \(assessor\)\ntemporary password: \S{12,}\n/);
});

test('sotp user add with an unknown role exits 2 naming the field', async () => {
  const run = await runCli(['user', 'add', '--username', 'x1', '--name', 'X', '--role', 'warden'], { env });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /role/);
  assert.equal(run.stdout, '');
});

test('sotp user add with an unknown site code exits 2 naming --site', async () => {
  const run = await runCli(['user', 'add', '--username', 'x2', '--name', 'X', '--role', 'facilitator', '--site', 'ZZZ'], { env });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--site: no site with code ZZZ/);
});

test('sotp token create prints a bearer token once; an unknown user exits 2', async () => {
  const ok = await runCli(['token', 'create', '--user', 'manager'], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^sotp_[A-Za-z0-9_-]{40,}\n$/);
  const missing = await runCli(['token', 'create', '--user', 'nobody'], { env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nobody not found/);
});

test('sotp user disable stops the user signing in', async () => {
  const run = await runCli(['user', 'disable', '--username', 'facilitator2'], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'disabled user facilitator2\n');
});

test('sotp db seed without --demo is bad input; with --demo it is idempotent', async () => {
  assert.equal((await runCli(['db', 'seed'], { env })).code, 2);
  // The test database was seeded without a file store, so the first run adds only the demo recordings.
  const first = await runCli(['db', 'seed', '--demo'], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'created: 4 session recordings\n');
  const again = await runCli(['db', 'seed', '--demo'], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, 'demo data already present\n');
});

test('demo data is refused when NODE_ENV=production', async () => {
  const run = await runCli(['db', 'seed', '--demo'], {
    env: { ...env, NODE_ENV: 'production', SESSION_SECRET: 'p'.repeat(40), PSEUDONYM_KEY: 'k'.repeat(40) },
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /refused when NODE_ENV=production/);
});

test('an unknown command or option exits 2', async () => {
  assert.equal((await runCli(['frobnicate'], { env })).code, 2);
  assert.equal((await runCli(['audit', 'verify', '--bogus'], { env })).code, 2);
});

test('sotp --help exits 0 and lists the commands', async () => {
  const run = await runCli(['--help'], { env });
  assert.equal(run.code, 0);
  for (const command of ['serve', 'db', 'user', 'token', 'audit']) assert.match(run.stdout, new RegExp(`\\n  ${command}`));
});
