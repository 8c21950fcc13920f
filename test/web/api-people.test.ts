import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema.js';
import { systemActor } from '../../src/services/access.js';
import { createApiToken } from '../../src/services/authentication.js';
import { ospExample, rm2000Example } from '../support/issue-examples.js';
import { startTestApp, type TestApp } from '../support/web.js';
import { siteIdOf } from '../support/actors.js';

let t: TestApp;
const tokens: Record<string, string> = {};
let ngt: number;

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  for (const name of ['manager', 'manager2', 'assessor', 'researcher']) {
    const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, name));
    tokens[name] = await createApiToken(db, systemActor, u.id, 'test');
  }
  ngt = await siteIdOf(db, 'NGT');
});
after(() => t.close());

function call(user: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  return t.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

const man = { prisonNumber: 'v1234vv', givenName: 'Api', familyName: 'Person', dateOfBirth: '1975-06-07', sex: 'male' };

test('people, scores, eligibility, referrals and transitions work end to end through the API', async () => {
  const created = await call('manager', 'POST', '/api/v1/people', { ...man, siteId: ngt, earliestReleaseDate: '2030-01-01' });
  assert.equal(created.statusCode, 201, created.body);
  const person = created.json();
  assert.equal(person.prisonNumber, 'V1234VV');

  const patched = await call('assessor', 'PATCH', `/api/v1/people/${person.id}`, {
    iqScore: 101,
    iqTest: 'WAIS-IV',
    iqDate: '2024-01-01',
    version: person.version,
  });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal(patched.json().iqScore, 101);
  assert.equal(patched.json().familyName, 'Person');
  const stale = await call('assessor', 'PATCH', `/api/v1/people/${person.id}`, { givenName: 'Stale', version: person.version });
  assert.equal(stale.statusCode, 409);
  assert.equal(stale.json().error.code, 'edit_conflict');

  const conviction = await call('assessor', 'POST', `/api/v1/people/${person.id}/convictions`, {
    convictionDate: '2010-01-01',
    offence: 'Fictional',
    category: 'sexual_contact',
  });
  assert.equal(conviction.statusCode, 201, conviction.body);

  const scored = await call('assessor', 'POST', `/api/v1/people/${person.id}/scores/rm2000s`, rm2000Example);
  assert.equal(scored.statusCode, 201, scored.body);
  assert.equal(scored.json().scores[0].category, 'very_high');
  assert.equal((await call('manager', 'GET', `/api/v1/people/${person.id}/scores`)).json().scores.length, 1);

  const eligibility = await call('manager', 'GET', `/api/v1/people/${person.id}/eligibility/core-sotp`);
  assert.equal(eligibility.statusCode, 200, eligibility.body);
  assert.equal(eligibility.json().result, 'eligible');
  assert.equal(eligibility.json().computed.criteria.length, 5);

  const referral = await call('manager', 'POST', '/api/v1/referrals', { personId: person.id, programmeId: 'core-sotp', submit: true });
  assert.equal(referral.statusCode, 201, referral.body);
  const ref = referral.json();
  assert.equal(ref.status, 'submitted');
  const again = await call('manager', 'POST', '/api/v1/referrals', { personId: person.id, programmeId: 'core-sotp' });
  assert.equal(again.statusCode, 400);
  assert.equal(again.json().error.field, 'programmeId');
  assert.match(again.json().error.message, new RegExp(`referral ${ref.id}\\b`));
  assert.equal(again.json().error.link.href, `/referrals/${ref.id}`);

  const noReason = await call('manager', 'POST', `/api/v1/referrals/${ref.id}/transitions`, { transition: 'withdraw', version: ref.version });
  assert.equal(noReason.statusCode, 400);
  assert.equal(noReason.json().error.field, 'reason');
  const moved = await call('manager', 'POST', `/api/v1/referrals/${ref.id}/transitions`, { transition: 'accept_for_assessment', version: ref.version });
  assert.equal(moved.statusCode, 200, moved.body);
  assert.equal(moved.json().status, 'awaiting_assessment');
  const read = await call('assessor', 'GET', `/api/v1/referrals/${ref.id}`);
  assert.deepEqual(
    read.json().history.map((h: { to: string }) => h.to),
    ['draft', 'submitted', 'awaiting_assessment'],
  );
  assert.deepEqual(
    read.json().availableTransitions.map((x: { id: string }) => x.id),
    ['start_assessment'],
  );

  const list = await call('manager', 'GET', '/api/v1/referrals?q=V1234VV');
  assert.equal(list.statusCode, 200, list.body);
  assert.equal(list.json().total, 1);
  assert.equal(list.json().referrals[0].riskCategory, 'very_high');

  const waitlist = await call('manager', 'GET', `/api/v1/waitlist?site=${ngt}&programme=core-sotp`);
  assert.equal(waitlist.statusCode, 200, waitlist.body);
  assert.ok(Array.isArray(waitlist.json().entries));
});

test('API input is validated: a 400 JSON error names the field', async () => {
  const badNumber = await call('manager', 'POST', '/api/v1/people', { ...man, prisonNumber: '12345', siteId: ngt });
  assert.equal(badNumber.statusCode, 400);
  assert.equal(badNumber.json().error.field, 'prisonNumber');
  const missing = await call('manager', 'POST', '/api/v1/people', { givenName: 'X' });
  assert.equal(missing.statusCode, 400);
  assert.ok(missing.json().error.field);
  const [{ id }] = (await call('manager', 'GET', '/api/v1/people?q=V1234VV')).json().people;
  const under18 = await call('assessor', 'POST', `/api/v1/people/${id}/scores/rm2000s`, {
    ageAtCommencementOfRisk: 17,
    sexualAppearances: 1,
    criminalAppearances: 1,
    maleVictim: false,
    strangerVictim: false,
    singleNeverMarried: false,
    nonContactSexualOffence: false,
  });
  assert.equal(under18.statusCode, 400);
  assert.equal(under18.json().error.field, 'ageAtCommencementOfRisk');
  const wrongType = await call('assessor', 'POST', `/api/v1/people/${id}/scores/osp`, { sex: 'male', ageAtStartOfFollowup: 'old' });
  assert.equal(wrongType.statusCode, 400);
  assert.ok(wrongType.json().error.field);
  const tooManySexual = await call('assessor', 'POST', `/api/v1/people/${id}/scores/osp`, { ...ospExample, contactChildSexualSanctions: 3 });
  assert.equal(tooManySexual.statusCode, 400);
  assert.equal(tooManySexual.json().error.field, 'totalSanctions');
  const noSanction = await call('assessor', 'POST', `/api/v1/people/${id}/scores/osp`, { ...ospExample, contactAdultSexualSanctions: 0, totalSanctions: 0 });
  assert.equal(noSanction.statusCode, 400);
  assert.equal(noSanction.json().error.field, 'totalSanctions');
  const badTransition = await call('manager', 'POST', '/api/v1/referrals/1/transitions', { transition: 'teleport', version: 1 });
  assert.equal(badTransition.statusCode, 400);
  assert.equal(badTransition.json().error.field, 'transition');
  const badSort = await call('manager', 'GET', '/api/v1/referrals?sort=shoesize');
  assert.equal(badSort.statusCode, 400);
  assert.equal(badSort.json().error.field, 'sort');
});

test('a Southmoor manager gets 403 JSON for a Northgate person and referral; a researcher for any person', async () => {
  const [{ id }] = (await call('manager', 'GET', '/api/v1/people?q=V1234VV')).json().people;
  const refs = (await call('manager', 'GET', '/api/v1/referrals?q=V1234VV')).json().referrals;
  for (const url of [
    `/api/v1/people/${id}`,
    `/api/v1/referrals/${refs[0].referralId}`,
    `/api/v1/people/${id}/eligibility/core-sotp`,
    `/api/v1/waitlist?site=${ngt}&programme=core-sotp`,
  ]) {
    const response = await call('manager2', 'GET', url);
    assert.equal(response.statusCode, 403, url);
    assert.equal(response.json().error.code, 'forbidden');
  }
  assert.equal((await call('researcher', 'GET', `/api/v1/people/${id}`)).statusCode, 403);
  assert.equal((await call('manager2', 'GET', '/api/v1/people?q=V1234VV')).json().total, 0);
});

test('convictions are edited and removed with their version, only under their own person; overrides need a treatment manager and a reason', async () => {
  const created = (await call('assessor', 'POST', '/api/v1/people', { ...man, prisonNumber: 'V5678VV', siteId: ngt })).json();
  const other = (await call('assessor', 'POST', '/api/v1/people', { ...man, prisonNumber: 'V5679VV', siteId: ngt })).json();
  const c = (
    await call('assessor', 'POST', `/api/v1/people/${created.id}/convictions`, { convictionDate: '2010-01-01', offence: 'Fictional', category: 'other' })
  ).json();
  const body = { convictionDate: '2010-01-01', offence: 'Changed', category: 'violent', version: c.version };
  assert.equal((await call('assessor', 'PATCH', `/api/v1/people/${other.id}/convictions/${c.id}`, body)).statusCode, 404);
  const edited = await call('assessor', 'PATCH', `/api/v1/people/${created.id}/convictions/${c.id}`, body);
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json().category, 'violent');
  assert.equal((await call('assessor', 'DELETE', `/api/v1/people/${created.id}/convictions/${c.id}`, { version: c.version })).statusCode, 409);
  assert.equal((await call('assessor', 'DELETE', `/api/v1/people/${created.id}/convictions/${c.id}`, { version: edited.json().version })).statusCode, 204);
  assert.equal((await call('manager', 'GET', `/api/v1/people/${created.id}`)).json().convictions.length, 0);

  const url = `/api/v1/people/${created.id}/eligibility/core-sotp/override`;
  assert.equal((await call('assessor', 'POST', url, { result: 'eligible', reason: 'Judgement' })).statusCode, 403);
  const noReason = await call('manager', 'POST', url, { result: 'eligible', reason: ' ' });
  assert.equal(noReason.statusCode, 400);
  assert.equal(noReason.json().error.field, 'reason');
  const overridden = await call('manager', 'POST', url, { result: 'eligible', reason: 'Judgement' });
  assert.equal(overridden.statusCode, 201, overridden.body);
  assert.equal(overridden.json().result, 'eligible');
  assert.equal(overridden.json().computed.result, 'not_eligible');
});

test('the new endpoints are listed in the OpenAPI document', async () => {
  const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
  for (const path of [
    '/api/v1/people',
    '/api/v1/people/{id}',
    '/api/v1/people/{id}/scores',
    '/api/v1/people/{id}/scores/rm2000s',
    '/api/v1/people/{id}/scores/osp',
    '/api/v1/people/{id}/eligibility/{programmeId}',
    '/api/v1/referrals',
    '/api/v1/referrals/{id}',
    '/api/v1/referrals/{id}/transitions',
    '/api/v1/waitlist',
  ]) {
    assert.ok(doc.paths[path], `${path} missing from the OpenAPI document`);
  }
  assert.ok(doc.paths['/api/v1/people'].post.requestBody);
  assert.ok(doc.paths['/api/v1/people/{id}'].patch);
});
