// An audit from its drawn sample to its close, through the pages: notes on a recording only once it has played in
// sotp; no rating before the programme's minimum of recordings has been watched, none off the scale; the site's
// response only from its named treatment manager, each action with an owner and a due date; closing only once the
// plan is agreed; the report and the national overview. Each refusal names the rule and saves nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { auditActions, auditLog, auditRatings, auditRecordingReviews, audits, sites } from '../../src/db/schema.js';
import { addDays, londonToday } from '../../src/services/scheduling.js';
import { recordPastSessions } from '../support/recordings.js';
import { errorSummary, startTestApp, type TestApp, type TestClient } from '../support/web.js';

let t: TestApp;
let auditor: TestClient;
let manager: TestClient;
let auditId: number;
let sampled: number[];

const day = (iso: string, name: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${name}-day`]: String(Number(d)), [`${name}-month`]: String(Number(m)), [`${name}-year`]: y };
};
const versionOf = (body: string) => /name="version" value="(\d+)"/.exec(body)![1];
/** The version a form of the audit's page carries: the page has one form per indicator besides. */
const formVersion = (body: string, action: string) => new RegExp(`action="${action}" novalidate>[\\s\\S]*?name="version" value="(\\d+)"`).exec(body)![1];
const auditRow = async () => (await t.database.db.select().from(audits).where(eq(audits.id, auditId)))[0];

before(async () => {
  t = await startTestApp({ demo: true });
  const [{ id: ngt }] = await t.database.db.select({ id: sites.id }).from(sites).where(eq(sites.code, 'NGT'));
  const recorded = await recordPastSessions(t.database.db, ngt, 5, t.config.fileStoreDir);
  const days = recorded.map((r) => r.date).sort();
  auditor = t.client();
  await auditor.signIn('auditor');
  manager = t.client();
  await manager.signIn('manager');
  await auditor.get('/audits/new');
  const opened = await auditor.post('/audits', { siteId: String(ngt), programmeId: 'core-sotp', ...day(days[0], 'from'), ...day(days.at(-1)!, 'to') });
  auditId = Number(/(\d+)$/.exec(opened.headers.location as string)![1]);
  const drawn = await auditor.post(`/audits/${auditId}/sample`, {
    seed: '42',
    version: formVersion((await auditor.get(`/audits/${auditId}`)).body, `/audits/${auditId}/sample`),
  });
  assert.equal(drawn.statusCode, 303, errorSummary(drawn.body).join(' | '));
  const page = await auditor.get(`/audits/${auditId}`);
  sampled = [...page.body.matchAll(new RegExp(`href="/audits/${auditId}/recordings/(\\d+)"`, 'g'))].map((m) => Number(m[1]));
  assert.equal(sampled.length, 3);
});
after(() => t.close());

async function watchWithNotes(recordingId: number, notes: string) {
  const played = await auditor.get(`/recordings/${recordingId}/video`);
  assert.equal(played.statusCode, 200);
  const page = await auditor.get(`/audits/${auditId}/recordings/${recordingId}`);
  const saved = await auditor.post(`/audits/${auditId}/recordings/${recordingId}`, { notes, version: versionOf(page.body) });
  assert.equal(saved.statusCode, 303, errorSummary(saved.body).join(' | '));
}

test('notes on a sampled recording are refused until the auditor has played it in sotp, and then kept with the view in the audit log', async () => {
  const [first] = sampled;
  const page = await auditor.get(`/audits/${auditId}/recordings/${first}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Not yet/);
  const refused = await auditor.post(`/audits/${auditId}/recordings/${first}`, { notes: 'Targets met.', version: '0' });
  assert.equal(refused.statusCode, 400);
  assert.match(errorSummary(refused.body).join(' | '), /Watch the recording here before recording your notes/);
  assert.equal((await t.database.db.select().from(auditRecordingReviews)).length, 0);
  await watchWithNotes(first, 'Targets met; good use of the group.');
  const views = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'recording.viewed'));
  assert.ok(views.some((v) => v.subjectId === String(first) && v.actor === 'auditor'));
  assert.match((await auditor.get(`/audits/${auditId}`)).body, /1 of 3 sampled recordings watched/);
});

test('a rating before the programme’s minimum of three recordings has been watched is refused naming the rule, and nothing is saved', async () => {
  await watchWithNotes(sampled[1], 'Facilitators kept the session on its target.');
  const form = await auditor.get(`/audits/${auditId}/ratings`);
  assert.match(form.body, /2 of the 3 sampled recordings watched/);
  const refused = await auditor.post(`/audits/${auditId}/ratings`, {
    version: versionOf(form.body),
    level_delivery: 'meets',
    evidence_delivery: 'Seen in the recordings.',
    cites_delivery: `recording:${sampled[0]}`,
    level_treatment_management: 'meets',
    evidence_treatment_management: 'Supervision current.',
    cites_treatment_management: `recording:${sampled[1]}`,
  });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), ['Watch at least 3 of the sampled recordings, with notes on each, before rating: 2 watched so far']);
  assert.equal((await t.database.db.select().from(auditRatings)).length, 0);
  assert.equal((await auditRow()).status, 'in_progress');
});

