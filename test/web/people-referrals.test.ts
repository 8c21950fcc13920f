import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { riskScores } from '../../src/db/schema.js';
import type { Actor } from '../../src/services/access.js';
import { recordEligibilityOverride } from '../../src/services/eligibility.js';
import { addConviction, createPerson } from '../../src/services/people.js';
import { createReferral, transitionReferral } from '../../src/services/referrals.js';
import { scorePerson } from '../../src/services/risk-scores.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';
import { actorOf, siteIdOf } from '../support/actors.js';

let t: TestApp;
let manager: Actor;
let assessor: Actor;
let ngt: number;
let personId: number;
let referralId: number;

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  manager = await actorOf(db, 'manager');
  assessor = await actorOf(db, 'assessor');
  ngt = await siteIdOf(db, 'NGT');
  const p = await createPerson(db, manager, {
    prisonNumber: 'W1234WW',
    givenName: 'Webster',
    familyName: 'Pagetest',
    dateOfBirth: '1979-04-03',
    sex: 'male',
    siteId: ngt,
    earliestReleaseDate: '2031-01-01',
  });
  personId = p.id;
  await addConviction(db, assessor, p.id, { convictionDate: '2015-02-02', offence: 'Fictional offence', category: 'sexual_contact' });
  await scorePerson(
    db,
    assessor,
    p.id,
    'rm2000s',
    {
      ageAtCommencementOfRisk: 27,
      sexualAppearances: 2,
      criminalAppearances: 6,
      maleVictim: true,
      strangerVictim: false,
      singleNeverMarried: true,
      nonContactSexualOffence: false,
    },
    '2026-01-01',
  );
  let r = await createReferral(db, manager, { personId: p.id, programmeId: 'core-sotp', submit: true });
  r = await transitionReferral(db, manager, r.id, 'accept_for_assessment', { version: r.version });
  r = await transitionReferral(db, assessor, r.id, 'start_assessment', { version: r.version });
  referralId = r.id;
});
after(() => t.close());

async function signedIn(username: string) {
  const client = t.client();
  const response = await client.signIn(username);
  assert.equal(response.statusCode, 303);
  return client;
}

