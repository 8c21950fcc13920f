import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, asc, eq, lt, ne } from 'drizzle-orm';
import { groupSessions, programmeGroups, sessionFacilitators, users } from '../../src/db/schema.js';
import { londonToday } from '../../src/clock.js';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
const tokens: Record<string, string> = {};
let groupId: number;
/** Sessions of the NGT demo group held before today that the demo user `facilitator` facilitated: registers recorded. */
let held: number[];

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  for (const name of ['manager', 'facilitator', 'facilitator2']) {
    const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, name));
    tokens[name] = await createApiToken(db, systemActor, u.id, 'test');
  }
  [{ id: groupId }] = await db.select({ id: programmeGroups.id }).from(programmeGroups).where(eq(programmeGroups.name, 'NGT Core SOTP group 1'));
  const [facilitator] = await db.select({ id: users.id }).from(users).where(eq(users.username, 'facilitator'));
  held = (
    await db
      .select({ id: groupSessions.id })
      .from(groupSessions)
      .innerJoin(sessionFacilitators, and(eq(sessionFacilitators.sessionId, groupSessions.id), eq(sessionFacilitators.userId, facilitator.id)))
      .where(and(eq(groupSessions.groupId, groupId), ne(groupSessions.status, 'cancelled'), lt(groupSessions.sessionDate, londonToday())))
      .orderBy(asc(groupSessions.sessionDate))
  ).map((s) => s.id);
  assert.ok(held.length >= 3, 'the demo group has held sessions with registers');
});
after(() => t.close());

function call(user: string, method: 'GET' | 'PUT', url: string, payload?: unknown) {
  return t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

test('the API gives a group’s sessions, a register with its version, and each man’s progress', async () => {
  const sessions = await call('facilitator', 'GET', `/api/v1/groups/${groupId}/sessions`);
  assert.equal(sessions.statusCode, 200, sessions.body);
  const first = sessions.json()[0];
  assert.deepEqual(Object.keys(first).sort(), ['block', 'date', 'end', 'facilitators', 'id', 'number', 'start', 'status'].sort());
  const register = await call('facilitator', 'GET', `/api/v1/sessions/${held[0]}/register`);
  assert.equal(register.statusCode, 200);
  const body = register.json();
  assert.equal(body.version, 1, 'recorded once by the demo data');
  assert.ok(body.entries.length > 0 && body.entries.every((e: { status: string | null }) => e.status !== null));
  const progress = await call('manager', 'GET', `/api/v1/groups/${groupId}/progress`);
  assert.equal(progress.statusCode, 200);
  assert.deepEqual(Object.keys(progress.json()[0]).sort(), ['attended', 'caughtUp', 'missed', 'outstandingCatchUps', 'personId', 'state']);
  assert.equal((await call('facilitator2', 'GET', `/api/v1/groups/${groupId}/progress`)).statusCode, 403, 'a facilitator at another site');
});

test('PUT register: 200 with the new version, 409 on the version it replaced, 403 at another site, 400 naming a bad field', async () => {
  const url = `/api/v1/sessions/${held[1]}/register`;
  const { version, entries } = (await call('facilitator', 'GET', url)).json();
  const asSent = entries.map((e: { personId: number }) => ({ personId: e.personId, status: 'attended' }));
  const saved = await call('facilitator', 'PUT', url, { version, entries: asSent });
  assert.equal(saved.statusCode, 200, saved.body);
  assert.deepEqual(saved.json(), { sessionId: held[1], version: version + 1 });
  const stale = await call('manager', 'PUT', url, { version, entries: asSent });
  assert.equal(stale.statusCode, 409);
  assert.equal(stale.json().error.code, 'edit_conflict');
  assert.equal((await call('facilitator2', 'PUT', url, { version: version + 1, entries: asSent })).statusCode, 403);
  const bad = await call('facilitator', 'PUT', url, { version: version + 1, entries: [{ ...asSent[0], status: 'late', minutes: 151 }, ...asSent.slice(1)] });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.field, 'entries.0.minutes');
});

test('the register form names the man and the missing minutes in the error summary, saves with a redirect, and a stale save shows what changed', async () => {
  const page = `/groups/${groupId}/sessions/${held[2]}/register`;
  const facilitator = t.client();
  await facilitator.signIn('facilitator');
  const form = await facilitator.get(page);
  assert.equal(form.statusCode, 200);
  const version = /name="version" value="(\d+)"/.exec(form.body)![1];
  const people = [...new Set([...form.body.matchAll(/name="status-(\d+)"/g)].map((m) => m[1]))];
  const fields = Object.fromEntries(people.map((p) => [`status-${p}`, 'attended']));
  const late = await facilitator.post(page, { version, ...fields, [`status-${people[0]}`]: 'late', [`lateMinutes-${people[0]}`]: '' });
  assert.equal(late.statusCode, 400);
  const [message] = errorSummary(late.body);
  assert.match(message, /: enter how many minutes he was late$/);
  assert.match(late.body, new RegExp(`href="#lateMinutes-${people[0]}"`));
  const saved = await facilitator.post(page, { version, ...fields, [`status-${people[0]}`]: 'late', [`lateMinutes-${people[0]}`]: '45' });
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, `${page}?saved=1`);
  const manager = t.client();
  await manager.signIn('manager');
  const stale = await manager.post(page, { version, ...fields });
  assert.equal(stale.statusCode, 409);
  assert.match(stale.body, /Someone else saved this register/);
  assert.match(stale.body, /Late \(45 minutes\)/, 'what the other save recorded');
  const after = await facilitator.get(page);
  assert.match(after.body, /Version 2: corrected by/, 'the correction is in the history');
});
