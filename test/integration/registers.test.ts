import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { catchUpSessions, groupMembers, referrals, registerEntries, requiredCatchUps, sessionFacilitators, sessionRegisters } from '../../src/db/schema.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { removeFromGroup } from '../../src/services/groups/allocation.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { getGroupProgress, recordCompletion } from '../../src/services/progress.js';
import { getRegister, recordRegister } from '../../src/services/registers.js';
import { setFacilitatorLimits, getFacilitatorAvailability } from '../../src/services/facilitators.js';
import { bookCatchUp, recordCatchUpOutcome } from '../../src/services/timetable/catch-ups.js';
import { testDatabase } from '../support/database.js';
import { addMembers, buildEstate, groupForm, liveSessions, testToday, type Estate } from '../support/groups.js';
import { dayNumber, isoDate } from '../../src/domain/schedule/calendar.js';

let database: Database;
let estate: Estate;
let groupId: number;
let otherGroupId: number;
/** After every session of the groups: each has happened. */
const later = '2027-12-31';

before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
  groupId = (await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate), testToday)).id;
  otherGroupId = (
    await createGroup(
      database.db,
      estate.managerA,
      estate.siteA,
      groupForm(estate, {
        slots: ['mon 13:30', 'tue 13:30', 'wed 13:30', 'thu 13:30', 'fri 13:30'],
        leadId: String(estate.f.f4.userId),
        coId: String(estate.f.f5.userId),
        coverId: String(estate.f.f3.userId),
      }),
      testToday,
    )
  ).id;
});
after(() => database.close());

const fieldOf = (e: unknown) => (e instanceof ValidationFailed ? e.errors[0].field : `not a validation failure: ${String(e)}`);

/** A group's session with its men (person ids) and a facilitator of that session. */
async function sessionOf(gid: number, index: number, men: number) {
  const memberIds = await addMembers(database.db, gid, estate.siteA, men);
  const members = await database.db.select().from(groupMembers).where(eq(groupMembers.groupId, gid));
  const people = memberIds.map((id) => members.find((m) => m.id === id)!.personId);
  const session = (await liveSessions(database.db, gid))[index];
  const [facilitator] = await database.db.select().from(sessionFacilitators).where(eq(sessionFacilitators.sessionId, session.id));
  const actor = Object.values(estate.f).find((f) => f.userId === facilitator.userId)!;
  return { session, people, memberIds, facilitator: actor };
}

/** The entries given, and every other man in the session's register as attended. */
async function withOthers(sessionId: number, entries: Array<Record<string, unknown>>) {
  const { men } = await getRegister(database.db, estate.managerA, sessionId, later);
  const given = new Set(entries.map((e) => e.personId));
  return [...entries, ...men.filter((m) => !given.has(m.personId)).map((m) => ({ personId: m.personId, status: 'attended' }))];
}

async function requirements(sessionId: number) {
  return database.db.select().from(requiredCatchUps).where(eq(requiredCatchUps.sessionId, sessionId));
}

test('a missed session (an absence, a removal, or more than 30 minutes late or gone early) makes a catch-up required; 30 minutes or fewer does not', async () => {
  const { session, people, memberIds, facilitator } = await sessionOf(groupId, 0, 5);
  const saved = await recordRegister(
    database.db,
    facilitator,
    session.id,
    {
      version: 0,
      entries: await withOthers(session.id, [
        { personId: people[0], status: 'attended' },
        { personId: people[1], status: 'late', minutes: 30 },
        { personId: people[2], status: 'left_early', minutes: 31 },
        { personId: people[3], status: 'excused_absence', reason: 'Legal visit' },
        { personId: people[4], status: 'removed', reason: 'Threatened another man' },
      ]),
    },
    later,
  );
  assert.equal(saved.version, 1);
  const required = (await requirements(session.id)).map((r) => r.memberId).sort((a, b) => a - b);
  assert.deepEqual(
    required,
    [memberIds[2], memberIds[3], memberIds[4]].sort((a, b) => a - b),
  );
  const register = await getRegister(database.db, facilitator, session.id, later);
  assert.equal(register.version, 1);
  assert.deepEqual(register.men.find((m) => m.personId === people[1])!.entry, { status: 'late', minutes: 30, reason: null });
});