test('a rating outside the programme’s four-point scale, or evidence citing nothing watched, is refused naming the field, and nothing is saved', async () => {
  await watchWithNotes(sampled[2], 'One facilitator talked over the men.');
  const form = await auditor.get(`/audits/${auditId}/ratings`);
  for (const label of ['Exceeds the standard', 'Meets the standard', 'Partly meets the standard', 'Does not meet the standard'])
    assert.match(form.body, new RegExp(label));
  const refused = await auditor.post(`/audits/${auditId}/ratings`, {
    version: versionOf(form.body),
    level_delivery: 'outstanding',
    evidence_delivery: 'Seen in the recordings.',
    cites_delivery: `recording:${sampled[0]}`,
    level_treatment_management: 'meets',
    evidence_treatment_management: 'Supervision current.',
    cites_treatment_management: 'checklist:session_logs',
  });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), [
    'Choose one of the four ratings on the scale for quality of delivery',
    'The evidence for quality of treatment management may cite only sampled recordings watched and checklist items examined',
  ]);
  assert.match(refused.body, /href="#level_delivery"/);
  assert.equal((await t.database.db.select().from(auditRatings)).length, 0);
});

test('the auditor rates both criteria with evidence citing the recordings watched, which moves the audit to rated', async () => {
  const form = await auditor.get(`/audits/${auditId}/ratings`);
  const rated = await auditor.post(`/audits/${auditId}/ratings`, {
    version: versionOf(form.body),
    level_delivery: 'partly_meets',
    evidence_delivery: 'Two sessions on target; in the third a facilitator talked over the men.',
    cites_delivery: sampled.map((id) => `recording:${id}`),
    level_treatment_management: 'meets',
    evidence_treatment_management: 'Supervision at the interval.',
    cites_treatment_management: `recording:${sampled[2]}`,
  });
  assert.equal(rated.statusCode, 303, errorSummary(rated.body).join(' | '));
  assert.equal((await auditRow()).status, 'rated');
  const page = await auditor.get(`/audits/${auditId}`);
  assert.match(page.body, /Quality of delivery: Partly meets the standard/);
  const home = await manager.get('/');
  assert.match(
    home.body,
    new RegExp(`href="/audits/${auditId}/response">Respond to the audit of HMP Northgate`),
    'the site’s manager is told on his home page',
  );
  const otherHome = await (async () => {
    const other = t.client();
    await other.signIn('manager2');
    return other.get('/');
  })();
  assert.doesNotMatch(otherHome.body, /Respond to the audit of/, 'another site’s manager is not');
  assert.match(page.body, /Quality of treatment management: Meets the standard/);
});

test('only the site’s named treatment manager responds; an action without an owner is refused naming the field; nothing is saved', async () => {
  const other = t.client();
  await other.signIn('manager2');
  assert.equal((await other.get(`/audits/${auditId}/response`)).statusCode, 403, 'another site’s treatment manager');
  const facilitator = t.client();
  await facilitator.signIn('facilitator');
  assert.equal((await facilitator.post(`/audits/${auditId}/response`, { response: 'x', version: '1' })).statusCode, 403);
  const form = await manager.get(`/audits/${auditId}/response`);
  assert.equal(form.statusCode, 200);
  const refused = await manager.post(`/audits/${auditId}/response`, {
    version: versionOf(form.body),
    response: 'We accept the ratings.',
    action1Description: 'Co-facilitation training for the team',
    action1Owner: '',
    action1DueOn: addDays(londonToday(), 30),
  });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), ['Enter the action’s owner']);
  assert.match(refused.body, /href="#action1Owner"/);
  const notADay = await manager.post(`/audits/${auditId}/response`, {
    version: versionOf(form.body),
    response: 'We accept the ratings.',
    action2Description: 'Observe each facilitator',
    action2Owner: 'Treatment manager',
    'action2DueOn-day': '31',
    'action2DueOn-month': '2',
    'action2DueOn-year': '2030',
  });
  assert.equal(notADay.statusCode, 400);
  assert.deepEqual(errorSummary(notADay.body), ['The date action 2 is due must be a real date']);
  assert.match(notADay.body, /href="#action2DueOn-day"/);
  assert.match(notADay.body, /name="action2DueOn-day"[^>]*value="31"/, 'what was typed is kept');
  assert.equal((await t.database.db.select().from(auditActions)).length, 0);
  assert.equal((await auditRow()).status, 'rated');
});

