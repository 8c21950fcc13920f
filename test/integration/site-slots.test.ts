// Session slots are site data: set in site set-up, groups choose from them, catch-ups use them on open days
// without double-booking a room, a facilitator or the man; the migration gives existing sites the old slots.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { wrapPglite, queryRows, type Database } from '../../src/db/connection.js';
import { readMigrations } from '../../src/db/migrate.js';
import { facilitatorUnavailability, groupSessions, programmeGroups, siteSlots } from '../../src/db/schema.js';
import { dayNumber, isBankHoliday, isoDate, weekdayName } from '../../src/domain/schedule/calendar.js';
import { AccessDenied, ValidationFailed } from '../../src/services/errors.js';
import { getGroup } from '../../src/services/groups/detail.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { systemActor } from '../../src/services/access.js';
import { getFacilitatorAvailability, setFacilitatorLimits } from '../../src/services/facilitators.js';
import { accreditAndSupervise } from '../support/staff.js';
import { createUser } from '../../src/services/users.js';
import { addClosure, addSiteSlot, getSiteSetup, removeSiteSlot } from '../../src/services/site-setup.js';
import { bookCatchUp } from '../../src/services/timetable/catch-ups.js';
import { testDatabase } from '../support/database.js';
import { addMembers, buildEstate, groupForm, liveSessions, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
});
after(() => database.close());

const fieldMessage = (e: unknown) => (e instanceof ValidationFailed ? `${e.errors[0].field}: ${e.errors[0].message}` : String(e));
const weekday = (date: string) => weekdayName(dayNumber(date));

/** The first day on or after `from` that is the weekday given and not a bank holiday. */
function next(day: 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', from: string): string {
  let d = dayNumber(from);
  while (weekdayName(d) !== day || isBankHoliday(d)) d++;
  return isoDate(d);
}

// ---------------------------------------------------------------------------------------------- site set-up

test('a site slot is a weekday and an HH:MM start; the same slot twice and a session not finishing before midnight are refused', async () => {
  const site = estate.siteB;
  const manager = estate.managerB;
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ weekday: 'funday', start: '09:00' }, /^weekday: Choose the day of the week/],
    [{ weekday: 'sat', start: '9am' }, /^start: Start time must be a time in the form HH:MM/],
    [{ weekday: 'sat', start: '24:00' }, /^start: Start time must be a time in the form HH:MM/],
    [{ weekday: 'mon', start: '09:00' }, /^start: The site already has a session slot on Monday at 09:00/],
    // Core SOTP sessions last 150 minutes: 21:30 would end at midnight.
    [{ weekday: 'sat', start: '21:30' }, /^start: A 150-minute session starting at 21:30 would not finish before midnight/],
  ];
  const before = (await getSiteSetup(database.db, manager, site)).slots.length;
  for (const [input, expected] of cases) {
    await assert.rejects(addSiteSlot(database.db, manager, site, input), (e) => expected.test(fieldMessage(e)), JSON.stringify(input));
  }
  assert.equal((await getSiteSetup(database.db, manager, site)).slots.length, before, 'nothing was added');
  // 21:29 ends at 23:59.
  await addSiteSlot(database.db, manager, site, { weekday: 'sun', start: '21:29' });
  const slots = (await getSiteSetup(database.db, manager, site)).slots;
  assert.ok(slots.some((s) => s.weekday === 'sun' && s.start === '21:29'));
  assert.deepEqual(
    slots.slice(0, 2).map((s) => `${s.weekday} ${s.start}`),
    ['mon 09:00', 'mon 13:30'],
    'listed in week order',
  );
});

test('only the site’s treatment managers (and administrators) set its slots', async () => {
  await assert.rejects(addSiteSlot(database.db, estate.managerB, estate.siteA, { weekday: 'sat', start: '10:00' }), AccessDenied);
  await assert.rejects(addSiteSlot(database.db, estate.f.f1, estate.siteA, { weekday: 'sat', start: '10:00' }), AccessDenied);
  const slot = (await getSiteSetup(database.db, estate.managerA, estate.siteA)).slots[0];
  await assert.rejects(removeSiteSlot(database.db, estate.managerB, estate.siteA, slot.id, { version: slot.version }), AccessDenied);
});

