// Issue 8, referrals and groups: a referral is allocated (or on programme) if and only if the man is a current
// member of a group of its programme; only eligible (or overridden) men reach the waitlist or a group; dates
// that cannot be; removing a conviction puts his scores out of date.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, isNull } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Database } from '../../src/db/connection.js';
import { groupMembers, people, programmeGroups, programmeVersions, referrals, riskScores, rooms } from '../../src/db/schema.js';
import { systemActor, type Actor } from '../../src/services/access.js';
import { getEligibility, recordEligibilityOverride } from '../../src/services/eligibility.js';
import { ValidationFailed } from '../../src/services/errors.js';
import { checkReferralGroups } from '../../src/services/group-membership.js';
import { allocateToGroup, removeFromGroup } from '../../src/services/groups/allocation.js';
import { getGroup } from '../../src/services/groups/detail.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { addConviction, createPerson, getPerson, removeConviction } from '../../src/services/people.js';
import { createReferral, getReferral, transitionReferral, type Referral } from '../../src/services/referrals.js';
import { scorePerson } from '../../src/services/risk-scores.js';
import { cliDatabaseEnv, testDatabase } from '../support/database.js';
import { actorOf, siteIdOf } from '../support/actors.js';
import { runCli } from '../support/run-cli.js';

let database: Database;
let manager: Actor;
let manager2: Actor;
let assessor: Actor;
let ngt: number;
let smr: number;
let serial = 0;

before(async () => {
  database = await testDatabase({ demo: true });
  manager = await actorOf(database.db, 'manager');
  manager2 = await actorOf(database.db, 'manager2');
  assessor = await actorOf(database.db, 'assessor');
  ngt = await siteIdOf(database.db, 'NGT');
  smr = await siteIdOf(database.db, 'SMR');
});
after(() => database.close());

const rmMedium = {
  ageAtCommencementOfRisk: 30,
  sexualAppearances: 1,
  criminalAppearances: 1,
  maleVictim: false,
  strangerVictim: false,
  singleNeverMarried: false,
  nonContactSexualOffence: false,
};
const rmLow = { ...rmMedium, ageAtCommencementOfRisk: 40 };

/** A man at Northgate with a contact sexual conviction and an IQ over 80; `risk` decides the rest of his eligibility. */
async function man(risk: 'medium' | 'low' | 'unscored', siteId = ngt) {
  serial += 1;
  const actor = siteId === ngt ? manager : manager2;
  const person = await createPerson(database.db, actor, {
    prisonNumber: `Y${String(2000 + serial)}YY`,
    givenName: 'Integrity',
    familyName: `Case${serial}`,
    dateOfBirth: '1979-03-03',
    sex: 'male',
    siteId,
    iqScore: 100,
    iqTest: 'WAIS-IV',
    iqDate: '2024-01-10',
  });
  await addConviction(database.db, assessor, person.id, { convictionDate: '2016-06-06', offence: 'Sexual assault', category: 'sexual_contact' });
  if (risk !== 'unscored') await scorePerson(database.db, assessor, person.id, 'rm2000s', risk === 'medium' ? rmMedium : rmLow, '2026-01-01');
  return person;
}

// Completion and deselection are made by the completion record (services/progress.ts), which this walk stands in for.
const byCompletionRecord = new Set(['complete_programme', 'deselect']);

async function walk(r: Referral, actor: Actor, steps: string[]): Promise<Referral> {
  for (const step of steps) {
    r = await transitionReferral(database.db, actor, r.id, step, { reason: 'For the record', version: r.version }, undefined, byCompletionRecord.has(step));
  }
  return r;
}

/** A referral assessed as suitable, and one step further onto the waitlist. */
async function suitable(risk: 'medium' | 'low' | 'unscored', siteId = ngt): Promise<Referral> {
  const person = await man(risk, siteId);
  const actor = siteId === ngt ? manager : manager2;
  const r = await createReferral(database.db, actor, { personId: person.id, programmeId: 'core-sotp' });
  return walk(r, actor, ['submit', 'accept_for_assessment', 'start_assessment', 'record_suitable']);
}
async function waiting(siteId = ngt): Promise<Referral> {
  const r = await suitable('medium', siteId);
  return walk(r, siteId === ngt ? manager : manager2, ['add_to_waitlist']);
}

