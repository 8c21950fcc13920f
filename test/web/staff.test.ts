// The facilitator pipeline's pages and API: a site's staff and stages, a member's record with the history of moves
// and their evidence (a file uploaded and downloaded), a move refused naming the rule with nothing saved, a stale
// version answered 409, a facilitator's own record read-only, and the same records as JSON.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { count, eq } from 'drizzle-orm';
import { staffMembers, staffStageMoves, users } from '../../src/db/schema.js';
import { londonToday } from '../../src/clock.js';
import { tinyPng } from '../../src/services/demo-work.js';
import { callersFor, type Caller } from '../support/access.js';
import { siteIdOf } from '../support/actors.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';

let t: TestApp;
let callers: Map<string, Caller>;
let ngt: number;
const today = londonToday();
const day = (iso: string, name: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${name}-day`]: String(Number(d)), [`${name}-month`]: String(Number(m)), [`${name}-year`]: y };
};
const version = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1] ?? assert.fail('no version in the form');

before(async () => {
  t = await startTestApp({ demo: true });
  ngt = await siteIdOf(t.database.db, 'NGT');
  callers = await callersFor(t, ['manager', 'facilitator', 'facilitator3', 'admin']);
});
after(() => t.close());

async function staffIdOf(name: string): Promise<number> {
  const [m] = await t.database.db.select({ id: staffMembers.id }).from(staffMembers).where(eq(staffMembers.displayName, name));
  return m.id;
}

async function movesOf(id: number): Promise<number> {
  const [{ n }] = await t.database.db.select({ n: count() }).from(staffStageMoves).where(eq(staffStageMoves.staffMemberId, id));
  return n;
}

test('a treatment manager sees the site’s pipeline with everyone’s stage, and the demo has someone at every stage', async () => {
  const page = await callers.get('manager')!.client.get(`/staff?site=${ngt}`);
  assert.equal(page.statusCode, 200);
  for (const stage of [
    'Applied',
    'Suitability assessed',
    'Assessment passed',
    'Not selected',
    'Fundamental skills training',
    'Programme training',
    'Accredited',
  ]) {
    assert.match(page.body, new RegExp(`>\\s*${stage}\\s*<`), stage);
  }
  assert.match(page.body, /Core SOTP: Suspended/);
});

test('a member’s record shows each move with who made it, why and its evidence, and the steps the manager may record', async () => {
  const page = await callers.get('manager')!.client.get(`/staff/${await staffIdOf('Liam Doyle')}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Record not selected/);
  assert.match(page.body, /The interview panel found him not suitable for group work at present/);
  assert.match(page.body, /Interview outcome<\/dt><dd class="govuk-summary-list__value">\s*Not suitable/);
  assert.doesNotMatch(page.body, /Record a step/, 'nothing more after not selected');
  const owen = await callers.get('manager')!.client.get(`/staff/${await staffIdOf('Owen Clarke')}`);
  assert.match(owen.body, /href="\/staff\/\d+\/moves\/accredit"/);
});

test('accrediting someone without a linked sign-in is refused on the page naming the rule, and nothing is saved', async () => {
  const { client } = callers.get('manager')!;
  const id = await staffIdOf('Owen Clarke');
  const form = await client.get(`/staff/${id}/moves/accredit`);
  assert.equal(form.statusCode, 200);
  const moves = await movesOf(id);
  const response = await client.postFile(
    `/staff/${id}/moves/accredit`,
    { version: version(form.body), programmeId: 'core-sotp', ...day(today, 'accreditedOn') },
    { field: 'document', name: 'letter.png', content: tinyPng(), contentType: 'image/png' },
  );
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), ['Accreditation is for a facilitator’s sign-in: link a sign-in first']);
  assert.equal(await movesOf(id), moves);
});

test('a move’s missing evidence is named field by field', async () => {
  const { client } = callers.get('manager')!;
  const id = await staffIdOf('Priya Patel');
  const form = await client.get(`/staff/${id}/moves/record_suitability`);
  const response = await client.post(`/staff/${id}/moves/record_suitability`, {
    version: version(form.body),
    'interviewDate-day': '31',
    'interviewDate-month': '2',
    'interviewDate-year': '2026',
  });
  assert.equal(response.statusCode, 400);
  assert.deepEqual(errorSummary(response.body), [
    'Enter the psychometric assessment result',
    'Interview date must be a real date',
    'Enter the interview panel',
    'Select the interview outcome',
  ]);
  assert.equal(await movesOf(id), 1);
});