test('a group’s weekly slots must be among its site’s slots', async () => {
  const groupsBefore = (await database.db.select().from(programmeGroups).where(eq(programmeGroups.siteId, estate.siteA))).length;
  await assert.rejects(
    createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { slots: ['mon 09:00', 'sat 10:00', 'sun 10:00'] }), testToday),
    (e) => /^slots: Saturday 10:00, Sunday 10:00 are not among HMP Alpha .*’s session slots/.test(fieldMessage(e)),
  );
  assert.equal((await database.db.select().from(programmeGroups).where(eq(programmeGroups.siteId, estate.siteA))).length, groupsBefore, 'no group was created');
  await addSiteSlot(database.db, estate.managerA, estate.siteA, { weekday: 'sat', start: '10:00' });
  const { id } = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { slots: ['sat 10:00'], roomId: String(estate.roomA2) }),
    testToday,
  );
  const group = await getGroup(database.db, estate.managerA, id);
  assert.deepEqual(group.slots, [{ weekday: 'sat', start: '10:00' }]);
  assert.ok(
    group.sessions.every((s) => weekday(s.date) === 'sat' && s.start === '10:00'),
    'the solver plans in the chosen site slot',
  );
});

test('removing a site slot that a current group meets in is refused naming the group; once no group meets in it, it goes', async () => {
  await addSiteSlot(database.db, estate.managerA, estate.siteA, { weekday: 'thu', start: '16:00' });
  const { id } = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { name: 'Thursday afternoons', slots: ['thu 16:00'], roomId: String(estate.roomA2) }),
    testToday,
  );
  const slot = (await getSiteSetup(database.db, estate.managerA, estate.siteA, testToday)).slots.find((s) => s.weekday === 'thu' && s.start === '16:00')!;
  assert.deepEqual(slot.groups, ['Thursday afternoons'], 'the set-up page lists the groups meeting in the slot');
  await assert.rejects(
    removeSiteSlot(database.db, estate.managerA, estate.siteA, slot.id, { version: slot.version }, testToday),
    (e) =>
      fieldMessage(e) ===
      'slotId: Thursday 16:00 cannot be removed while Thursday afternoons meets in it: a slot can be removed once no current or planned group uses it',
  );
  assert.ok((await database.db.select().from(siteSlots).where(eq(siteSlots.id, slot.id))).length === 1, 'the slot is still there');
  // After the group's last session nobody meets in it any more.
  const last = (await liveSessions(database.db, id)).at(-1)!.sessionDate;
  const dayAfter = isoDate(dayNumber(last) + 1);
  const laterView = (await getSiteSetup(database.db, estate.managerA, estate.siteA, dayAfter)).slots.find((s) => s.id === slot.id)!;
  assert.deepEqual(laterView.groups, []);
  await removeSiteSlot(database.db, estate.managerA, estate.siteA, slot.id, { version: slot.version }, dayAfter);
  assert.equal((await database.db.select().from(siteSlots).where(eq(siteSlots.id, slot.id))).length, 0);
  // An unused slot is removed at once.
  await addSiteSlot(database.db, estate.managerA, estate.siteA, { weekday: 'sun', start: '15:00' });
  const unused = (await getSiteSetup(database.db, estate.managerA, estate.siteA)).slots.find((s) => s.weekday === 'sun' && s.start === '15:00')!;
  await removeSiteSlot(database.db, estate.managerA, estate.siteA, unused.id, { version: unused.version });
  assert.ok(!(await getSiteSetup(database.db, estate.managerA, estate.siteA)).slots.some((s) => s.id === unused.id));
});

// ---------------------------------------------------------------------------------------------- catch-ups

interface CatchUpCase {
  groupId: number;
  memberId: number;
  missedId: number;
  /** A team member not in the missed session's group sessions that afternoon. */
  facilitatorId: number;
}

let catchUpCase: CatchUpCase | undefined;
let extraFacilitators = 0;

/** More accredited facilitators at site B (which the estate gives only one). */
async function facilitatorsAtB(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const username = `slotsb${++extraFacilitators}`;
    const created = await createUser(database.db, systemActor, {
      username,
      displayName: `Slots Facilitator ${extraFacilitators}`,
      role: 'facilitator',
      siteIds: [estate.siteB],
      password: 'a-long-test-password',
    });
    await accreditAndSupervise(database.db, estate.managerB, created.id);
    ids.push(created.id);
  }
  return ids;
}