test('a correction keeps the earlier version in the history and withdraws the catch-up of a man no longer missing', async () => {
  const { session, people, memberIds } = await sessionOf(groupId, 1, 2);
  const entries = (first: string, minutes?: number) =>
    withOthers(session.id, [
      { personId: people[0], status: first, ...(minutes ? { minutes } : {}) },
      { personId: people[1], status: 'unexcused_absence' },
    ]);
  await recordRegister(database.db, estate.managerA, session.id, { version: 0, entries: await entries('unexcused_absence') }, later);
  assert.equal((await requirements(session.id)).filter((r) => r.status === 'outstanding').length, 2);
  await recordRegister(database.db, estate.managerA, session.id, { version: 1, entries: await entries('late', 10) }, later);
  const after = await requirements(session.id);
  assert.equal(after.find((r) => r.memberId === memberIds[0])!.status, 'withdrawn');
  assert.equal(after.find((r) => r.memberId === memberIds[1])!.status, 'outstanding');
  const register = await getRegister(database.db, estate.managerA, session.id, later);
  assert.deepEqual(
    register.history.map((v) => v.version),
    [2, 1],
  );
  assert.deepEqual(
    register.history[0].changes.map((c) => [c.personId, c.was, c.now]),
    [[people[0], 'Unexcused absence', 'Late (10 minutes)']],
  );
});

test('two saves of one register from the same version: the second is a conflict and nothing of it is saved', async () => {
  const { session, people, facilitator } = await sessionOf(groupId, 2, 1);
  const others = await withOthers(session.id, []);
  const save = (status: string) =>
    recordRegister(database.db, facilitator, session.id, { version: 0, entries: others.map((e) => (e.personId === people[0] ? { ...e, status } : e)) }, later);
  const results = await Promise.allSettled([save('attended'), save('unexcused_absence')]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.ok(refused.reason instanceof EditConflict, String(refused.reason));
  const saved = (results.findIndex((r) => r.status === 'fulfilled') === 0 ? 'attended' : 'unexcused_absence') as string;
  const [entry] = await database.db
    .select()
    .from(registerEntries)
    .where(and(eq(registerEntries.sessionId, session.id), eq(registerEntries.personId, people[0])));
  assert.equal(entry.status, saved);
  await assert.rejects(save('attended'), EditConflict, 'a save from version 0 after the first save is stale too');
});

test('a register with a bad entry is refused naming the field, and nothing is saved', async () => {
  const { session, people, facilitator } = await sessionOf(groupId, 3, 1);
  const [outsider] = await addMembers(database.db, otherGroupId, estate.siteA, 1);
  const [outsiderMember] = await database.db.select().from(groupMembers).where(eq(groupMembers.id, outsider));
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown status', { personId: people[0], status: 'asleep' }, 'entries.0.status'],
    ['a man not in the group', { personId: outsiderMember.personId, status: 'attended' }, 'entries.0.personId'],
    ['0 minutes late', { personId: people[0], status: 'late', minutes: 0 }, 'entries.0.minutes'],
    ['negative minutes', { personId: people[0], status: 'left_early', minutes: -5 }, 'entries.0.minutes'],
    ['more than 150 minutes', { personId: people[0], status: 'late', minutes: 151 }, 'entries.0.minutes'],
    ['late with no minutes', { personId: people[0], status: 'late' }, 'entries.0.minutes'],
    ['an excused absence with no reason', { personId: people[0], status: 'excused_absence' }, 'entries.0.reason'],
    ['a removal with no reason', { personId: people[0], status: 'removed', reason: '  ' }, 'entries.0.reason'],
  ];
  for (const [what, entry, field] of cases) {
    const entries = await withOthers(session.id, [entry]);
    await assert.rejects(recordRegister(database.db, facilitator, session.id, { version: 0, entries }, later), (e) => fieldOf(e) === field, what);
  }
  await assert.rejects(
    recordRegister(database.db, facilitator, session.id, { version: 0, entries: await withOthers(session.id, []) }, testToday),
    (e) => fieldOf(e) === 'sessionId',
    'a session that has not happened yet',
  );
  assert.deepEqual(await database.db.select().from(sessionRegisters).where(eq(sessionRegisters.sessionId, session.id)), []);
});