async function newGroup(siteId = ngt, capacity = 10): Promise<number> {
  serial += 1;
  const [room] = await database.db.select().from(rooms).where(eq(rooms.siteId, siteId));
  const [version] = await database.db.select().from(programmeVersions).where(eq(programmeVersions.programmeId, 'core-sotp'));
  const actor = siteId === ngt ? manager : manager2;
  const [group] = await database.db
    .insert(programmeGroups)
    .values({
      name: `Integrity group ${serial}`,
      programmeVersionId: version.id,
      siteId,
      roomId: room.id,
      capacity,
      earliestStart: '2027-01-04',
      treatmentManagerId: actor.userId!,
    })
    .returning();
  return group.id;
}

async function currentMembership(referralId: number) {
  return database.db
    .select()
    .from(groupMembers)
    .where(and(eq(groupMembers.referralId, referralId), isNull(groupMembers.leftAt)));
}

const refusedOn = (field: string, pattern?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ValidationFailed, String(e));
  assert.equal(e.errors[0].field, field);
  if (pattern) assert.match(e.errors[0].message, pattern);
  return true;
};

// ------------------------------------------------------------------------------------------- item 1

test('a referral is allocated only to a named group: allocating with no group is refused and changes nothing', async () => {
  const r = await waiting();
  await assert.rejects(transitionReferral(database.db, manager, r.id, 'allocate', { version: r.version }), refusedOn('groupId', /Choose the group/));
  const [row] = await database.db.select().from(referrals).where(eq(referrals.id, r.id));
  assert.equal(row.status, 'awaiting_allocation');
  assert.equal((await currentMembership(r.id)).length, 0);
});

test('allocation from the referral makes him a member of the chosen group, which the referral page then names', async () => {
  const r = await waiting();
  const groupId = await newGroup();
  const offered = (await getReferral(database.db, manager, r.id)).groupChoices.map((g) => g.id);
  assert.ok(offered.includes(groupId), 'the referral page offers the site’s groups with free places');
  const allocated = await transitionReferral(database.db, manager, r.id, 'allocate', { version: r.version, groupId });
  assert.equal(allocated.status, 'allocated');
  assert.deepEqual(
    (await currentMembership(r.id)).map((m) => m.groupId),
    [groupId],
  );
  assert.equal((await getReferral(database.db, manager, r.id)).group?.id, groupId);
});

test('a referral is allocated only to a group of its programme at its site with a free place', async () => {
  const full = await newGroup(ngt, 1);
  const first = await waiting();
  await transitionReferral(database.db, manager, first.id, 'allocate', { version: first.version, groupId: full });
  const r = await waiting();
  await assert.rejects(transitionReferral(database.db, manager, r.id, 'allocate', { version: r.version, groupId: full }), refusedOn('groupId', /full/));
  assert.ok(!(await getReferral(database.db, manager, r.id)).groupChoices.some((g) => g.id === full), 'a full group is not offered');
  const elsewhere = await newGroup(smr);
  await assert.rejects(
    transitionReferral(database.db, manager, r.id, 'allocate', { version: r.version, groupId: elsewhere }),
    refusedOn('groupId', /his prison/),
  );
  const [row] = await database.db.select().from(referrals).where(eq(referrals.id, r.id));
  assert.equal(row.status, 'awaiting_allocation');
});

test('leaving a group moves the referral back: removal by the treatment manager ends the membership and returns him to the waitlist', async () => {
  const r = await waiting();
  const groupId = await newGroup();
  const allocated = await transitionReferral(database.db, manager, r.id, 'allocate', { version: r.version, groupId });
  const onProgramme = await walk(allocated, manager, ['start_programme']);
  await assert.rejects(removeFromGroup(database.db, manager, groupId, { referralId: r.id, version: onProgramme.version, reason: '' }), refusedOn('reason'));
  await assert.rejects(removeFromGroup(database.db, manager2, groupId, { referralId: r.id, version: onProgramme.version, reason: 'Moved' }));
  await removeFromGroup(database.db, manager, groupId, { referralId: r.id, version: onProgramme.version, reason: 'Moved to another wing' });
  const [row] = await database.db.select().from(referrals).where(eq(referrals.id, r.id));
  assert.equal(row.status, 'awaiting_allocation');
  assert.equal((await currentMembership(r.id)).length, 0);
  const group = await getGroup(database.db, manager, groupId);
  assert.ok(!group.members.some((m) => m.referralId === r.id));
  assert.equal(group.formerMembers.find((m) => m.referralId === r.id)?.leftReason, 'Moved to another wing');
  // Back on the waitlist, he may be allocated again, to this group or another.
  const again = await transitionReferral(database.db, manager, r.id, 'allocate', { version: row.version, groupId });
  assert.equal(again.status, 'allocated');
});