test('the person page shows the points behind a score and a reason for every eligibility criterion', async () => {
  const client = await signedIn('manager');
  const page = await client.get(`/people/${personId}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Webster Pagetest/);
  assert.match(page.body, /Points behind the RM2000\/S result/);
  assert.match(page.body, /Step 1 total<\/th>\s*<td[^>]*>3<\/td>/);
  assert.match(page.body, /Very high/);
  assert.match(page.body, /His IQ is not recorded\./); // the iq criterion is unknown
  assert.match(page.body, /Convicted of a contact sexual offence\./);
  assert.match(page.body, /Override the eligibility result/);
});

test('a scoring form with bad input shows a GOV.UK error summary naming the field, answers 400 and stores nothing', async () => {
  const client = await signedIn('assessor');
  const form = await client.get(`/people/${personId}/scores/rm2000s/new`);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /name="sexualAppearances"[^>]*value="1"/); // pre-filled from the one sexual conviction
  const before = await t.database.db.select().from(riskScores).where(eq(riskScores.personId, personId));
  const response = await client.post(`/people/${personId}/scores/rm2000s`, {
    ageAtCommencementOfRisk: '17',
    sexualAppearances: '1',
    criminalAppearances: '1',
    maleVictim: 'false',
    strangerVictim: 'false',
    singleNeverMarried: 'false',
    nonContactSexualOffence: 'false',
  });
  assert.equal(response.statusCode, 400);
  assert.match(response.body, /<title>Error: /);
  const summary = errorSummary(response.body);
  assert.equal(summary.length, 1);
  assert.match(summary[0], /18 or over/);
  assert.match(response.body, /href="#ageAtCommencementOfRisk"/);
  const missing = await client.post(`/people/${personId}/scores/rm2000s`, { ageAtCommencementOfRisk: '30' });
  assert.equal(missing.statusCode, 400);
  assert.ok(errorSummary(missing.body).some((m) => /number of sexual appearances/i.test(m)));
  const afterRows = await t.database.db.select().from(riskScores).where(eq(riskScores.personId, personId));
  assert.equal(afterRows.length, before.length);
});

const ospForm = (over: Record<string, string> = {}) => ({
  sex: 'male',
  ageAtStartOfFollowup: '45',
  contactAdultSexualSanctions: '1',
  contactChildSexualSanctions: '0',
  nonContactSexualSanctions: '0',
  indecentImageSanctions: '0',
  ageAtLastSexualSanction: '40',
  totalSanctions: '3',
  currentOffenceAgainstStranger: 'true',
  inCustody: 'true',
  yearsSinceMostRecentOffence: '2',
  yearsSinceMostRecentSexualOffence: '2',
  yearsSinceStartOfFollowup: '0',
  ...over,
});

test('the OSP form refuses sexual sanctions adding up to more than the total with an error summary naming the field, and stores nothing', async () => {
  const client = await signedIn('assessor');
  await client.get(`/people/${personId}/scores/osp/new`);
  const before = await t.database.db.select().from(riskScores).where(eq(riskScores.personId, personId));
  const response = await client.post(`/people/${personId}/scores/osp`, ospForm({ contactChildSexualSanctions: '2', indecentImageSanctions: '1' }));
  assert.equal(response.statusCode, 400);
  assert.match(errorSummary(response.body)[0], /cannot be fewer than the sexual sanctions added together \(4\)/);
  assert.match(response.body, /href="#totalSanctions"/);
  const notANumber = await client.post(`/people/${personId}/scores/osp`, ospForm({ totalSanctions: 'three' }));
  assert.equal(notANumber.statusCode, 400);
  assert.deepEqual(errorSummary(notANumber.body), ['Total number of sanctions for all offences must be a whole number']);
  const after = await t.database.db.select().from(riskScores).where(eq(riskScores.personId, personId));
  assert.equal(after.length, before.length);
});

test('the person page shows OSP probabilities as percentages to 2 decimal places', async () => {
  const client = await signedIn('assessor');
  await client.get(`/people/${personId}/scores/osp/new`);
  const saved = await client.post(`/people/${personId}/scores/osp`, ospForm({ indecentImageSanctions: '2', totalSanctions: '4' }));
  assert.equal(saved.statusCode, 303, errorSummary(saved.body).join('; '));
  const page = await client.get(`/people/${personId}`);
  // 30 points: 1 / (1 + e^−(−8.633 + 0.1598 × 30)) = 0.021062…; 2 image sanctions: 0.1031.
  assert.match(page.body, /Predicted probability of direct-contact sexual reoffending: 2\.11%/);
  assert.match(page.body, /Predicted probability of indecent-image or indirect-contact sexual reoffending: 10\.31%/);
});

function transitionButtons(html: string): string[] {
  return [...html.matchAll(/data-transition="([a-z_]+)"/g)].map((m) => m[1]);
}

test('a referral page shows only the actions the role may take', async () => {
  const asManager = await (await signedIn('manager')).get(`/referrals/${referralId}`);
  assert.equal(asManager.statusCode, 200);
  assert.deepEqual(transitionButtons(asManager.body), [
    'record_not_eligible',
    'record_not_suitable',
    'record_suitable_not_ready',
    'record_suitable',
    'put_on_hold',
    'withdraw',
  ]);
  const asAssessor = await (await signedIn('assessor')).get(`/referrals/${referralId}`);
  assert.deepEqual(transitionButtons(asAssessor.body), ['record_not_eligible', 'record_not_suitable', 'record_suitable_not_ready', 'record_suitable']);
  // A facilitator reads the referrals of the men of his own groups only: this man is in none.
  const asFacilitator = await (await signedIn('facilitator')).get(`/referrals/${referralId}`);
  assert.equal(asFacilitator.statusCode, 403);
});

test('a transition needing a reason, posted without one, shows the error summary and changes nothing', async () => {
  const client = await signedIn('manager');
  const page = await client.get(`/referrals/${referralId}`);
  const version = /name="version" value="(\d+)"/.exec(page.body)![1];
  const refused = await client.post(`/referrals/${referralId}/transitions/put_on_hold`, { version, reason: '' });
  assert.equal(refused.statusCode, 400);
  assert.match(errorSummary(refused.body)[0], /reason/i);
  const held = await client.post(`/referrals/${referralId}/transitions/put_on_hold`, { version, reason: 'Moved wings' });
  assert.equal(held.statusCode, 303);
  const after = await client.get(`/referrals/${referralId}`);
  assert.match(after.body, /Moved wings/);
  assert.deepEqual(transitionButtons(after.body), ['resume', 'withdraw']);
  const stale = await client.post(`/referrals/${referralId}/transitions/resume`, { version });
  assert.equal(stale.statusCode, 409);
  const resumed = await client.post(`/referrals/${referralId}/transitions/resume`, { version: String(Number(version) + 1) });
  assert.equal(resumed.statusCode, 303);
});

test('a Southmoor manager gets 403 on a Northgate person and referral', async () => {
  const client = await signedIn('manager2');
  assert.equal((await client.get(`/people/${personId}`)).statusCode, 403);
  assert.equal((await client.get(`/referrals/${referralId}`)).statusCode, 403);
  assert.equal((await client.get(`/people/${personId}/edit`)).statusCode, 403);
  assert.equal((await client.get(`/waitlist?siteId=${ngt}`)).statusCode, 403);
  const caseload = await client.get('/caseload?q=W1234WW');
  assert.equal(caseload.statusCode, 200);
  assert.doesNotMatch(caseload.body, /Pagetest/);
});

test('a researcher and an administrator cannot open person pages or the caseload', async () => {
  for (const user of ['researcher', 'admin']) {
    const client = await signedIn(user);
    assert.equal((await client.get(`/people/${personId}`)).statusCode, 403, user);
    assert.equal((await client.get('/caseload')).statusCode, 403, user);
  }
});

test('the caseload filters, sorts by a column link and pages', async () => {
  const client = await signedIn('manager');
  const searched = await client.get('/caseload?q=w1234ww');
  assert.equal(searched.statusCode, 200);
  assert.match(searched.body, /Pagetest, Webster/);
  assert.match(searched.body, /1 referral\b/);
  const filtered = await client.get('/caseload?status=assessment_started&risk=very_high');
  assert.match(filtered.body, /Pagetest/);
  const wrongRisk = await client.get('/caseload?q=W1234WW&risk=low');
  assert.doesNotMatch(wrongRisk.body, /Pagetest, Webster/);
  const byName = await client.get('/caseload?sort=name&order=asc&pageSize=5');
  assert.match(byName.body, /aria-sort="ascending"/);
  assert.match(byName.body, /href="\/caseload\?sort=name&amp;order=desc&amp;pageSize=5"/);
  const names = [...byName.body.matchAll(/href="\/referrals\/\d+">([^<]+)<\/a>/g)].map((m) => m[1].toLowerCase());
  assert.deepEqual(names, [...names].sort());
  if (/govuk-pagination/.test(byName.body)) {
    const second = await client.get('/caseload?sort=name&order=asc&pageSize=5&page=2');
    assert.equal(second.statusCode, 200);
    assert.match(second.body, /showing 6 to/);
  }
  const bad = await client.get('/caseload?sort=shoesize');
  assert.equal(bad.statusCode, 400);
  assert.equal(errorSummary(bad.body).length, 1);
});

test('the person form refuses a duplicate prison number with a link to the existing record', async () => {
  const client = await signedIn('assessor');
  await client.get('/people/new');
  const response = await client.post('/people', {
    prisonNumber: 'w1234ww',
    givenName: 'Other',
    familyName: 'Man',
    'dateOfBirth-day': '1',
    'dateOfBirth-month': '2',
    'dateOfBirth-year': '1990',
    sex: 'male',
    siteId: String(ngt),
  });
  assert.equal(response.statusCode, 400);
  assert.match(errorSummary(response.body)[0], /already recorded/);
  assert.doesNotMatch(errorSummary(response.body)[0], /\(\/people\//, 'no raw path in the message');
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(response.body)?.[0] ?? '';
  assert.match(summary, new RegExp(`<a class="govuk-link" href="/people/${personId}">`));
  const bad = await client.post('/people', {
    prisonNumber: 'A1234BC',
    givenName: 'X',
    familyName: 'Y',
    'dateOfBirth-day': '31',
    'dateOfBirth-month': '2',
    'dateOfBirth-year': '1990',
    sex: 'male',
    siteId: String(ngt),
  });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(errorSummary(bad.body), ['Date of birth must be a real date']);
  assert.match(bad.body, /href="#dateOfBirth-day"/);
});

test('a second referral from the person page is refused with a link to the first', async () => {
  const client = await signedIn('manager');
  await client.get(`/people/${personId}`);
  const response = await client.post(`/people/${personId}/referrals`, { programmeId: 'core-sotp' });
  assert.equal(response.statusCode, 400);
  assert.match(errorSummary(response.body)[0], /already has an open referral/);
  assert.doesNotMatch(errorSummary(response.body)[0], /\//, 'no raw path in the message');
  // The error summary itself carries the link to his open referral.
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(response.body)?.[0] ?? '';
  assert.match(summary, new RegExp(`<a class="govuk-link" href="/referrals/${referralId}">`));
});

test('the waitlist page shows the release warning tag', async () => {
  const db = t.database.db;
  const p = await createPerson(db, manager, {
    prisonNumber: 'W2000WW',
    givenName: 'Soon',
    familyName: 'Released',
    dateOfBirth: '1970-01-01',
    sex: 'male',
    siteId: ngt,
    earliestReleaseDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
  });
  // Only eligible men reach the waitlist: with nothing else recorded, a treatment manager's override lets him on.
  await recordEligibilityOverride(db, manager, p.id, 'core-sotp', { result: 'eligible', reason: 'Assessment records held on paper' }, '2026-01-01');
  let r = await createReferral(db, manager, { personId: p.id, programmeId: 'core-sotp', submit: true });
  for (const step of ['accept_for_assessment', 'start_assessment', 'record_suitable', 'add_to_waitlist'])
    r = await transitionReferral(db, manager, r.id, step, { version: r.version });
  const client = await signedIn('manager');
  const page = await client.get(`/waitlist?siteId=${ngt}&programmeId=core-sotp`);
  assert.equal(page.statusCode, 200);
  const row = new RegExp(`Released, Soon[\\s\\S]*?</tr>`).exec(page.body)?.[0] ?? '';
  assert.match(row, /Release before group ends/);
});

test('navigation offers caseload, people and waitlist to a treatment manager', async () => {
  const client = await signedIn('manager');
  const home = await client.get('/');
  for (const href of ['/caseload', '/people', '/waitlist']) assert.match(home.body, new RegExp(`href="${href}"`));
});

test('an assessor adds a person and a conviction through the forms; a stale edit answers 409', async () => {
  const client = await signedIn('assessor');
  await client.get('/people/new');
  const created = await client.post('/people', {
    prisonNumber: 'w3000ww',
    givenName: 'Formfilled',
    familyName: 'Byhand',
    'dateOfBirth-day': '9',
    'dateOfBirth-month': '10',
    'dateOfBirth-year': '1969',
    sex: 'male',
    siteId: String(ngt),
    neverMarried: '',
    iqScore: '',
  });
  assert.equal(created.statusCode, 303, errorSummary(created.body).join('; '));
  const url = String(created.headers.location);
  const page = await client.get(url);
  assert.match(page.body, /W3000WW/);
  assert.match(page.body, /9 October 1969/);

  await client.get(`${url}/convictions/new`);
  const missing = await client.post(`${url}/convictions`, { offence: 'Fictional' });
  assert.equal(missing.statusCode, 400);
  assert.deepEqual(errorSummary(missing.body).length, 2); // the date and the category
  const added = await client.post(`${url}/convictions`, {
    'convictionDate-day': '1',
    'convictionDate-month': '3',
    'convictionDate-year': '2001',
    offence: 'Fictional offence',
    category: 'sexual_contact',
    victimChild: 'true',
  });
  assert.equal(added.statusCode, 303);
  const withConviction = await client.get(url);
  assert.match(withConviction.body, /Fictional offence[\s\S]*?Sexual \(contact\)[\s\S]*?child/);

  const edit = await client.get(`${url}/edit`);
  const version = /name="version" value="(\d+)"/.exec(edit.body)![1];
  const form = {
    prisonNumber: 'W3000WW',
    givenName: 'Formfilled',
    familyName: 'Renamed',
    'dateOfBirth-day': '9',
    'dateOfBirth-month': '10',
    'dateOfBirth-year': '1969',
    sex: 'male',
    siteId: String(ngt),
    version,
  };
  assert.equal((await client.post(url, form)).statusCode, 303);
  assert.equal((await client.post(url, { ...form, familyName: 'Clobbered' })).statusCode, 409);
  assert.match((await client.get(url)).body, /Formfilled Renamed/);
});

test('a treatment manager overrides eligibility from the person page; a missing reason is an error linked to the field', async () => {
  const client = await signedIn('manager');
  await client.get(`/people/${personId}`);
  const refused = await client.post(`/people/${personId}/eligibility/core-sotp/override`, { result: 'eligible', reason: '' });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /href="#override-core-sotp-reason"/);
  assert.match(refused.body, /id="override-core-sotp-reason"/);
  const done = await client.post(`/people/${personId}/eligibility/core-sotp/override`, {
    result: 'eligible',
    reason: 'IQ assessment booked; clinical judgement',
  });
  assert.equal(done.statusCode, 303);
  const page = await client.get(`/people/${personId}`);
  assert.match(page.body, /Overridden to <strong>eligible<\/strong>/);
  assert.match(page.body, /computed now: undetermined/);
  const asAssessor = await (await signedIn('assessor')).get(`/people/${personId}`);
  assert.doesNotMatch(asAssessor.body, /Record override/);
});
