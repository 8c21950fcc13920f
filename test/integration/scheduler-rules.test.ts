// Issue 8's scheduler rules through the services: supervision judged on each session's date, named facilitators
// before cover (with the reason stored), delays explained, and closures or unavailability added under a planned
// timetable naming the sessions affected and re-planned on request. Each test plans in its own months.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Database } from '../../src/db/connection.js';
import { checkTimetable } from '../../src/domain/schedule/check.js';
import { dayNumber } from '../../src/domain/schedule/calendar.js';
import { ValidationFailed } from '../../src/services/errors.js';
import { getGroup } from '../../src/services/groups/detail.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { addUnavailableDays, getFacilitatorAvailability, setAccreditation, supervisionAlerts } from '../../src/services/facilitators.js';
import { addClosure, getSiteSetup } from '../../src/services/site-setup.js';
import { replanAffectedSessions } from '../../src/services/timetable/replanning.js';
import { addDays } from '../../src/services/scheduling.js';
import { testDatabase } from '../support/database.js';
import { buildEstate, checkedCoreSotp, groupForm, liveSessions, storedTimetable, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
});
after(() => database.close());

const id = (who: keyof Estate['f']) => String(estate.f[who].userId);
const name = async (who: keyof Estate['f']) => (await getFacilitatorAvailability(database.db, estate.managerA, estate.f[who].userId!, testToday)).displayName;
const fieldOf = (e: unknown) => (e instanceof ValidationFailed ? e.errors[0].field : undefined);

async function assertSiteValid() {
  const { scenario, solution } = await storedTimetable(database.db, estate.siteA);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
}

test('the lead and co-facilitator staff every session they can; the cover facilitator stands in only when one is unavailable, and the group page says why', async () => {
  await addUnavailableDays(database.db, estate.f.f1, estate.f.f1.userId!, { from: '2027-01-06', to: '2027-01-07', reason: 'Leave' }, testToday);
  const created = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { earliestStart: '2027-01-04' }), testToday);
  assert.ok(created.scheduled, created.problem ?? '');
  const detail = await getGroup(database.db, estate.managerA, created.id, testToday);
  const live = detail.sessions.filter((s) => s.status === 'scheduled');
  assert.equal(live.length, 84);
  const withCover = live.filter((s) => s.facilitators.some((f) => String(f.id) === id('f3')));
  assert.deepEqual(
    withCover.map((s) => s.date),
    ['2027-01-06', '2027-01-07'],
  );
  for (const s of live.filter((x) => !withCover.includes(x))) {
    assert.deepEqual(s.facilitators.map((f) => String(f.id)).sort(), [id('f1'), id('f2')].sort());
  }
  const [lead, cover] = [await name('f1'), await name('f3')];
  assert.deepEqual(withCover[0].standIns, [`${cover} stood in for ${lead}: ${lead} was unavailable`]);
  await assertSiteValid();
});

test('when the first session is later than the earliest start the group page says which room was taken, by which group, and who was away', async () => {
  const first = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { name: 'Early group', roomId: String(estate.roomA2), earliestStart: '2027-06-07', slots: ['mon 09:00', 'tue 09:00'] }),
    testToday,
  );
  // Same room and slots, another team: it cannot start until the first group's Mondays and Tuesdays leave room, and f4 is away on 9 June.
  await addUnavailableDays(database.db, estate.managerA, estate.f.f4.userId!, { from: '2027-06-09' }, testToday);
  const second = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, {
      roomId: String(estate.roomA2),
      earliestStart: '2027-06-07',
      slots: ['mon 09:00', 'tue 09:00', 'wed 09:00', 'thu 09:00'],
      leadId: id('f4'),
      coId: id('f5'),
      coverId: '',
    }),
    testToday,
  );
  assert.ok(first.scheduled && second.scheduled);
  const detail = await getGroup(database.db, estate.managerA, second.id, testToday);
  assert.equal(detail.sessions[0].date, '2027-06-10');
  assert.deepEqual(
    detail.startDelay.map((d) => [d.text, d.days, d.first, d.last]),
    [
      ['Room 2 was taken by Early group', 2, '2027-06-07', '2027-06-08'],
      [`${await name('f4')} was unavailable`, 1, '2027-06-09', '2027-06-09'],
    ],
  );
  const onTime = await getGroup(database.db, estate.managerA, first.id, testToday);
  assert.deepEqual(onTime.startDelay, []);
});