test('an auditor who does not agree the plan asks the site to revise it, saying why: the plan is set aside and the manager responds again', async () => {
  const first = await manager.get(`/audits/${auditId}/response`);
  const drafted = await manager.post(`/audits/${auditId}/response`, {
    version: versionOf(first.body),
    response: 'We accept the ratings.',
    action1Description: 'Talk to the team',
    action1Owner: 'Treatment manager',
    action1DueOn: addDays(londonToday(), 300),
  });
  assert.equal(drafted.statusCode, 303, errorSummary(drafted.body).join(' | '));
  const page = await auditor.get(`/audits/${auditId}`);
  const version = formVersion(page.body, `/audits/${auditId}/revise`);
  const noReason = await auditor.post(`/audits/${auditId}/revise`, { version, reason: '' });
  assert.equal(noReason.statusCode, 400);
  assert.deepEqual(errorSummary(noReason.body), ['Enter what the site should change in its plan']);
  assert.equal((await auditRow()).status, 'site_response');
  const asked = await auditor.post(`/audits/${auditId}/revise`, {
    version,
    reason: 'Training the team is not an action: say what training, by whom, by when.',
  });
  assert.equal(asked.statusCode, 303);
  assert.equal((await auditRow()).status, 'rated');
  assert.equal((await t.database.db.select().from(auditActions)).length, 0, 'the plan is set aside');
  assert.match((await manager.get('/')).body, /Respond to the audit of HMP Northgate/);
  assert.match((await manager.get(`/audits/${auditId}/response`)).body, /Training the team is not an action: say what training, by whom, by when\./);
});

test('the manager responds with an action plan; the auditor closes the audit only once the plan is agreed', async () => {
  const form = await manager.get(`/audits/${auditId}/response`);
  const responded = await manager.post(`/audits/${auditId}/response`, {
    version: versionOf(form.body),
    response: 'We accept the ratings.',
    action1Description: 'Co-facilitation training for the team',
    action1Owner: 'Treatment manager',
    action1DueOn: addDays(londonToday(), 30),
    action3Description: 'Watch one session a fortnight per facilitator',
    action3Owner: 'Head of Interventions',
    action3DueOn: addDays(londonToday(), 60),
  });
  assert.equal(responded.statusCode, 303, errorSummary(responded.body).join(' | '));
  assert.equal((await auditRow()).status, 'site_response');
  assert.equal((await t.database.db.select().from(auditActions)).length, 2);
  const page = await auditor.get(`/audits/${auditId}`);
  const version = formVersion(page.body, `/audits/${auditId}/close`);
  const refused = await auditor.post(`/audits/${auditId}/close`, { version });
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(errorSummary(refused.body), ['Confirm that the action plan is agreed before closing the audit']);
  assert.equal((await auditRow()).status, 'site_response');
  const closed = await auditor.post(`/audits/${auditId}/close`, { version, agreed: 'yes' });
  assert.equal(closed.statusCode, 303);
  assert.equal((await auditRow()).status, 'closed');
});

test('the report shows the ratings, the indicators, the sample with its seed and the action plan; the overview counts the open actions', async () => {
  const report = await manager.get(`/audits/${auditId}/report`);
  assert.equal(report.statusCode, 200);
  for (const text of [
    'Partly meets the standard',
    'seed <strong>42</strong>',
    'Registers recorded',
    'Co-facilitation training for the team',
    'One facilitator talked over the men.',
  ]) {
    assert.ok(report.body.includes(text), text);
  }
  const overview = await auditor.get('/audits/national');
  assert.equal(overview.statusCode, 200);
  assert.match(overview.body, /HMP Northgate[\s\S]*?Partly meets the standard[\s\S]*?Meets the standard[\s\S]*?>2</);
  assert.equal((await manager.get('/audits/national')).statusCode, 403);
  await t.database.db
    .update(auditActions)
    .set({ dueOn: addDays(londonToday(), -1) })
    .where(eq(auditActions.description, 'Watch one session a fortnight per facilitator'));
  assert.match((await manager.get('/')).body, /Audit actions overdue[\s\S]*Watch one session a fortnight per facilitator, owned by Head of Interventions/);
  assert.match(
    (await auditor.get('/audits/national')).body,
    /HMP Northgate[\s\S]*?>2<[\s\S]*?govuk-tag--red">\s*1\s*</,
    'one of the two open actions is overdue',
  );
  const page = await manager.get(`/audits/${auditId}`);
  const [, actionId, version] = /action="\/audit-actions\/(\d+)\/complete"[\s\S]*?name="version" value="(\d+)"/.exec(page.body)!;
  assert.equal((await manager.post(`/audit-actions/${actionId}/complete`, { version })).statusCode, 303);
  assert.match((await auditor.get('/audits/national')).body, /HMP Northgate[\s\S]*?>1</);
});
