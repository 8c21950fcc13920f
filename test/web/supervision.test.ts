// Supervision through the pages and the API: a bad form names its field and saves nothing, the facilitator reads his
// own record without the means to change it, the site's staff overview, and the API's record and recording.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { supervisions, users } from '../../src/db/schema.js';
import { dayNumber, isoDate } from '../../src/domain/schedule/calendar.js';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import { londonToday } from '../../src/services/scheduling.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
const ids: Record<string, number> = {};
const tokens: Record<string, string> = {};

before(async () => {
  t = await startTestApp({ demo: true });
  for (const u of await t.database.db.select().from(users)) ids[u.username] = u.id;
  for (const name of ['manager', 'manager2', 'facilitator3']) tokens[name] = await createApiToken(t.database.db, systemActor, ids[name], 'test');
});
after(() => t.close());

const count = async () => (await t.database.db.select().from(supervisions).where(eq(supervisions.facilitatorId, ids.facilitator3))).length;
const api = (user: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload ? { payload } : {}) });

test('a supervision form dated after today, or with an action due before it, is shown again naming the field, and nothing is saved', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  await manager.get(`/facilitators/${ids.facilitator3}/supervisions/new`);
  const before = await count();
  const tomorrow = isoDate(dayNumber(londonToday()) + 1);
  const future = await manager.post(`/facilitators/${ids.facilitator3}/supervisions`, { supervisedOn: tomorrow, supervisorId: String(ids.manager) });
  assert.equal(future.statusCode, 400);
  assert.match(errorSummary(future.body).join(' | '), /^A supervision cannot be dated after today \(/);
  assert.match(future.body, /href="#supervisedOn-day"/);
  const early = await manager.post(`/facilitators/${ids.facilitator3}/supervisions`, {
    supervisedOn: londonToday(),
    supervisorId: String(ids.manager),
    action2Description: 'Read the manual',
    action2DueOn: isoDate(dayNumber(londonToday()) - 1),
  });
  assert.equal(early.statusCode, 400);
  assert.match(early.body, /href="#action2DueOn-day"/, 'the summary links to the action’s own date');
  assert.match(early.body, /id="action2DueOn-error"/);
  assert.match(early.body, /value="Read the manual"/, 'what was typed is kept');
  assert.equal(await count(), before);
});

test('the facilitator reads his own supervision record without a form or buttons, and cannot open the form', async () => {
  const own = t.client();
  await own.signIn('facilitator3');
  const page = await own.get(`/facilitators/${ids.facilitator3}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /id="supervision"/);
  assert.match(page.body, /Routine supervision\./);
  assert.doesNotMatch(page.body, /Record a supervision/);
  assert.equal((await own.get(`/facilitators/${ids.facilitator3}/supervisions/new`)).statusCode, 403);
  assert.equal((await own.get(`/facilitators/${ids.facilitator4}`)).statusCode, 403, 'not a colleague’s');
});

test('the site staff overview shows who was last supervised, when and by whom', async () => {
  const manager = t.client();
  await manager.signIn('manager');
  const [{ siteId }] = await t.database.db
    .select({ siteId: supervisions.siteId })
    .from(supervisions)
    .where(eq(supervisions.facilitatorId, ids.facilitator4))
    .limit(1);
  const page = await manager.get(`/sites/${siteId}/staff`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Kit Facilitator<\/a><\/th>\s*<td class="govuk-table__cell">[^<]+<\/td>\s*<td class="govuk-table__cell">Morgan Manager<\/td>/);
  assert.match(page.body, /Supervision overdue/);
});

test('the API records a supervision (201) and refuses a bad one naming the field; the record lists it with how the accreditation stands', async () => {
  const before = await count();
  const bad = await api('manager', 'POST', `/api/v1/facilitators/${ids.facilitator3}/supervisions`, {
    supervisedOn: londonToday(),
    supervisorId: ids.manager2,
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /supervisorId/);
  assert.equal(await count(), before);
  assert.equal(
    (await api('manager2', 'POST', `/api/v1/facilitators/${ids.facilitator3}/supervisions`, { supervisedOn: londonToday(), supervisorId: ids.manager2 }))
      .statusCode,
    403,
  );
  const made = await api('manager', 'POST', `/api/v1/facilitators/${ids.facilitator3}/supervisions`, {
    supervisedOn: londonToday(),
    supervisorId: ids.manager,
    actions: [{ description: 'Co-plan block 8', dueOn: isoDate(dayNumber(londonToday()) + 10) }],
  });
  assert.equal(made.statusCode, 201);
  const record = await api('facilitator3', 'GET', `/api/v1/facilitators/${ids.facilitator3}/supervision`);
  assert.equal(record.statusCode, 200);
  const body = record.json();
  assert.equal(body.supervisions[0].id, made.json().id);
  assert.equal(body.supervisions[0].actions[0].description, 'Co-plan block 8');
  assert.deepEqual(
    body.accreditations.map((a: { programmeId: string; lastSupervisedOn: string; supervision: string }) => [a.programmeId, a.lastSupervisedOn, a.supervision]),
    [['core-sotp', londonToday(), 'current']],
  );
});