test('putting an allocated man on hold ends his membership, and taking him off hold returns him to awaiting allocation, not allocated', async () => {
  const r = await waiting();
  const groupId = await newGroup();
  const allocated = await transitionReferral(database.db, manager, r.id, 'allocate', { version: r.version, groupId });
  const held = await walk(allocated, manager, ['put_on_hold']);
  assert.equal((await currentMembership(r.id)).length, 0);
  const resumed = await walk(held, manager, ['resume']);
  assert.equal(resumed.status, 'awaiting_allocation');
  assert.equal((await currentMembership(r.id)).length, 0);
});

test('withdrawing, deselecting and completing end the membership; the group keeps them as former members', async () => {
  const groupId = await newGroup();
  const outcomes: Array<[string[], string]> = [
    [['withdraw'], 'withdrawn'],
    [['start_programme', 'deselect'], 'deselected'],
    [['start_programme', 'complete_programme'], 'programme_complete'],
  ];
  for (const [steps, status] of outcomes) {
    const r = await waiting();
    const allocated = await transitionReferral(database.db, manager, r.id, 'allocate', { version: r.version, groupId });
    const done = await walk(allocated, manager, steps);
    assert.equal(done.status, status);
    assert.equal((await currentMembership(r.id)).length, 0, status);
    assert.ok(
      (await getGroup(database.db, manager, groupId)).formerMembers.some((m) => m.referralId === r.id),
      status,
    );
  }
});

test('completing or deselecting a man is refused as a referral action: only the completion record, which checks the rule, makes it', async () => {
  const groupId = await newGroup();
  const r = await waiting();
  const allocated = await transitionReferral(database.db, manager, r.id, 'allocate', { version: r.version, groupId });
  const started = await walk(allocated, manager, ['start_programme']);
  for (const transition of ['complete_programme', 'deselect']) {
    await assert.rejects(
      transitionReferral(database.db, manager, r.id, transition, { reason: 'Any reason', version: started.version }),
      (error: unknown) => error instanceof ValidationFailed && error.errors[0].field === 'transition',
      transition,
    );
  }
  assert.equal((await currentMembership(r.id)).length, 1, 'he is still in the group');
});

test('the demo data is consistent: every referral’s status agrees with its group membership', async () => {
  const check = await checkReferralGroups(database.db, systemActor);
  assert.deepEqual(check.disagreements, []);
  const inGroup = await database.db.select().from(referrals).where(eq(referrals.status, 'allocated'));
  assert.ok(inGroup.length > 0, 'the demo has allocated men, each in a group');
});

test('the consistency check finds a referral allocated to no group and a member whose referral is not allocated', async () => {
  const fresh = await testDatabase({ demo: true });
  try {
    const [member] = await fresh.db.select().from(groupMembers).where(isNull(groupMembers.leftAt)).limit(1);
    const [waitingRow] = await fresh.db.select().from(referrals).where(eq(referrals.status, 'awaiting_allocation')).limit(1);
    await fresh.db.update(referrals).set({ status: 'awaiting_allocation' }).where(eq(referrals.id, member.referralId));
    await fresh.db.update(referrals).set({ status: 'allocated' }).where(eq(referrals.id, waitingRow.id));
    const check = await checkReferralGroups(fresh.db, systemActor);
    assert.deepEqual(
      check.disagreements.map((d) => d.referralId).sort((a, b) => a - b),
      [member.referralId, waitingRow.id].sort((a, b) => a - b),
    );
    await assert.rejects(checkReferralGroups(fresh.db, await actorOf(fresh.db, 'manager')));
  } finally {
    await fresh.close();
  }
});

