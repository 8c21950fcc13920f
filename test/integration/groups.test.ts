import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { groupSessions, groupSlots } from '../../src/db/schema.js';
import { checkTimetable } from '../../src/domain/schedule/check.js';
import { isBankHoliday, dayNumber, weekStart } from '../../src/domain/schedule/calendar.js';
import { AccessDenied, ValidationFailed } from '../../src/services/errors.js';
import { getGroup } from '../../src/services/groups/detail.js';
import { listGroups } from '../../src/services/groups/listing.js';
import { createGroup, generateTimetable } from '../../src/services/groups/planning.js';
import { addUnavailableDays } from '../../src/services/facilitators.js';
import { defaultSupervisionRules } from '../../src/domain/staff/supervision.js';
import { addClosure } from '../../src/services/site-setup.js';
import { addDays, londonToday } from '../../src/services/scheduling.js';
import { testDatabase } from '../support/database.js';
import { superviseOn } from '../support/staff.js';
import { buildEstate, checkedCoreSotp, groupForm, liveSessions, storedTimetable, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
});
after(() => database.close());

const fieldOf = (error: unknown) => (error instanceof ValidationFailed ? error.errors[0].field : undefined);

test('a new group gets all 84 sessions, in its own slots and room, and the independent checker finds nothing wrong', async () => {
  const created = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { slots: ['mon 09:00', 'wed 13:30', 'fri 09:00'] }),
    testToday,
  );
  assert.equal(created.scheduled, true, created.problem ?? '');
  const sessions = await liveSessions(database.db, created.id);
  assert.equal(sessions.length, 84);
  assert.deepEqual(
    sessions.map((s) => s.number),
    Array.from({ length: 84 }, (_, i) => i + 1),
  );
  const allowed = new Set(['1 09:00', '3 13:30', '5 09:00']);
  for (const s of sessions) {
    const weekday = new Date(`${s.sessionDate}T12:00:00Z`).getUTCDay();
    assert.ok(allowed.has(`${weekday} ${s.startTime}`), `session ${s.number} on ${s.sessionDate} ${s.startTime} is outside the group's slots`);
    assert.equal(s.roomId, estate.roomA1);
    assert.ok(s.sessionDate >= '2027-01-04');
    assert.equal(isBankHoliday(dayNumber(s.sessionDate)), false);
  }
  const { scenario, solution } = await storedTimetable(database.db, estate.siteA);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
});

test('two groups at one site sharing a room and facilitators are never double-booked (checked independently)', async () => {
  const first = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { roomId: String(estate.roomA2), earliestStart: '2027-03-01' }),
    testToday,
  );
  const second = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, {
      roomId: String(estate.roomA2),
      earliestStart: '2027-03-01',
      leadId: String(estate.f.f3.userId),
      coId: String(estate.f.f4.userId),
      coverId: String(estate.f.f1.userId),
    }),
    testToday,
  );
  assert.ok(first.scheduled && second.scheduled);
  const a = await liveSessions(database.db, first.id);
  const b = await liveSessions(database.db, second.id);
  const taken = new Set(a.map((s) => `${s.sessionDate} ${s.startTime}`));
  assert.ok(
    b.every((s) => !taken.has(`${s.sessionDate} ${s.startTime}`)),
    'the second group never uses room 2 when the first has it',
  );
  const { scenario, solution } = await storedTimetable(database.db, estate.siteA);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
});

test('the scheduler leaves out a facilitator whose supervision has lapsed, and says why a group cannot be planned', async () => {
  // f5's only supervision is the estate's, today: 57 days on, its 42 days and 14 days' grace are over, so with f5 as
  // co-facilitator and no cover only one facilitator is usable. The others at the site are supervised by then.
  const lapsed = addDays(londonToday(), defaultSupervisionRules.intervalDays + defaultSupervisionRules.graceDays + 1);
  const others = [estate.f.f1, estate.f.f2, estate.f.f3, estate.f.f4].map((f) => f.userId!);
  await superviseOn(database.db, estate.managerA, others, lapsed);
  const created = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { earliestStart: addDays(lapsed, 7), coId: String(estate.f.f5.userId), coverId: '' }),
    lapsed,
  );
  assert.equal(created.scheduled, false);
  assert.match(created.problem ?? '', /fewer than 2 facilitators accredited/);
  assert.equal((await liveSessions(database.db, created.id)).length, 0);
  const detail = await getGroup(database.db, estate.managerA, created.id, lapsed);
  assert.equal(detail.status, 'unscheduled');
  // Once a supervision is recorded the timetable can be generated.
  await superviseOn(database.db, estate.managerA, [estate.f.f5.userId!], lapsed);
  const again = await generateTimetable(database.db, estate.managerA, created.id, { version: detail.version }, lapsed);
  assert.equal(again.scheduled, true);
  const { scenario, solution } = await storedTimetable(database.db, estate.siteA, lapsed);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
});