/** A group of site B meeting weekday mornings in room B1, a man in it, and the afternoons free. */
async function catchUpGroup(): Promise<CatchUpCase> {
  if (catchUpCase) return catchUpCase;
  const g1 = estate.f.g1.userId!;
  // Site B has one facilitator; give it a second so a group can run (two facilitators a session).
  const [co] = await facilitatorsAtB(1);
  const { id } = await createGroup(
    database.db,
    estate.managerB,
    estate.siteB,
    groupForm(estate, { roomId: String(estate.roomB1), treatmentManagerId: String(estate.managerB.userId), leadId: String(g1), coId: String(co), coverId: '' }),
    testToday,
  );
  const [memberId] = await addMembers(database.db, id, estate.siteB, 1);
  const missed = (await liveSessions(database.db, id))[0];
  catchUpCase = { groupId: id, memberId, missedId: missed.id, facilitatorId: g1 };
  return catchUpCase;
}

test('a catch-up on a Saturday when the site has no Saturday slots is refused, naming the date', async () => {
  const c = await catchUpGroup();
  const missed = (await database.db.select().from(groupSessions).where(eq(groupSessions.id, c.missedId)))[0];
  const saturday = next('sat', missed.sessionDate);
  await assert.rejects(
    bookCatchUp(database.db, estate.managerB, c.groupId, {
      memberId: c.memberId,
      sessionId: c.missedId,
      date: saturday,
      start: '09:00',
      roomId: estate.roomB1,
      facilitatorId: c.facilitatorId,
    }),
    (e) => /^date: HMP Beta .* has no session slots on Saturdays/.test(fieldMessage(e)),
  );
  assert.equal((await getGroup(database.db, estate.managerB, c.groupId)).catchUps.length, 0);
});

test('a catch-up starts at one of the site’s slot times for that day', async () => {
  const c = await catchUpGroup();
  const missed = (await database.db.select().from(groupSessions).where(eq(groupSessions.id, c.missedId)))[0];
  await assert.rejects(
    bookCatchUp(database.db, estate.managerB, c.groupId, {
      memberId: c.memberId,
      sessionId: c.missedId,
      date: missed.sessionDate,
      start: '15:00',
      roomId: estate.roomB1,
      facilitatorId: c.facilitatorId,
    }),
    (e) => /^start: .*session slots on \w+days start at 09:00 or 13:30/.test(fieldMessage(e)),
  );
});

test('a catch-up on a bank holiday or a site closure day is refused, even in a slot', async () => {
  const c = await catchUpGroup();
  // Easter Monday 2027 (29 March) is a bank holiday; the site has Monday slots.
  await assert.rejects(
    bookCatchUp(database.db, estate.managerB, c.groupId, {
      memberId: c.memberId,
      sessionId: c.missedId,
      date: '2027-03-29',
      start: '13:30',
      roomId: estate.roomB1,
      facilitatorId: c.facilitatorId,
    }),
    (e) => /^date: Monday,? 29 March 2027 is a bank holiday/.test(fieldMessage(e)),
  );
  const closed = next('wed', '2027-04-05');
  await addClosure(database.db, estate.managerB, estate.siteB, { date: closed, reason: 'Inspection' });
  await assert.rejects(
    bookCatchUp(database.db, estate.managerB, c.groupId, {
      memberId: c.memberId,
      sessionId: c.missedId,
      date: closed,
      start: '13:30',
      roomId: estate.roomB1,
      facilitatorId: c.facilitatorId,
    }),
    (e) => /^date: HMP Beta .* is closed on .* \(Inspection\)/.test(fieldMessage(e)),
  );
});