test('sotp db check says "consistent" on the demo data and exits 1 listing the referrals that disagree', async () => {
  const { env, cleanup } = await cliDatabaseEnv({ demo: true });
  try {
    const clean = await runCli(['db', 'check'], { env });
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /^consistent: \d+ referrals, \d+ current group members/);
    assert.equal(clean.stdout.split('\n').filter(Boolean).length, 1);
    const statement = `UPDATE referrals SET status = 'allocated' WHERE id = (SELECT min(id) FROM referrals WHERE status = 'awaiting_allocation') RETURNING id`;
    let id: number;
    if (env.DATABASE_URL) {
      const client = new pg.Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      id = (await client.query(statement)).rows[0].id;
      await client.end();
    } else {
      const client = await PGlite.create(env.DATA_DIR);
      id = (await client.query<{ id: number }>(statement)).rows[0].id;
      await client.close();
    }
    const broken = await runCli(['db', 'check'], { env });
    assert.equal(broken.code, 1);
    assert.equal(broken.stdout, '');
    assert.match(broken.stderr, new RegExp(`referral ${id}: allocated to a group but a current member of no group`));
  } finally {
    await cleanup();
  }
});

// ------------------------------------------------------------------------------------------- item 2

test('moving to the waitlist needs eligibility: a man computed not eligible is refused, naming the reason and linking to the override', async () => {
  const r = await suitable('low');
  await assert.rejects(transitionReferral(database.db, manager, r.id, 'add_to_waitlist', { version: r.version }), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed);
    assert.equal(e.errors[0].field, 'eligibility');
    assert.match(e.errors[0].message, /not eligible/);
    assert.match(e.errors[0].message, /RM2000\/S category is low/);
    assert.equal(e.errors[0].link?.href, `/people/${r.personId}#eligibility`);
    return true;
  });
  const [row] = await database.db.select().from(referrals).where(eq(referrals.id, r.id));
  assert.equal(row.status, 'assessed_suitable');
  await recordEligibilityOverride(
    database.db,
    manager,
    r.personId,
    'core-sotp',
    { result: 'eligible', reason: 'Clinical review: sexual murder conviction found in the file' },
    '2026-01-01',
  );
  const waitlisted = await transitionReferral(database.db, manager, r.id, 'add_to_waitlist', { version: r.version });
  assert.equal(waitlisted.status, 'awaiting_allocation');
});

test('moving to the waitlist with eligibility undetermined needs the missing facts or an override', async () => {
  const r = await suitable('unscored');
  await assert.rejects(
    transitionReferral(database.db, manager, r.id, 'add_to_waitlist', { version: r.version }),
    refusedOn('eligibility', /undetermined: No RM2000\/S risk category is recorded/),
  );
  await scorePerson(database.db, assessor, r.personId, 'rm2000s', rmMedium, '2026-01-01');
  const waitlisted = await transitionReferral(database.db, manager, r.id, 'add_to_waitlist', { version: r.version });
  assert.equal(waitlisted.status, 'awaiting_allocation');
});

test('moving into a group needs eligibility: allocation from the group page refuses a man no longer eligible, naming him', async () => {
  const r = await waiting();
  await recordEligibilityOverride(
    database.db,
    manager,
    r.personId,
    'core-sotp',
    { result: 'not_eligible', reason: 'New information from probation' },
    '2026-01-01',
  );
  const groupId = await newGroup();
  const { version } = await getGroup(database.db, manager, groupId);
  await assert.rejects(
    allocateToGroup(database.db, manager, groupId, { referrals: [`${r.id}:${r.version}`], version }),
    refusedOn('referrals', /^Integrity Case\d+: .*overrode his eligibility to not eligible/),
  );
  assert.equal((await currentMembership(r.id)).length, 0);
});

