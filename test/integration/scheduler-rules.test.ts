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
import { addUnavailableDays, getFacilitatorAvailability, siteFacilitators } from '../../src/services/facilitators.js';
import { recordSupervision, supervisionAlerts } from '../../src/services/staff/supervision.js';
import { defaultSupervisionRules } from '../../src/domain/staff/supervision.js';
import { addClosure, getSiteSetup } from '../../src/services/site-setup.js';
import { replanAffectedSessions } from '../../src/services/timetable/replanning.js';
import { addDays, londonToday } from '../../src/services/scheduling.js';
import { testDatabase } from '../support/database.js';
import { accreditAndSupervise, superviseOn } from '../support/staff.js';
import { createUser } from '../../src/services/users.js';
import { systemActor } from '../../src/services/access.js';
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
/** Records a supervision of the facilitator by their treatment manager, as if on that day. */
const supervise = (who: keyof Estate['f'], on: string) =>
  recordSupervision(database.db, estate.managerA, estate.f[who].userId!, { supervisedOn: on, supervisorId: estate.managerA.userId }, on);
const fieldOf = (e: unknown) => (e instanceof ValidationFailed ? e.errors[0].field : undefined);

async function assertSiteValid(today?: string) {
  const { scenario, solution } = await storedTimetable(database.db, estate.siteA, today);
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

test('a facilitator whose supervision is overdue beyond the grace period stops being offered after the grace date, the sessions planned after it are flagged, and recording a supervision restores both', async () => {
  const created = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { earliestStart: '2029-01-08', leadId: id('f4'), coId: id('f5'), coverId: id('f3') }),
    testToday,
  );
  const sessions = await liveSessions(database.db, created.id);
  // f4's last supervision is dated so that the grace period ends on session 40's day.
  const graceEnds = sessions[39].sessionDate;
  const { intervalDays, graceDays } = defaultSupervisionRules;
  const supervisedOn = addDays(graceEnds, -(intervalDays + graceDays));
  await supervise('f4', supervisedOn);
  const dueOn = addDays(supervisedOn, intervalDays);
  const afterGrace = addDays(graceEnds, 1);
  const later = sessions.filter((s) => s.sessionDate > graceEnds).map((s) => s.number);
  assert.ok(later.length > 0 && later.length < 84);
  const graceEndsAgain = addDays(afterGrace, intervalDays + graceDays);
  const replanDay = addDays(graceEndsAgain, 1);
  // Everyone else at the site stays supervised through every day this test looks from.
  await superviseOn(database.db, estate.managerA, [estate.f.f1.userId!, estate.f.f2.userId!, estate.f.f3.userId!, estate.f.f5.userId!], replanDay);

  const group = await getGroup(database.db, estate.managerA, created.id, afterGrace);
  const flagged = group.sessions.filter((s) => group.problems[s.id]);
  assert.deepEqual(
    flagged.map((s) => s.number),
    later,
  );
  assert.match(group.problems[flagged[0].id][0], new RegExp(`^${await name('f4')}’s supervision lapsed after`));
  const offered = async (today: string) => (await siteFacilitators(database.db, estate.siteA, today)).find((f) => String(f.userId) === id('f4'))!.accreditedFor;
  assert.deepEqual(await offered(graceEnds), ['core-sotp'], 'still offered on the last day of grace');
  assert.deepEqual(await offered(afterGrace), [], 'not offered once the grace period is over');

  const alertOn = async (today: string) =>
    (await supervisionAlerts(database.db, estate.managerA, today)).supervision.find((a) => a.userId === estate.f.f4.userId);
  assert.equal(await alertOn(addDays(dueOn, -15)), undefined);
  assert.equal((await alertOn(addDays(dueOn, -14)))?.status, 'due');
  const overdue = await alertOn(addDays(dueOn, 1));
  assert.equal(overdue?.status, 'overdue');
  assert.deepEqual(overdue?.affected, [], 'no session is flagged while the grace period runs');
  const lapsed = await alertOn(afterGrace);
  assert.equal(lapsed?.status, 'lapsed');
  assert.equal(lapsed?.affected[0].sessions.length, later.length);

  // A supervision on the day after the grace period restores both.
  await supervise('f4', afterGrace);
  assert.deepEqual((await getGroup(database.db, estate.managerA, created.id, afterGrace)).problems, {});
  assert.deepEqual(await offered(afterGrace), ['core-sotp']);
  assert.equal(await alertOn(afterGrace), undefined);

  // Once that supervision too is overdue beyond grace, re-planning puts the cover facilitator in f4's place, saying why.
  const stillToRun = sessions.filter((s) => s.sessionDate > graceEndsAgain);
  assert.ok(stillToRun.length > 0, 'the group still runs after the second grace period');
  const before = await getGroup(database.db, estate.managerA, created.id, replanDay);
  await replanAffectedSessions(database.db, estate.managerA, created.id, { version: before.version }, replanDay);
  const replanned = await getGroup(database.db, estate.managerA, created.id, replanDay);
  const moved = replanned.sessions.filter((s) => s.status === 'scheduled' && s.date > graceEndsAgain);
  assert.ok(moved.length > 0 && moved.every((s) => !s.facilitators.some((f) => String(f.id) === id('f4'))));
  assert.match(moved[0].standIns[0], /was not accredited with current supervision$/);
  assert.deepEqual(replanned.problems, {});
  await assertSiteValid(replanDay);
});

test('a new group whose team’s accreditation has lapsed is not planned, and says supervision is why', async () => {
  // A newcomer supervised only today: 57 days on, the 42 days and 14 days' grace are over.
  const newcomer = await createUser(database.db, systemActor, {
    username: 'lapsing',
    displayName: 'Lapsing Facilitator',
    role: 'facilitator',
    siteIds: [estate.siteA],
    password: 'a-long-test-password',
  });
  await accreditAndSupervise(database.db, estate.managerA, newcomer.id);
  const lapsedOn = addDays(londonToday(), defaultSupervisionRules.intervalDays + defaultSupervisionRules.graceDays + 1);
  await superviseOn(database.db, estate.managerA, [estate.f.f2.userId!], lapsedOn);
  const created = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { earliestStart: '2029-07-02', leadId: String(newcomer.id), coId: id('f2'), coverId: '' }),
    lapsedOn,
  );
  assert.equal(created.scheduled, false);
  assert.equal(created.problem, 'team has fewer than 2 facilitators accredited for core-sotp with supervision current on or after 2029-07-02');
});

// Last: it leaves a past session on a closure day, which the checker rightly flags.
test('a closure day added after a timetable exists names the groups and sessions affected, and re-planning moves only sessions from today on', async () => {
  const created = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { earliestStart: '2029-06-04' }), testToday);
  const before = await liveSessions(database.db, created.id);
  const [past, upcoming] = [before[2], before[9]];
  const today = before[5].sessionDate;
  await superviseOn(database.db, estate.managerA, [estate.f.f1.userId!, estate.f.f2.userId!, estate.f.f3.userId!], today);
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
