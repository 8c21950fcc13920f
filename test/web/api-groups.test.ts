import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import { londonToday } from '../../src/services/scheduling.js';
import { startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const ids: Record<string, number> = {};

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  for (const name of ['manager', 'manager2', 'facilitator', 'facilitator2', 'facilitator3', 'facilitator4']) {
    const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, name));
    ids[name] = u.id;
    if (name.startsWith('manager') || name === 'facilitator') tokens[name] = await createApiToken(db, systemActor, u.id, 'test');
  }
});
after(() => t.close());

function call(user: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

test('the API lists groups and timetables only to those who may see them', async () => {
  const listed = await call('manager', 'GET', '/api/v1/groups');
  assert.equal(listed.statusCode, 200, listed.body);
  const group = listed.json().groups.find((g: { name: string }) => g.name === 'NGT Core SOTP group 1');
  assert.ok(group);
  const timetable = await call('manager', 'GET', `/api/v1/groups/${group.id}/timetable`);
  assert.equal(timetable.statusCode, 200);
  assert.equal(timetable.json().sessions.length, 84);
  assert.equal((await call('manager2', 'GET', `/api/v1/groups/${group.id}/timetable`)).statusCode, 403);
  assert.ok(!(await call('manager2', 'GET', '/api/v1/groups')).json().groups.some((g: { id: number }) => g.id === group.id));
  assert.equal((await call('facilitator', 'GET', `/api/v1/groups/${group.id}/timetable`)).statusCode, 200, 'a facilitator in the team');
});

test('cancelling and swapping through the API: what moved comes back; a refused swap names the field and rule', async () => {
  const group = (await call('manager', 'GET', '/api/v1/groups')).json().groups.find((g: { name: string }) => g.name === 'NGT Core SOTP group 1');
  const sessions = (await call('manager', 'GET', `/api/v1/groups/${group.id}/timetable`)).json().sessions as Array<{
    id: number;
    number: number;
    date: string;
    version: number;
    facilitatorIds: number[];
    status: string;
  }>;
  const future = sessions.filter((s) => s.date >= londonToday() && s.status === 'scheduled');
  const target = future[5];
  const cancelled = await call('manager', 'POST', `/api/v1/sessions/${target.id}/cancel`, {
    reason: 'Staff shortage',
    cause: 'staff',
    version: target.version,
  });
  assert.equal(cancelled.statusCode, 200, cancelled.body);
  assert.equal(cancelled.json().moved[0].number, target.number);
  const stale = await call('manager', 'POST', `/api/v1/sessions/${target.id}/cancel`, { reason: 'Again', cause: 'staff', version: target.version });
  assert.equal(stale.statusCode, 409);
  // Re-read: the cancellation moved (and so versioned) the later sessions.
  const now = (await call('manager', 'GET', `/api/v1/groups/${group.id}/timetable`)).json().sessions as typeof sessions;
  const later = now.find((s) => s.number === future[20].number && s.status === 'scheduled')!;
  const swap = await call('manager', 'POST', `/api/v1/sessions/${later.id}/swap`, {
    replacedId: later.facilitatorIds[0],
    replacementId: ids.facilitator2,
    version: later.version,
  });
  assert.equal(swap.statusCode, 400);
  assert.equal(swap.json().error.field, 'replacementId');
  assert.match(swap.json().error.message, /not in this group’s facilitator team/);
  assert.equal(
    (await call('manager2', 'POST', `/api/v1/sessions/${later.id}/cancel`, { reason: 'x', cause: 'other', version: later.version })).statusCode,
    403,
  );
  assert.equal(
    (await call('facilitator', 'POST', `/api/v1/sessions/${later.id}/cancel`, { reason: 'x', cause: 'other', version: later.version })).statusCode,
    403,
  );
});