test('the demo waitlist holds only eligible men (computed, or by an override)', async () => {
  // The demo men's prison numbers start with D; other tests in this file add men of their own.
  const waitlisted = (
    await database.db
      .select({ r: referrals, prisonNumber: people.prisonNumber })
      .from(referrals)
      .innerJoin(people, eq(people.id, referrals.personId))
      .where(eq(referrals.status, 'awaiting_allocation'))
  )
    .filter((row) => row.prisonNumber.startsWith('D'))
    .map((row) => row.r);
  assert.ok(waitlisted.length > 0);
  for (const w of waitlisted) {
    const actor = w.siteId === ngt ? manager : manager2;
    const eligibility = await getEligibility(database.db, actor, w.personId, 'core-sotp', new Date().toISOString().slice(0, 10));
    assert.equal(eligibility.result, 'eligible', `referral ${w.id}`);
  }
});

test('the referral page shows his eligibility with its reasons and his latest risk score', async () => {
  const r = await suitable('medium');
  const record = await getReferral(database.db, manager, r.id);
  assert.equal(record.eligibility.result, 'eligible');
  assert.ok(record.eligibility.computed.criteria.length > 0);
  assert.deepEqual(
    record.latestScores.map((s) => [s.instrument, s.category]),
    [['rm2000s', 'medium']],
  );
});

// ------------------------------------------------------------------------------------------- item 3

test('a new group starts today or later', async () => {
  const form = (earliestStart: string) => ({
    name: `Dated group ${++serial}`,
    programmeId: 'core-sotp',
    roomId: '1',
    capacity: '9',
    earliestStart,
    slots: ['mon 09:00'],
    treatmentManagerId: String(manager.userId),
    leadId: '1',
    coId: '2',
  });
  await assert.rejects(createGroup(database.db, manager, ngt, form('2020-01-06'), '2026-12-01'), refusedOn('earliestStart', /today or in the future/));
  await assert.rejects(createGroup(database.db, manager, ngt, form('2026-11-30'), '2026-12-01'), refusedOn('earliestStart'));
});

test('a date of birth is in the past and gives an age under 110, on creating and on editing a record', async () => {
  const base = { prisonNumber: 'X9001XX', givenName: 'Dated', familyName: 'Person', sex: 'male', siteId: ngt };
  await assert.rejects(createPerson(database.db, manager, { ...base, dateOfBirth: '2031-01-01' }, '2026-12-01'), refusedOn('dateOfBirth', /in the past/));
  await assert.rejects(createPerson(database.db, manager, { ...base, dateOfBirth: '1900-01-01' }, '2026-12-01'), refusedOn('dateOfBirth', /under 110/));
  const person = await createPerson(database.db, manager, { ...base, dateOfBirth: '1970-01-01' }, '2026-12-01');
  const { updatePerson } = await import('../../src/services/people.js');
  await assert.rejects(
    updatePerson(database.db, manager, person.id, { dateOfBirth: '2027-01-01', version: person.version }, '2026-12-01'),
    refusedOn('dateOfBirth'),
  );
});

test('a conviction date is not after today nor before his date of birth', async () => {
  const person = await man('medium');
  await assert.rejects(
    addConviction(database.db, assessor, person.id, { convictionDate: '2031-01-01', offence: 'Theft', category: 'other' }, '2026-12-01'),
    refusedOn('convictionDate', /today or in the past/),
  );
  await assert.rejects(
    addConviction(database.db, assessor, person.id, { convictionDate: '1979-03-02', offence: 'Theft', category: 'other' }, '2026-12-01'),
    refusedOn('convictionDate', /date of birth/),
  );
});

// ------------------------------------------------------------------------------------------- item 10

test('removing a conviction marks the risk scores computed from his record out of date', async () => {
  const person = await man('medium');
  const record = await getPerson(database.db, manager, person.id);
  const conviction = record.convictions[0];
  const result = await removeConviction(database.db, assessor, conviction.id, { version: conviction.version }, person.id);
  assert.equal(result.scoresOutOfDate, 1);
  const scores = await database.db.select().from(riskScores).where(eq(riskScores.personId, person.id));
  assert.ok(scores.every((s) => s.outOfDateSince instanceof Date));
  // A new score is not out of date.
  await scorePerson(database.db, assessor, person.id, 'rm2000s', rmMedium, '2026-12-01');
  const after = await getPerson(database.db, manager, person.id);
  assert.equal(after.scores[0].outOfDateSince, null);
});