test('a move with an evidence file is recorded, the file downloads from the record, and a second send of the same form is a conflict', async () => {
  const { client } = callers.get('manager')!;
  const id = await staffIdOf('Grace Okoye');
  const form = await client.get(`/staff/${id}/moves/record_fundamental_skills_training`);
  const fields = {
    version: version(form.body),
    course: 'Fundamental skills (residential)',
    ...day(today, 'startedOn'),
    ...day(today, 'finishedOn'),
    result: 'passed',
  };
  const sent = await client.postFile(`/staff/${id}/moves/record_fundamental_skills_training`, fields, {
    field: 'document',
    name: 'certificate.png',
    content: tinyPng(),
    contentType: 'image/png',
  });
  assert.equal(sent.statusCode, 303, errorSummary(sent.body).join(' | '));
  const record = await client.get(String(sent.headers.location));
  assert.match(record.body, /Recorded: Record fundamental skills training/);
  const href = /href="(\/staff\/\d+\/evidence\/\d+)">certificate\.png</.exec(record.body)?.[1] ?? assert.fail('no evidence link');
  const file = await client.get(href);
  assert.equal(file.statusCode, 200);
  assert.equal(file.headers['content-type'], 'image/png');
  assert.deepEqual(file.rawPayload, tinyPng());
  const again = await client.postFile(`/staff/${id}/moves/record_fundamental_skills_training`, fields, {
    field: 'document',
    name: 'certificate.png',
    content: tinyPng(),
    contentType: 'image/png',
  });
  assert.equal(again.statusCode, 409);
  assert.match(again.body, /changed by someone else/);
});

test('a suspended accreditation shows on the record with the day delivery ends and why', async () => {
  const page = await callers.get('manager')!.client.get(`/staff/${await staffIdOf('Sol Facilitator')}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /govuk-tag--orange">\s*Suspended/);
  assert.match(page.body, /\(suspended\)/);
  assert.match(page.body, /Pending the outcome of a conduct investigation/);
});

test('a facilitator sees his own record read-only, and not another’s', async () => {
  const { client } = callers.get('facilitator3')!;
  const [self] = await t.database.db
    .select({ id: staffMembers.id })
    .from(staffMembers)
    .innerJoin(users, eq(users.id, staffMembers.userId))
    .where(eq(users.username, 'facilitator3'));
  const own = await client.get(`/staff/${self.id}`);
  assert.equal(own.statusCode, 200);
  assert.match(own.body, /Accredit for the programme/, 'his history');
  assert.doesNotMatch(own.body, /Record a step|<form method="post" action="\/staff/);
  assert.equal((await client.get(`/staff/${await staffIdOf('Priya Patel')}`)).statusCode, 403);
  assert.equal((await client.get(`/staff/${self.id}/moves/withdraw`)).statusCode, 403);
  const list = await client.get('/staff');
  assert.equal([...list.body.matchAll(/href="\/staff\/\d+"/g)].length, 1, 'the list shows him only');
});

test('the API lists a site’s staff, reads a record, and refuses a stage move not allowed naming the rule', async () => {
  const { token } = callers.get('manager')!;
  const auth = { authorization: `Bearer ${token}` };
  const list = await t.app.inject({ url: `/api/v1/sites/${ngt}/staff`, headers: auth });
  assert.equal(list.statusCode, 200);
  const priya = list.json().staff.find((s: { displayName: string }) => s.displayName === 'Priya Patel');
  assert.equal(priya.stage, 'applied');
  const record = await t.app.inject({ url: `/api/v1/staff/${priya.id}`, headers: auth });
  assert.equal(record.statusCode, 200);
  const refused = await t.app.inject({
    method: 'POST',
    url: `/api/v1/staff/${priya.id}/moves`,
    headers: auth,
    payload: { move: 'record_assessment_passed', version: record.json().version, evidence: { assessedOn: today } },
  });
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.json().error.field, 'move');
  assert.match(refused.json().error.message, /cannot be recorded while applied/);
  const moved = await t.app.inject({
    method: 'POST',
    url: `/api/v1/staff/${priya.id}/moves`,
    headers: auth,
    payload: { move: 'withdraw', version: record.json().version, reason: 'Took another post', evidence: { from: today } },
  });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal(moved.json().stage, 'withdrawn');
});
