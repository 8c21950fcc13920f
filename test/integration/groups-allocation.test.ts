import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { eligibilityOverrides, groupMembers, people, referralHistory, referrals } from '../../src/db/schema.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { allocateToGroup, allocationChoice } from '../../src/services/groups/allocation.js';
import { getGroup } from '../../src/services/groups/detail.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { testDatabase } from '../support/database.js';
import { buildEstate, groupForm, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
let groupId: number;
before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
  groupId = (await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { capacity: '3' }), testToday)).id;
});
after(() => database.close());

let seq = 0;
/** A man waiting for Core SOTP at a site: a referral in awaiting_allocation. */
async function waiting(siteId: number): Promise<{ referralId: number; version: number }> {
  seq++;
  const [person] = await database.db
    .insert(people)
    .values({ prisonNumber: `W${String(1000 + seq)}AB`, givenName: 'Wait', familyName: `Listed${seq}`, dateOfBirth: '1975-05-05', sex: 'male', siteId })
    .returning();
  // Only eligible men may join a group: a treatment manager's override stands in for his facts here.
  await database.db.insert(eligibilityOverrides).values({
    personId: person.id,
    programmeId: 'core-sotp',
    computedResult: 'undetermined',
    result: 'eligible',
    reason: 'Facts held on paper',
    decidedBy: estate.managerA.userId!,
  });
  const [referral] = await database.db
    .insert(referrals)
    .values({ personId: person.id, programmeId: 'core-sotp', siteId, status: 'awaiting_allocation', waitlistedAt: new Date('2026-10-01T09:00:00Z') })
    .returning();
  return { referralId: referral.id, version: referral.version };
}
const pick = (r: { referralId: number; version: number }) => `${r.referralId}:${r.version}`;
const version = async () => (await getGroup(database.db, estate.managerA, groupId)).version;

test('allocating men from the waitlist moves their referrals to allocated and adds them to the group', async () => {
  const a = await waiting(estate.siteA);
  const b = await waiting(estate.siteA);
  const choice = await allocationChoice(database.db, estate.managerA, groupId, testToday);
  const offered = choice.waitlist.entries.map((e) => e.referralId);
  assert.ok(offered.includes(a.referralId) && offered.includes(b.referralId));
  const result = await allocateToGroup(database.db, estate.managerA, groupId, { referrals: [pick(a), pick(b)], version: await version() });
  assert.equal(result.allocated, 2);
  const rows = await database.db
    .select()
    .from(referrals)
    .where(inArray(referrals.id, [a.referralId, b.referralId]));
  assert.deepEqual(
    rows.map((r) => r.status),
    ['allocated', 'allocated'],
  );
  const history = await database.db.select().from(referralHistory).where(eq(referralHistory.referralId, a.referralId));
  assert.ok(history.some((h) => h.transition === 'allocate' && h.toStatus === 'allocated'));
  assert.equal((await getGroup(database.db, estate.managerA, groupId)).members.length, 2);
});

test('a group is never filled beyond its capacity', async () => {
  const c = await waiting(estate.siteA);
  const d = await waiting(estate.siteA);
  await assert.rejects(
    allocateToGroup(database.db, estate.managerA, groupId, { referrals: [pick(c), pick(d)], version: await version() }),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'referrals' && /room for 1 more/.test(e.errors[0].message),
  );
  const still = await database.db
    .select()
    .from(referrals)
    .where(inArray(referrals.id, [c.referralId, d.referralId]));
  assert.deepEqual(
    still.map((r) => r.status),
    ['awaiting_allocation', 'awaiting_allocation'],
  );
});

test('allocation is all or nothing: a man from another prison spoils the whole choice', async () => {
  const here = await waiting(estate.siteA);
  const there = await waiting(estate.siteB);
  const before = (await database.db.select().from(groupMembers).where(eq(groupMembers.groupId, groupId))).length;
  await assert.rejects(
    allocateToGroup(database.db, estate.managerA, groupId, { referrals: [pick(here), pick(there)], version: await version() }),
    ValidationFailed,
  );
  assert.equal((await database.db.select().from(groupMembers).where(eq(groupMembers.groupId, groupId))).length, before);
  const [row] = await database.db.select().from(referrals).where(eq(referrals.id, here.referralId));
  assert.equal(row.status, 'awaiting_allocation');
});

test('a stale group version or a stale referral version is a conflict, and other prisons’ managers are refused', async () => {
  const e = await waiting(estate.siteA);
  await assert.rejects(allocateToGroup(database.db, estate.managerA, groupId, { referrals: [pick(e)], version: (await version()) - 1 }), EditConflict);
  await assert.rejects(
    allocateToGroup(database.db, estate.managerA, groupId, { referrals: [`${e.referralId}:${e.version + 1}`], version: await version() }),
    EditConflict,
  );
  await assert.rejects(allocateToGroup(database.db, estate.managerB, groupId, { referrals: [pick(e)], version: await version() }), AccessDenied);
  await assert.rejects(allocationChoice(database.db, estate.managerB, groupId, testToday), AccessDenied);
  await allocateToGroup(database.db, estate.managerA, groupId, { referrals: [pick(e)], version: await version() });
  assert.equal((await getGroup(database.db, estate.managerA, groupId)).members.length, 3);
});
