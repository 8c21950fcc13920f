// Issue 8 through the pages: allocation to a named group from the referral page, removal from a group with a
// reason, the eligibility gate's way forward, eligibility and risk on the referral page, and asking before a
// conviction is removed (its scores then show as out of date).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { programmeGroups } from '../../src/db/schema.js';
import type { Actor } from '../../src/services/access.js';
import { addConviction, createPerson } from '../../src/services/people.js';
import { createReferral, transitionReferral, type Referral } from '../../src/services/referrals.js';
import { scorePerson } from '../../src/services/risk-scores.js';
import { errorSummary, startTestApp, type TestApp } from '../support/web.js';
import { actorOf, siteIdOf } from '../support/actors.js';

let t: TestApp;
let manager: Actor;
let assessor: Actor;
let ngt: number;
let group: { id: number; name: string };
let serial = 0;

before(async () => {
  t = await startTestApp({ demo: true });
  manager = await actorOf(t.database.db, 'manager');
  assessor = await actorOf(t.database.db, 'assessor');
  ngt = await siteIdOf(t.database.db, 'NGT');
  [group] = await t.database.db
    .select({ id: programmeGroups.id, name: programmeGroups.name })
    .from(programmeGroups)
    .where(and(eq(programmeGroups.siteId, ngt)));
});
after(() => t.close());

const rm = (age: number) => ({
  ageAtCommencementOfRisk: age,
  sexualAppearances: 1,
  criminalAppearances: 1,
  maleVictim: false,
  strangerVictim: false,
  singleNeverMarried: false,
  nonContactSexualOffence: false,
});

/** A man assessed suitable at Northgate; RM2000/S medium at 30 (eligible), low at 40 (not eligible). */
async function suitable(age: 30 | 40): Promise<Referral> {
  const db = t.database.db;
  serial += 1;
  const p = await createPerson(db, manager, {
    prisonNumber: `V${String(3000 + serial)}VV`,
    givenName: 'Pageflow',
    familyName: `Man${serial}`,
    dateOfBirth: '1981-08-08',
    sex: 'male',
    siteId: ngt,
    iqScore: 99,
    iqTest: 'WAIS-IV',
    iqDate: '2024-02-02',
  });
  await addConviction(db, assessor, p.id, { convictionDate: '2017-07-07', offence: 'Sexual assault', category: 'sexual_contact' });
  await scorePerson(db, assessor, p.id, 'rm2000s', rm(age), '2026-01-01');
  let r = await createReferral(db, manager, { personId: p.id, programmeId: 'core-sotp', submit: true });
  for (const step of ['accept_for_assessment', 'start_assessment', 'record_suitable'])
    r = await transitionReferral(db, manager, r.id, step, { version: r.version });
  return r;
}

async function signedIn(username: string) {
  const client = t.client();
  await client.signIn(username);
  return client;
}