test('unavailability added after a timetable exists names the sessions, and re-planning keeps the day with the cover facilitator standing in', async () => {
  const created = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { earliestStart: '2028-06-05' }), testToday);
  const before = await liveSessions(database.db, created.id);
  const target = before[19];
  const added = await addUnavailableDays(database.db, estate.f.f1, estate.f.f1.userId!, { from: target.sessionDate, to: before[20].sessionDate }, testToday);
  assert.equal(added.added, dayNumber(before[20].sessionDate) - dayNumber(target.sessionDate) + 1);
  assert.deepEqual(
    added.affected.map((g) => [g.groupId, g.sessions.map((s) => s.number)]),
    [[created.id, [20, 21]]],
  );
  const group = await getGroup(database.db, estate.managerA, created.id, testToday);
  await replanAffectedSessions(database.db, estate.managerA, created.id, { version: group.version }, testToday);
  const after = await getGroup(database.db, estate.managerA, created.id, testToday);
  const live = after.sessions.filter((s) => s.status === 'scheduled');
  assert.deepEqual(
    live.map((s) => s.date),
    before.map((s) => s.sessionDate),
    'no session moved',
  );
  assert.ok(live[19].facilitators.some((f) => String(f.id) === id('f3')) && !live[19].facilitators.some((f) => String(f.id) === id('f1')));
  assert.match(live[19].standIns[0], /was unavailable$/);
  assert.deepEqual(after.problems, {});
  await assertSiteValid();
});

test('a facilitator’s unavailability is a range of days from the first to the last, validated and stored as days', async () => {
  const f2 = estate.f.f2;
  await assert.rejects(addUnavailableDays(database.db, f2, f2.userId!, { from: '2029-03-10', to: '2029-03-09' }, testToday), (e) => fieldOf(e) === 'to');
  await assert.rejects(addUnavailableDays(database.db, f2, f2.userId!, { from: '2029-01-01', to: '2030-01-02' }, testToday), (e) => fieldOf(e) === 'to');
  await assert.rejects(addUnavailableDays(database.db, f2, f2.userId!, { from: '2029-02-30' }, testToday), (e) => fieldOf(e) === 'from');
  const result = await addUnavailableDays(database.db, f2, f2.userId!, { from: '2029-03-05', to: '2029-03-09', reason: 'Training' }, testToday);
  assert.equal(result.added, 5);
  // Overlapping ranges add only the new days; a range wholly recorded already is refused.
  assert.equal((await addUnavailableDays(database.db, f2, f2.userId!, { from: '2029-03-08', to: '2029-03-11' }, testToday)).added, 2);
  await assert.rejects(addUnavailableDays(database.db, f2, f2.userId!, { from: '2029-03-05', to: '2029-03-06' }, testToday), (e) => fieldOf(e) === 'from');
  const days = (await getFacilitatorAvailability(database.db, f2, f2.userId!, testToday)).unavailable.map((u) => u.date).filter((d) => d.startsWith('2029-03'));
  assert.deepEqual(days, ['2029-03-05', '2029-03-06', '2029-03-07', '2029-03-08', '2029-03-09', '2029-03-10', '2029-03-11']);
  const full = await addUnavailableDays(database.db, f2, f2.userId!, { from: '2031-01-01', to: '2031-12-31' }, testToday);
  assert.equal(full.added, 365);
});

