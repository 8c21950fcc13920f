import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { systemActor } from '../../src/services/access.js';
import { actorFromApiToken, actorFromSession, createApiToken, purgeExpiredSessions, signIn } from '../../src/services/authentication.js';
import { findUserId, getUser, setUserDisabled } from '../../src/services/users.js';
import { demoPassword, testDatabase } from '../support/database.js';

let database: Database;
before(async () => {
  database = await testDatabase({ demo: true });
});
after(() => database.close());

const session = { idleMinutes: 30, absoluteHours: 12 };
const limits = { maxFailures: 10, windowMinutes: 15 };

async function sessionToken(username: string): Promise<string> {
  const result = await signIn(database.db, { username, password: demoPassword }, '192.0.2.1', session, limits);
  assert.equal(result.outcome, 'signed_in');
  return result.outcome === 'signed_in' ? result.sessionToken : '';
}

test('a session carries the user’s role and sites', async () => {
  const actor = await actorFromSession(database.db, await sessionToken('manager2'), session);
  assert.equal(actor?.role, 'treatment_manager');
  assert.deepEqual(actor?.siteNames, ['HMP Southmoor']);
});

test('a session idle for longer than the idle timeout has expired', async () => {
  const token = await sessionToken('assessor');
  await database.db.execute(sql`UPDATE web_sessions SET last_seen_at = now() - interval '31 minutes'`);
  assert.equal(await actorFromSession(database.db, token, session), null);
});

test('a session older than the absolute timeout has expired even if in use', async () => {
  const token = await sessionToken('auditor');
  await database.db.execute(sql`UPDATE web_sessions SET expires_at = now() - interval '1 second'`);
  assert.equal(await actorFromSession(database.db, token, session), null);
});

test('the idle timeout is configurable', async () => {
  const token = await sessionToken('researcher');
  await database.db.execute(sql`UPDATE web_sessions SET last_seen_at = now() - interval '31 minutes'`);
  assert.ok(await actorFromSession(database.db, token, { idleMinutes: 60, absoluteHours: 12 }));
});

test('only a digest of the session token is stored', async () => {
  const token = await sessionToken('facilitator');
  const rows = (await database.db.execute(sql`SELECT token_hash FROM web_sessions`)) as unknown as { rows: Array<{ token_hash: string }> };
  assert.ok(rows.rows.every((r) => r.token_hash !== token && !r.token_hash.includes(token)));
});

test('disabling a user ends their sessions and API tokens at once', async () => {
  const token = await sessionToken('facilitator');
  const id = await findUserId(database.db, systemActor, 'facilitator');
  const apiToken = await createApiToken(database.db, systemActor, id, 'test');
  assert.ok(await actorFromApiToken(database.db, apiToken));
  const { version } = await getUser(database.db, systemActor, id);
  await setUserDisabled(database.db, systemActor, id, true, { version });
  assert.equal(await actorFromSession(database.db, token, session), null);
  assert.equal(await actorFromApiToken(database.db, apiToken), null);
});

test('an unknown user name fails exactly like a wrong password', async () => {
  const unknown = await signIn(database.db, { username: 'nobody', password: 'whatever-password' }, '192.0.2.2', session, limits);
  const wrong = await signIn(database.db, { username: 'admin', password: 'whatever-password' }, '192.0.2.2', session, limits);
  assert.deepEqual(unknown, { outcome: 'invalid' });
  assert.deepEqual(wrong, { outcome: 'invalid' });
});

test('purging removes idle and past-absolute sessions and keeps live ones', async () => {
  const live = await sessionToken('manager');
  await sessionToken('manager2');
  await sessionToken('assessor');
  const count = async () =>
    Number(((await database.db.execute(sql`SELECT count(*) AS n FROM web_sessions`)) as unknown as { rows: Array<{ n: string }> }).rows[0].n);
  const liveCount = await count();
  await database.db.execute(
    sql`UPDATE web_sessions SET last_seen_at = now() - interval '31 minutes' WHERE user_id = (SELECT id FROM users WHERE username = 'manager2')`,
  );
  await database.db.execute(
    sql`UPDATE web_sessions SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE username = 'assessor')`,
  );
  await purgeExpiredSessions(database.db, session);
  assert.ok((await count()) <= liveCount - 2);
  assert.ok(await actorFromSession(database.db, live, session), 'a live session survives the purge');
  const left = (await database.db.execute(sql`SELECT u.username FROM web_sessions w JOIN users u ON u.id = w.user_id`)) as unknown as {
    rows: Array<{ username: string }>;
  };
  assert.ok(left.rows.every((r) => r.username !== 'manager2' && r.username !== 'assessor'));
});