test('only a facilitator of the session or the site’s treatment manager records its register: another site’s and another group’s are refused', async () => {
  const { session, people } = await sessionOf(groupId, 4, 1);
  const input = { version: 0, entries: await withOthers(session.id, [{ personId: people[0], status: 'attended' }]) };
  // f4 facilitates the other group at the same site; g1 and managerB work at another site.
  for (const actor of [estate.f.f4, estate.f.g1, estate.managerB]) {
    await assert.rejects(recordRegister(database.db, actor, session.id, input, later), AccessDenied, actor.username);
  }
  await assert.rejects(getRegister(database.db, estate.f.f4, session.id, later), AccessDenied, 'another group’s facilitator cannot read it');
  await assert.rejects(getRegister(database.db, estate.f.g1, session.id, later), AccessDenied, 'another site’s facilitator cannot read it');
  assert.equal((await recordRegister(database.db, estate.managerA, session.id, input, later)).version, 1);
});

/** A man absent from the session at this index, and f3 free to take his catch-up the same afternoon (two sessions a day). */
async function absenceToCatchUp(index: number) {
  const { session, people, memberIds } = await sessionOf(groupId, index, 1);
  await recordRegister(
    database.db,
    estate.managerA,
    session.id,
    { version: 0, entries: await withOthers(session.id, [{ personId: people[0], status: 'unexcused_absence' }]) },
    later,
  );
  const facilitator = estate.f.f3.userId!;
  const limits = await getFacilitatorAvailability(database.db, estate.managerA, facilitator);
  await setFacilitatorLimits(database.db, estate.managerA, facilitator, { maxSessionsPerDay: 2, maxSessionsPerWeek: 10, version: limits.version });
  return { session, memberIds, facilitator };
}

test('booking a catch-up for a required one links them, and delivering it fulfils the requirement', async () => {
  const { session, memberIds, facilitator } = await absenceToCatchUp(5);
  const day = session.sessionDate;
  const { id } = await bookCatchUp(database.db, estate.managerA, groupId, {
    memberId: memberIds[0],
    sessionId: session.id,
    date: day,
    start: '13:30',
    roomId: estate.roomA2,
    facilitatorId: facilitator,
  });
  let [required] = await requirements(session.id);
  assert.equal(required.catchUpId, id);
  assert.equal(required.status, 'outstanding');
  const [booked] = await database.db.select().from(catchUpSessions).where(eq(catchUpSessions.id, id));
  await recordCatchUpOutcome(database.db, estate.managerA, id, { outcome: 'delivered', version: booked.version }, day);
  [required] = await requirements(session.id);
  assert.equal(required.status, 'delivered');
  const man = (await getGroupProgress(database.db, estate.managerA, groupId)).men.find((m) => m.memberId === memberIds[0])!;
  assert.deepEqual([man.missed, man.caughtUp, man.outstandingCatchUps], [1, 1, 0]);
  // Delivered stays delivered, whatever a later correction says.
  await recordRegister(database.db, estate.managerA, session.id, { version: 1, entries: await withOthers(session.id, []) }, later);
  [required] = await requirements(session.id);
  assert.equal(required.status, 'delivered');
});

test('a catch-up delivered before anyone booked it is recorded afterwards: a past day on or after the missed session is accepted, and marked delivered at once', async () => {
  const { session, memberIds, facilitator } = await absenceToCatchUp(9);
  const form = { memberId: memberIds[0], sessionId: session.id, start: '13:30', roomId: estate.roomA2, facilitatorId: facilitator };
  const dayBefore = isoDate(dayNumber(session.sessionDate) - 1);
  await assert.rejects(
    bookCatchUp(database.db, estate.managerA, groupId, { ...form, date: dayBefore }),
    (error: unknown) => error instanceof ValidationFailed && error.errors[0].field === 'date',
    'never before the session he missed',
  );
  const { id } = await bookCatchUp(database.db, estate.managerA, groupId, { ...form, date: session.sessionDate });
  await recordCatchUpOutcome(database.db, estate.managerA, id, { outcome: 'delivered', version: 1 }, later);
  const [required] = await requirements(session.id);
  assert.deepEqual([required.catchUpId, required.status], [id, 'delivered']);
});

test('a man who has left the group gets no catch-up: his booked ones are cancelled when he leaves, and a new one is refused', async () => {
  const { session, memberIds } = await sessionOf(groupId, 6, 1);
  const facilitator = estate.f.f3.userId!;
  const { id } = await bookCatchUp(database.db, estate.managerA, groupId, {
    memberId: memberIds[0],
    sessionId: session.id,
    date: session.sessionDate,
    start: '13:30',
    roomId: estate.roomA2,
    facilitatorId: facilitator,
  });
  const [member] = await database.db.select().from(groupMembers).where(eq(groupMembers.id, memberIds[0]));
  const [referral] = await database.db.select().from(referrals).where(eq(referrals.id, member.referralId));
  await removeFromGroup(database.db, estate.managerA, groupId, { referralId: referral.id, reason: 'Moved to another wing', version: referral.version });
  const [cancelled] = await database.db.select().from(catchUpSessions).where(eq(catchUpSessions.id, id));
  assert.equal(cancelled.status, 'cancelled');
  await assert.rejects(
    bookCatchUp(database.db, estate.managerA, groupId, {
      memberId: memberIds[0],
      sessionId: session.id,
      date: session.sessionDate,
      start: '13:30',
      roomId: estate.roomA2,
      facilitatorId: facilitator,
    }),
    (e) => fieldOf(e) === 'memberId',
  );
});