test('a facilitator staffs a session only with supervision current on that session’s date: lapsing mid-group flags the later sessions and the home page says supervision due, then lapsed', async () => {
  const created = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { earliestStart: '2029-01-08', leadId: id('f4'), coId: id('f5'), coverId: id('f3') }),
    testToday,
  );
  const sessions = await liveSessions(database.db, created.id);
  const lapse = sessions[39].sessionDate;
  await setAccreditation(database.db, estate.managerA, estate.f.f4.userId!, {
    programmeId: 'core-sotp',
    accreditedOn: '2025-01-01',
    supervisionCurrentUntil: lapse,
  });
  const group = await getGroup(database.db, estate.managerA, created.id, testToday);
  const flagged = group.sessions.filter((s) => group.problems[s.id]);
  assert.deepEqual(
    flagged.map((s) => s.number),
    Array.from({ length: 44 }, (_, i) => 41 + i),
  );
  assert.match(group.problems[flagged[0].id][0], new RegExp(`^${await name('f4')}’s supervision lapsed after`));

  const due = await supervisionAlerts(database.db, estate.managerA, addDays(lapse, -14));
  const f4Due = due.find((a) => a.userId === estate.f.f4.userId);
  assert.equal(f4Due?.status, 'due');
  assert.equal(f4Due?.affected[0].sessions.length, 44);
  assert.equal(
    (await supervisionAlerts(database.db, estate.managerA, addDays(lapse, -15))).find((a) => a.userId === estate.f.f4.userId),
    undefined,
  );
  const lapsed = (await supervisionAlerts(database.db, estate.managerA, addDays(lapse, 1))).find((a) => a.userId === estate.f.f4.userId);
  assert.equal(lapsed?.status, 'lapsed');

  // Re-planning puts the cover facilitator in f4's place from the lapse on, saying why.
  await replanAffectedSessions(database.db, estate.managerA, created.id, { version: group.version }, testToday);
  const after = await getGroup(database.db, estate.managerA, created.id, testToday);
  const later = after.sessions.filter((s) => s.status === 'scheduled' && s.date > lapse);
  assert.ok(later.length > 0 && later.every((s) => !s.facilitators.some((f) => String(f.id) === id('f4'))));
  assert.match(later[0].standIns[0], /was not accredited with current supervision$/);
  assert.deepEqual(after.problems, {});
  await assertSiteValid();
});

test('a new group whose team’s supervision runs out before it could finish is not planned, and says supervision is why', async () => {
  await setAccreditation(database.db, estate.managerA, estate.f.f5.userId!, {
    programmeId: 'core-sotp',
    accreditedOn: '2025-01-01',
    supervisionCurrentUntil: '2029-08-31',
  });
  const created = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { earliestStart: '2029-07-02', leadId: id('f5'), coId: id('f2'), coverId: '' }),
    testToday,
  );
  assert.equal(created.scheduled, false);
  assert.match(
    created.problem ?? '',
    /^after 2029-08-31 fewer than 2 of the team are accredited for core-sotp with supervision current, so only \d+ of 84 sessions could be placed/,
  );
});

// Last: it leaves a past session on a closure day, which the checker rightly flags.
test('a closure day added after a timetable exists names the groups and sessions affected, and re-planning moves only sessions from today on', async () => {
  const created = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { earliestStart: '2029-06-04' }), testToday);
  const before = await liveSessions(database.db, created.id);
  const [past, upcoming] = [before[2], before[9]];
  const today = before[5].sessionDate;
  await addClosure(database.db, estate.managerA, estate.siteA, { date: past.sessionDate, reason: 'Inspection' }, testToday);
  const result = await addClosure(database.db, estate.managerA, estate.siteA, { date: upcoming.sessionDate, reason: 'Lockdown' }, today);
  assert.deepEqual(
    result.affected.map((g) => [g.groupId, g.sessions.map((s) => [s.number, s.date, s.problems])]),
    [[created.id, [[10, upcoming.sessionDate, ['The site is closed on this day']]]]],
  );
  const setup = await getSiteSetup(database.db, estate.managerA, estate.siteA, today);
  assert.deepEqual(
    setup.affected.map((g) => g.sessions.map((s) => s.number)),
    [[10]],
    'the past session on the first closure day is not offered for re-planning',
  );
  const group = await getGroup(database.db, estate.managerA, created.id, today);
  assert.deepEqual(Object.keys(group.problems).map(Number), [upcoming.id]);

  const replan = await replanAffectedSessions(database.db, estate.managerA, created.id, { version: group.version }, today);
  assert.equal(replan.fromNumber, 10);
  const after = await liveSessions(database.db, created.id);
  assert.deepEqual(
    after.slice(0, 9).map((s) => s.sessionDate),
    before.slice(0, 9).map((s) => s.sessionDate),
    'sessions before the affected one stay, the past one on a closure day too',
  );
  assert.equal(after[9].sessionDate, before[10].sessionDate, 'session 10 takes the next day the group meets');
  assert.equal(after.length, 84);
  assert.deepEqual((await getGroup(database.db, estate.managerA, created.id, today)).problems, {});
  await assert.rejects(replanAffectedSessions(database.db, estate.managerA, created.id, { version: group.version + 1 }, today), (e) => fieldOf(e) === 'group');
});