test('"Allocate to a group" on the referral page offers the site’s groups with free places, each button naming its group', async () => {
  const r = await suitable(30);
  const waiting = await transitionReferral(t.database.db, manager, r.id, 'add_to_waitlist', { version: r.version });
  const client = await signedIn('manager');
  const page = await client.get(`/referrals/${r.id}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`Allocate him to ${group.name}`));
  assert.match(page.body, new RegExp(`name="groupId" value="${group.id}"`));
  assert.doesNotMatch(page.body, /Are you sure you want to allocate him to this group\?/);
  const noGroup = await client.post(`/referrals/${r.id}/transitions/allocate`, { version: String(waiting.version) });
  assert.equal(noGroup.statusCode, 400);
  assert.match(errorSummary(noGroup.body)[0], /Choose the group/);
  assert.match(noGroup.body, /href="#allocate-groupId"/);
  assert.match(noGroup.body, /id="allocate-groupId"/);
  const done = await client.post(`/referrals/${r.id}/transitions/allocate`, { version: String(waiting.version), groupId: String(group.id) });
  assert.equal(done.statusCode, 303);
  const after = await client.get(`/referrals/${r.id}`);
  assert.match(after.body, /Allocated to a group/);
  assert.match(after.body, new RegExp(`href="/groups/${group.id}">${group.name}</a>`));
  const groupPage = await client.get(`/groups/${group.id}`);
  assert.match(groupPage.body, new RegExp(`href="/referrals/${r.id}"`));
});

test('a man computed not eligible is refused the waitlist on the referral page, with a link to record the facts or an override', async () => {
  const r = await suitable(40);
  const client = await signedIn('manager');
  await client.get(`/referrals/${r.id}`);
  const refused = await client.post(`/referrals/${r.id}/transitions/add_to_waitlist`, { version: String(r.version) });
  assert.equal(refused.statusCode, 400);
  assert.match(errorSummary(refused.body)[0], /not eligible/);
  assert.match(refused.body, /href="#add_to_waitlist-eligibility"/);
  assert.match(refused.body, /id="add_to_waitlist-eligibility"/);
  const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(refused.body)?.[0] ?? '';
  assert.match(summary, new RegExp(`<a class="govuk-link" href="/people/${r.personId}#eligibility">`));
});

test('the referral page shows his eligibility with per-criterion reasons and his latest risk score', async () => {
  const r = await suitable(40);
  const client = await signedIn('manager');
  const page = await client.get(`/referrals/${r.id}`);
  assert.match(page.body, /Eligibility for Core/);
  assert.match(page.body, /Not eligible/);
  assert.match(page.body, /RM2000\/S category is low/);
  assert.match(page.body, /Latest risk scores[\s\S]*RM2000\/S[\s\S]*Low/);
});

test('a treatment manager removes a man from the group on the group page, with a reason; the referral goes back to awaiting allocation', async () => {
  const r = await suitable(30);
  const waiting = await transitionReferral(t.database.db, manager, r.id, 'add_to_waitlist', { version: r.version });
  await transitionReferral(t.database.db, manager, r.id, 'allocate', { version: waiting.version, groupId: group.id });
  const client = await signedIn('manager');
  const groupPage = await client.get(`/groups/${group.id}`);
  assert.match(groupPage.body, new RegExp(`href="/groups/${group.id}/members/${r.id}/remove"`));
  const form = await client.get(`/groups/${group.id}/members/${r.id}/remove`);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, new RegExp(`Remove Pageflow Man\\d+ from ${group.name}`));
  const version = /name="version" value="(\d+)"/.exec(form.body)![1];
  const noReason = await client.post(`/groups/${group.id}/members/${r.id}/remove`, { version, reason: '' });
  assert.equal(noReason.statusCode, 400);
  assert.match(noReason.body, /href="#reason"/);
  const done = await client.post(`/groups/${group.id}/members/${r.id}/remove`, { version, reason: 'Moved to another wing' });
  assert.equal(done.statusCode, 303);
  const referral = await client.get(`/referrals/${r.id}`);
  assert.match(referral.body, /Awaiting allocation/);
  assert.match(referral.body, /Not in a group/);
  const after = await client.get(`/groups/${group.id}`);
  assert.match(after.body, /Men who have left the group[\s\S]*Moved to another wing/);
  const asFacilitator = await (await signedIn('facilitator')).get(`/groups/${group.id}/members/${r.id}/remove`);
  assert.equal(asFacilitator.statusCode, 403);
});

test('a man on programme: his referral page links to his group’s completion form and offers no bare completion or deselection button; posting one is refused', async () => {
  const r = await suitable(30);
  const waiting = await transitionReferral(t.database.db, manager, r.id, 'add_to_waitlist', { version: r.version });
  const allocated = await transitionReferral(t.database.db, manager, r.id, 'allocate', { version: waiting.version, groupId: group.id });
  const started = await transitionReferral(t.database.db, manager, r.id, 'start_programme', { version: allocated.version });
  const client = await signedIn('manager');
  const page = await client.get(`/referrals/${r.id}`);
  assert.match(page.body, new RegExp(`href="/groups/${group.id}/members/\\d+/completion">Record his completion or deselection`));
  assert.doesNotMatch(page.body, /data-transition="(complete_programme|deselect)"/);
  const bare = await client.post(`/referrals/${r.id}/transitions/complete_programme`, { version: String(started.version) });
  assert.equal(bare.statusCode, 400);
  assert.match(bare.body, /completion form of his group/);
  assert.match((await client.get(`/referrals/${r.id}`)).body, /On programme/);
});

test('the group’s allocation page names the group on its button', async () => {
  const client = await signedIn('manager');
  const page = await client.get(`/groups/${group.id}/allocate`);
  assert.equal(page.statusCode, 200);
  if (/name="referrals"/.test(page.body)) assert.match(page.body, new RegExp(`Allocate to ${group.name}`));
  assert.doesNotMatch(page.body, /Allocate to this group/);
});

test('deleting a conviction asks for confirmation, and scores computed from it show as out of date — rescore', async () => {
  const r = await suitable(30);
  const client = await signedIn('assessor');
  const person = await client.get(`/people/${r.personId}`);
  const link = new RegExp(`href="(/people/${r.personId}/convictions/(\\d+)/remove)"`).exec(person.body);
  assert.ok(link, 'the person page links to the confirmation page, not straight to a delete');
  const confirm = await client.get(link[1]);
  assert.equal(confirm.statusCode, 200);
  assert.match(confirm.body, /Are you sure you want to remove this conviction\?/);
  assert.match(confirm.body, /will be marked out of date/);
  const version = /name="version" value="(\d+)"/.exec(confirm.body)![1];
  const removed = await client.post(link[1], { version });
  assert.equal(removed.statusCode, 303);
  const after = await client.get(`/people/${r.personId}`);
  assert.doesNotMatch(after.body, /Sexual assault/);
  assert.match(after.body, /Out of date — rescore/);
});