test('facilitators’ unavailable days and site closures are never scheduled', async () => {
  await addUnavailableDays(database.db, estate.f.f1, estate.f.f1.userId!, { from: '2028-03-07', reason: 'Leave' }, testToday);
  await addClosure(database.db, estate.managerA, estate.siteA, { date: '2028-03-08', reason: 'Inspection' }, testToday);
  const created = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { earliestStart: '2028-03-06' }), testToday);
  assert.ok(created.scheduled, created.problem ?? '');
  const sessions = await liveSessions(database.db, created.id);
  assert.ok(!sessions.some((s) => s.sessionDate === '2028-03-08'), 'nothing on the closure day');
  const onLeaveDay = await getGroup(database.db, estate.managerA, created.id);
  const that = onLeaveDay.sessions.find((s) => s.date === '2028-03-07');
  assert.ok(that, 'the group still meets that day with the other two');
  assert.ok(!that.facilitators.some((f) => f.id === estate.f.f1.userId), 'but not with the facilitator on leave');
  const { scenario, solution } = await storedTimetable(database.db, estate.siteA);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
});

test('unavailable days added where sessions are already planned name the groups and sessions affected', async () => {
  const [first] = await liveSessions(database.db, (await listGroups(database.db, estate.managerA, { siteId: estate.siteA }))[0].id);
  const detail = await getGroup(database.db, estate.managerA, first.groupId, testToday);
  const who = detail.sessions.find((s) => s.id === first.id)!.facilitators[0];
  const result = await addUnavailableDays(database.db, estate.managerA, who.id, { from: first.sessionDate }, testToday);
  assert.equal(result.added, 1);
  assert.deepEqual(
    result.affected.map((g) => ({ group: g.groupName, sessions: g.sessions.map((s) => [s.number, s.date]) })),
    [{ group: detail.name, sessions: [[first.number, first.sessionDate]] }],
  );
  assert.deepEqual(result.affected[0].sessions[0].problems, [`${who.displayName} is unavailable on this day`]);
});

test('a group’s capacity may not exceed the programme’s (9 for Core SOTP)', async () => {
  await assert.rejects(
    createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { capacity: '10' }), testToday),
    (e) => fieldOf(e) === 'capacity',
  );
});

test('the create form names each missing or wrong field', async () => {
  await assert.rejects(
    createGroup(database.db, estate.managerA, estate.siteA, { name: '', slots: [], earliestStart: '2027-02-30' }, testToday),
    (e: unknown) => {
      assert.ok(e instanceof ValidationFailed);
      const fields = e.errors.map((x) => x.field);
      for (const f of ['name', 'roomId', 'earliestStart', 'slots', 'treatmentManagerId', 'leadId', 'coId']) assert.ok(fields.includes(f), `${f} is named`);
      return true;
    },
  );
  await assert.rejects(
    createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { coId: String(estate.f.f1.userId) }), testToday),
    (e) => fieldOf(e) === 'coId',
  );
  await assert.rejects(
    createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { roomId: String(estate.roomB1) }), testToday),
    (e) => fieldOf(e) === 'roomId',
  );
  await assert.rejects(
    createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { leadId: String(estate.f.g1.userId) }), testToday),
    (e) => fieldOf(e) === 'leadId',
  );
});

test('a manager of another prison can neither see nor create nor change a group here', async () => {
  const [group] = await listGroups(database.db, estate.managerA, { siteId: estate.siteA });
  await assert.rejects(getGroup(database.db, estate.managerB, group.id), AccessDenied);
  await assert.rejects(listGroups(database.db, estate.managerB, { siteId: estate.siteA }), AccessDenied);
  assert.equal((await listGroups(database.db, estate.managerB)).length, 0);
  await assert.rejects(createGroup(database.db, estate.managerB, estate.siteA, groupForm(estate), testToday), AccessDenied);
  await assert.rejects(generateTimetable(database.db, estate.managerB, group.id, { version: 1 }, testToday), AccessDenied);
});

test('a facilitator sees only the groups whose team they are in', async () => {
  const seen = await listGroups(database.db, estate.f.f4);
  assert.ok(seen.length >= 1);
  for (const g of seen) {
    const detail = await getGroup(database.db, estate.f.f4, g.id);
    assert.ok(detail.team.some((t) => t.userId === estate.f.f4.userId));
    assert.equal(detail.canManage, false);
  }
  const all = await listGroups(database.db, estate.managerA);
  const notMine = all.filter((g) => !seen.some((s) => s.id === g.id));
  assert.ok(notMine.length >= 1);
  await assert.rejects(getGroup(database.db, estate.f.f4, notMine[0].id), AccessDenied);
});

test('a week with a session never has more than the programme’s five and slot rows are stored per group', async () => {
  const groups = await listGroups(database.db, estate.managerA, { siteId: estate.siteA });
  for (const g of groups) {
    const sessions = await liveSessions(database.db, g.id);
    const perWeek = new Map<number, number>();
    for (const s of sessions) perWeek.set(weekStart(dayNumber(s.sessionDate)), (perWeek.get(weekStart(dayNumber(s.sessionDate))) ?? 0) + 1);
    assert.ok([...perWeek.values()].every((n) => n <= 5));
    const slots = await database.db.select().from(groupSlots).where(eq(groupSlots.groupId, g.id));
    assert.ok(slots.length >= 1);
  }
  const anySession = await database.db
    .select()
    .from(groupSessions)
    .where(and(eq(groupSessions.status, 'scheduled')))
    .limit(1);
  assert.equal(anySession.length, 1);
});