test('a catch-up never double-books a room: the refusal names the group session holding it', async () => {
  // Site A: a group meets weekday mornings in room 1; a man of another group at A wants room 1 then.
  const holder = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { name: 'Group B', slots: ['mon 09:00', 'tue 09:00', 'wed 09:00', 'thu 09:00', 'fri 09:00'], earliestStart: '2027-06-07' }),
    testToday,
  );
  const held = (await liveSessions(database.db, holder.id))[13];
  const other = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, {
      name: 'Group C',
      slots: ['mon 13:30', 'tue 13:30', 'wed 13:30', 'thu 13:30', 'fri 13:30'],
      roomId: String(estate.roomA2),
      earliestStart: '2027-06-07',
      leadId: String(estate.f.f4.userId),
      coId: String(estate.f.f5.userId),
      coverId: '',
    }),
    testToday,
  );
  const [memberId] = await addMembers(database.db, other.id, estate.siteA, 1);
  const missed = (await liveSessions(database.db, other.id))[0];
  const f4 = estate.f.f4.userId!;
  await assert.rejects(
    bookCatchUp(database.db, estate.managerA, other.id, {
      memberId,
      sessionId: missed.id,
      date: held.sessionDate,
      start: '09:00',
      roomId: estate.roomA1,
      facilitatorId: f4,
    }),
    (e) => fieldMessage(e) === `roomId: Room 1 is taken by Group B session 14 at 09:00`,
  );
  // Room 2 is free that morning: booked. Then a second catch-up in room 2 at that time is refused, naming the first.
  const limits = await getFacilitatorAvailability(database.db, estate.managerA, f4);
  await setFacilitatorLimits(database.db, estate.managerA, f4, { maxSessionsPerDay: 2, maxSessionsPerWeek: 10, version: limits.version });
  await bookCatchUp(database.db, estate.managerA, other.id, {
    memberId,
    sessionId: missed.id,
    date: held.sessionDate,
    start: '09:00',
    roomId: estate.roomA2,
    facilitatorId: f4,
  });
  const [second] = await addMembers(database.db, other.id, estate.siteA, 1);
  await assert.rejects(
    bookCatchUp(database.db, estate.managerA, other.id, {
      memberId: second,
      sessionId: missed.id,
      date: held.sessionDate,
      start: '09:00',
      roomId: estate.roomA2,
      facilitatorId: estate.f.f5.userId!,
    }),
    (e) => fieldMessage(e) === `roomId: Room 2 is taken by a catch-up of Group C session 1 at 09:00`,
  );
});

test('a catch-up never double-books a facilitator: not when away, not in another booking, not over the daily limit', async () => {
  const c = await catchUpGroup();
  const sessions = await liveSessions(database.db, c.groupId);
  const day = sessions[5].sessionDate;
  const detail = await getGroup(database.db, estate.managerB, c.groupId);
  const inSession = detail.sessions.find((s) => s.number === 6)!.facilitators.map((f) => f.id);
  // Away that day.
  const [away] = await database.db.insert(facilitatorUnavailability).values({ userId: inSession[0], unavailableOn: day, reason: 'Training' }).returning();
  await assert.rejects(
    bookCatchUp(database.db, estate.managerB, c.groupId, {
      memberId: c.memberId,
      sessionId: c.missedId,
      date: day,
      start: '13:30',
      roomId: estate.roomB1,
      facilitatorId: inSession[0],
    }),
    (e) => /^facilitatorId: .* is unavailable on/.test(fieldMessage(e)),
  );
  await database.db.delete(facilitatorUnavailability).where(eq(facilitatorUnavailability.id, away.id));
  // Runs the group's morning session that day: at the default one session a day, the afternoon is over the limit.
  await assert.rejects(
    bookCatchUp(database.db, estate.managerB, c.groupId, {
      memberId: c.memberId,
      sessionId: c.missedId,
      date: day,
      start: '13:30',
      roomId: estate.roomB1,
      facilitatorId: inSession[1],
    }),
    (e) => /^facilitatorId: .* would be over their limit of 1 session a day/.test(fieldMessage(e)),
  );
  // In the morning he is in the group's own session (and so is the man): refused on the start.
  await assert.rejects(
    bookCatchUp(database.db, estate.managerB, c.groupId, {
      memberId: c.memberId,
      sessionId: c.missedId,
      date: day,
      start: '09:00',
      roomId: estate.roomB1,
      facilitatorId: inSession[1],
    }),
    (e) => /^start: That time overlaps his group’s session 6 \(09:00 to 11:30\)/.test(fieldMessage(e)),
  );
});

test('a catch-up in a site slot on an open day with a free room and facilitator is booked in that room', async () => {
  const c = await catchUpGroup();
  const sessions = await liveSessions(database.db, c.groupId);
  const day = sessions[7].sessionDate;
  const g1 = estate.f.g1.userId!;
  const limits = await getFacilitatorAvailability(database.db, estate.managerB, g1);
  await setFacilitatorLimits(database.db, estate.managerB, g1, { maxSessionsPerDay: 2, maxSessionsPerWeek: 10, version: limits.version });
  const { id } = await bookCatchUp(database.db, estate.managerB, c.groupId, {
    memberId: c.memberId,
    sessionId: c.missedId,
    date: day,
    start: '13:30',
    roomId: estate.roomB1,
    facilitatorId: g1,
  });
  const booked = (await getGroup(database.db, estate.managerB, c.groupId)).catchUps.find((x) => x.id === id)!;
  assert.deepEqual([booked.date, booked.start, booked.end], [day, '13:30', '16:00']);
});