test('completion is recorded only when every session is attended or caught up; deselection needs a reason from the programme’s list', async () => {
  const gid = otherGroupId;
  const memberIds = await addMembers(database.db, gid, estate.siteA, 2);
  const members = (await database.db.select().from(groupMembers).where(eq(groupMembers.groupId, gid))).filter((m) => memberIds.includes(m.id));
  for (const m of members) await database.db.update(referrals).set({ status: 'on_programme' }).where(eq(referrals.id, m.referralId));
  const [finisher, leaver] = memberIds.map((id) => members.find((m) => m.id === id)!);
  const sessions = await liveSessions(database.db, gid);
  // Every session but the last recorded straight into the tables (the service is tested above), all attended.
  const earlier = sessions.slice(0, -1);
  await database.db.insert(sessionRegisters).values(earlier.map((s) => ({ sessionId: s.id, recordedBy: estate.managerA.userId! })));
  await database.db
    .insert(registerEntries)
    .values(earlier.flatMap((s) => [finisher, leaver].map((m) => ({ sessionId: s.id, memberId: m.id, personId: m.personId, status: 'attended' }))));
  const referralVersion = async (referralId: number) => (await database.db.select().from(referrals).where(eq(referrals.id, referralId)))[0].version;
  await assert.rejects(
    recordCompletion(database.db, estate.managerA, gid, finisher.id, { outcome: 'complete', version: await referralVersion(finisher.referralId) }),
    (e) => fieldOf(e) === 'outcome' && /83 of the 84 sessions/.test((e as ValidationFailed).errors[0].message),
  );
  await recordRegister(
    database.db,
    estate.managerA,
    sessions.at(-1)!.id,
    {
      version: 0,
      entries: await withOthers(sessions.at(-1)!.id, [{ personId: leaver.personId, status: 'unexcused_absence' }]),
    },
    later,
  );
  await assert.rejects(
    recordCompletion(database.db, estate.managerA, gid, leaver.id, { outcome: 'complete', version: await referralVersion(leaver.referralId) }),
    (e) => fieldOf(e) === 'outcome' && /1 catch-up still to do/.test((e as ValidationFailed).errors[0].message),
  );
  await assert.rejects(
    recordCompletion(database.db, estate.managerB, gid, finisher.id, { outcome: 'complete', version: await referralVersion(finisher.referralId) }),
    AccessDenied,
  );
  await recordCompletion(database.db, estate.managerA, gid, finisher.id, { outcome: 'complete', version: await referralVersion(finisher.referralId) });
  await assert.rejects(
    recordCompletion(database.db, estate.managerA, gid, leaver.id, {
      outcome: 'deselected',
      reasonId: 'bored',
      version: await referralVersion(leaver.referralId),
    }),
    (e) => fieldOf(e) === 'reasonId',
  );
  await recordCompletion(database.db, estate.managerA, gid, leaver.id, {
    outcome: 'deselected',
    reasonId: 'not_engaging',
    version: await referralVersion(leaver.referralId),
  });
  const statuses = await database.db.select({ id: referrals.id, status: referrals.status }).from(referrals);
  assert.equal(statuses.find((r) => r.id === finisher.referralId)!.status, 'programme_complete');
  assert.equal(statuses.find((r) => r.id === leaver.referralId)!.status, 'deselected');
  const progress = await getGroupProgress(database.db, estate.managerA, gid);
  assert.deepEqual(
    progress.men.filter((m) => memberIds.includes(m.memberId)).map((m) => [m.memberId, m.state, m.current]),
    [
      [finisher.id, 'complete', false],
      [leaver.id, 'deselected', false],
    ],
  );
  const [left] = await database.db
    .select()
    .from(groupMembers)
    .where(and(eq(groupMembers.id, leaver.id)));
  assert.equal(left.leftReason, "Not engaging with the programme's work");
});
