import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../src/config.js';

test('defaults: port 3000, ./data, 30-minute idle and 12-hour absolute sessions, 10 failures per 15 minutes', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.dataDir, './data');
  assert.deepEqual(config.session, { idleMinutes: 30, absoluteHours: 12 });
  assert.deepEqual(config.signIn, { maxFailures: 10, windowMinutes: 15 });
  assert.equal(config.demoPassword, 'demo-password-change-me');
  assert.equal(config.secureCookies, false);
});

test('a bad value stops start-up naming the variable', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty' }),
    (e: unknown) => e instanceof ConfigError && /^PORT:/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ SESSION_IDLE_MINUTES: '-5' }),
    (e: unknown) => e instanceof ConfigError && /^SESSION_IDLE_MINUTES:/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'not a url' }),
    (e: unknown) => e instanceof ConfigError && /^DATABASE_URL:/.test(e.message),
  );
});

test('production requires a session secret and a pseudonym key, and uses secure cookies', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', PSEUDONYM_KEY: 'k'.repeat(32) }), /SESSION_SECRET/);
  assert.throws(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32) }), /PSEUDONYM_KEY/);
  assert.equal(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(32), PSEUDONYM_KEY: 'k'.repeat(32) }).secureCookies, true);
});