test('a group planned after a catch-up does not take the catch-up’s room at that time', async () => {
  // A catch-up holds room B1 on a Monday at 13:30; a new group in room B1 meeting Mondays at 13:30 from that day starts a week later.
  const c = await catchUpGroup();
  const monday = next('mon', (await liveSessions(database.db, c.groupId))[20].sessionDate);
  const [memberId] = await addMembers(database.db, c.groupId, estate.siteB, 1);
  const g1 = estate.f.g1.userId!;
  await bookCatchUp(database.db, estate.managerB, c.groupId, {
    memberId,
    sessionId: c.missedId,
    date: monday,
    start: '13:30',
    roomId: estate.roomB1,
    facilitatorId: g1,
  });
  // Two facilitators other than g1, so the catch-up's room (not g1's time) is what stands in the way.
  const other = await facilitatorsAtB(2);
  const { id } = await createGroup(
    database.db,
    estate.managerB,
    estate.siteB,
    groupForm(estate, {
      slots: ['mon 13:30'],
      roomId: String(estate.roomB1),
      earliestStart: monday,
      treatmentManagerId: String(estate.managerB.userId),
      leadId: String(other[0]),
      coId: String(other[1]),
      coverId: '',
    }),
    testToday,
  );
  const first = (await liveSessions(database.db, id))[0];
  assert.notEqual(first.sessionDate, monday, 'room B1 is the catch-up’s on that Monday afternoon');
  assert.equal(first.sessionDate, next('mon', isoDate(dayNumber(monday) + 1)));
});

// ---------------------------------------------------------------------------------------------- migration

test('the migration gives every existing site Monday to Friday at 09:00 and 13:30, plus any slot its groups use', async () => {
  const client = await PGlite.create();
  const old = wrapPglite(client);
  try {
    const migrations = readMigrations();
    for (const m of migrations.filter((m) => m.name < '0008_site_slots.sql')) await old.runScript(m.sql);
    await old.runScript(`
      INSERT INTO sites (code, name) VALUES ('OLD', 'HMP Old'), ('NEW', 'HMP New');
      INSERT INTO users (username, display_name, role, password_hash) VALUES ('tm', 'Tee Em', 'treatment_manager', 'x');
      INSERT INTO programme_versions (programme_id, version, name, definition, sha256) VALUES ('core-sotp', 1, 'Core SOTP', '{}', 'x');
      INSERT INTO rooms (site_id, name) SELECT id, 'Room 1' FROM sites WHERE code = 'OLD';
      INSERT INTO programme_groups (name, programme_version_id, site_id, room_id, capacity, earliest_start, treatment_manager_id)
        SELECT 'Weekend group', (SELECT id FROM programme_versions), s.id, r.id, 8, '2027-01-02', (SELECT id FROM users) FROM sites s JOIN rooms r ON r.site_id = s.id WHERE s.code = 'OLD';
      INSERT INTO group_slots (group_id, weekday, start_time) SELECT id, 'sat', '10:00' FROM programme_groups;
      INSERT INTO group_slots (group_id, weekday, start_time) SELECT id, 'mon', '09:00' FROM programme_groups;
    `);
    await old.runScript(migrations.find((m) => m.name === '0008_site_slots.sql')!.sql);
    const rows = await queryRows<{ code: string; slot: string }>(
      old.db,
      sql`SELECT s.code, ss.weekday || ' ' || ss.start_time AS slot FROM site_slots ss JOIN sites s ON s.id = ss.site_id ORDER BY s.code, ss.weekday, ss.start_time`,
    );
    const weekdays = ['fri', 'mon', 'thu', 'tue', 'wed'].flatMap((d) => [`${d} 09:00`, `${d} 13:30`]);
    assert.deepEqual(
      rows
        .filter((r) => r.code === 'NEW')
        .map((r) => r.slot)
        .sort(),
      weekdays.sort(),
    );
    assert.deepEqual(
      rows
        .filter((r) => r.code === 'OLD')
        .map((r) => r.slot)
        .sort(),
      [...weekdays, 'sat 10:00'].sort(),
    );
  } finally {
    await old.close();
  }
});
