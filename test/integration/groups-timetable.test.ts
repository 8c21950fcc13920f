import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { groupSessions } from '../../src/db/schema.js';
import { checkTimetable } from '../../src/domain/schedule/check.js';
import { dayNumber, weekStart } from '../../src/domain/schedule/calendar.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { getGroup } from '../../src/services/groups/detail.js';
import { createGroup } from '../../src/services/groups/planning.js';
import {
  addUnavailableDays,
  calendarSecret,
  getFacilitatorAvailability,
  removeUnavailableDate,
  setFacilitatorLimits,
} from '../../src/services/facilitators.js';
import { addDays } from '../../src/services/scheduling.js';
import { calendarFeed } from '../../src/services/timetable/calendar-feed.js';
import { bookCatchUp, recordCatchUpOutcome } from '../../src/services/timetable/catch-ups.js';
import { cancelSession } from '../../src/services/timetable/replanning.js';
import { swapFacilitator, swapOptions } from '../../src/services/timetable/swaps.js';
import { facilitatorWeek, siteWeek } from '../../src/services/timetable/weeks.js';
import { reinstateAccreditation, standingAccreditations, suspendAccreditation } from '../../src/services/staff/accreditation.js';
import { testDatabase } from '../support/database.js';
import { addMembers, buildEstate, checkedCoreSotp, groupForm, liveSessions, storedTimetable, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
let groupId: number;
let otherGroupId: number;
before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
  // Two groups share room 1 and facilitator f3 (cover of one, lead of the other), mornings and afternoons.
  groupId = (
    await createGroup(
      database.db,
      estate.managerA,
      estate.siteA,
      groupForm(estate, { slots: ['mon 09:00', 'tue 09:00', 'wed 09:00', 'thu 09:00', 'fri 09:00'] }),
      testToday,
    )
  ).id;
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

const fieldMessage = (e: unknown) => (e instanceof ValidationFailed ? `${e.errors[0].field}: ${e.errors[0].message}` : String(e));

async function assertSiteValid() {
  const { scenario, solution } = await storedTimetable(database.db, estate.siteA);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
}

test('cancelling a session moves exactly it and the later sessions; earlier ones stay, order and the weekly limit hold', async () => {
  const before = await liveSessions(database.db, groupId);
  const target = before[9]; // session 10
  const result = await cancelSession(database.db, estate.managerA, target.id, { reason: 'Lockdown', version: target.version }, testToday);
  const afterRows = await liveSessions(database.db, groupId);
  assert.equal(afterRows.length, 84);
  for (let n = 1; n <= 9; n++) {
    const was = before[n - 1];
    const now = afterRows[n - 1];
    assert.deepEqual([now.id, now.sessionDate, now.startTime], [was.id, was.sessionDate, was.startTime], `session ${n} must not move`);
  }
  for (const s of afterRows.slice(9)) assert.ok(s.sessionDate > target.sessionDate, `session ${s.number} is after the cancelled day`);
  for (let i = 1; i < afterRows.length; i++) assert.ok(afterRows[i].sessionDate > afterRows[i - 1].sessionDate, 'block order: numbers run in date order');
  const perWeek = new Map<number, number>();
  for (const s of afterRows) perWeek.set(weekStart(dayNumber(s.sessionDate)), (perWeek.get(weekStart(dayNumber(s.sessionDate))) ?? 0) + 1);
  assert.ok([...perWeek.values()].every((n) => n <= 5));
  // What moved is what changed, and nothing else.
  const changed = afterRows.filter((s) => {
    const was = before[s.number - 1];
    return was.sessionDate !== s.sessionDate || was.startTime !== s.startTime;
  });
  assert.deepEqual(
    result.moved.map((m) => m.number),
    changed.map((s) => s.number),
  );
  assert.ok(result.moved.length >= 1 && result.moved[0].number === 10);
  assert.equal(result.moved[0].fromDate, target.sessionDate);
  const [cancelled] = await database.db.select().from(groupSessions).where(eq(groupSessions.id, target.id));
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(cancelled.cancelReason, 'Lockdown');
  assert.ok(result.lastDateAfter > result.lastDateBefore, 'the group now finishes later');
  await assertSiteValid();
});

test('cancelling needs a reason and the version it started from', async () => {
  const [s] = (await liveSessions(database.db, groupId)).slice(20, 21);
  await assert.rejects(cancelSession(database.db, estate.managerA, s.id, { reason: ' ', version: s.version }, testToday), (e) =>
    fieldMessage(e).startsWith('reason:'),
  );
  await assert.rejects(cancelSession(database.db, estate.managerA, s.id, { reason: 'Staff shortage', version: s.version + 5 }, testToday), EditConflict);
  await assert.rejects(cancelSession(database.db, estate.managerB, s.id, { reason: 'Staff shortage', version: s.version }, testToday), AccessDenied);
  await assert.rejects(cancelSession(database.db, estate.f.f1, s.id, { reason: 'Staff shortage', version: s.version }, testToday), AccessDenied);
});

test('a swap to a facilitator who is unavailable that day is refused, naming the rule', async () => {
  const s = (await liveSessions(database.db, groupId))[30];
  const detail = await getGroup(database.db, estate.managerA, groupId);
  const inSession = detail.sessions.find((x) => x.id === s.id)!.facilitators.map((f) => f.id);
  const spare = [estate.f.f1, estate.f.f2, estate.f.f3].find((f) => !inSession.includes(f.userId!))!;
  await addUnavailableDays(database.db, spare, spare.userId!, { from: s.sessionDate, reason: 'Course' }, testToday);
  const away = (await getFacilitatorAvailability(database.db, spare, spare.userId!, testToday)).unavailable.find((u) => u.date === s.sessionDate)!;
  try {
    const options = await swapOptions(database.db, estate.managerA, s.id, inSession[0], testToday);
    assert.deepEqual(options.candidates, []);
    assert.match(options.unavailable.find((u) => u.id === spare.userId)!.reason, /unavailable on/);
    await assert.rejects(
      swapFacilitator(database.db, estate.managerA, s.id, { replacedId: inSession[0], replacementId: spare.userId, version: s.version }, testToday),
      (e) => /replacementId: .* is unavailable on/.test(fieldMessage(e)),
    );
  } finally {
    await removeUnavailableDate(database.db, spare, spare.userId!, away.id);
  }
});

test('a swap to a facilitator already in another session at that time is refused as double-booking', async () => {
  // f3 is in this group's team and the other group's; make f3 run an afternoon of the other group, then try to put f3 in a clashing slot.
  const f3 = estate.f.f3.userId!;
  const detail = await getGroup(database.db, estate.managerA, groupId);
  const later = (await liveSessions(database.db, groupId)).slice(40);
  const s = later.find((x) => !detail.sessions.find((y) => y.id === x.id)!.facilitators.some((f) => f.id === f3))!;
  const inSession = detail.sessions.find((x) => x.id === s.id)!.facilitators.map((f) => f.id);
  // Book f3 a catch-up at exactly that time (with room in f3's limits for it), then the swap must be refused as a clash.
  const limits = await getFacilitatorAvailability(database.db, estate.managerA, f3);
  await setFacilitatorLimits(database.db, estate.managerA, f3, { maxSessionsPerDay: 2, maxSessionsPerWeek: 10, version: limits.version });
  const members = await addMembers(database.db, otherGroupId, estate.siteA, 1);
  const missed = (await liveSessions(database.db, otherGroupId))[0];
  // Room 2: this group's session has room 1 at that time.
  await bookCatchUp(database.db, estate.managerA, otherGroupId, {
    memberId: members[0],
    sessionId: missed.id,
    date: s.sessionDate,
    start: s.startTime,
    roomId: estate.roomA2,
    facilitatorId: f3,
  });
  await assert.rejects(
    swapFacilitator(database.db, estate.managerA, s.id, { replacedId: inSession[0], replacementId: f3, version: s.version }, testToday),
    (e) => /replacementId: .* already booked for a catch-up/.test(fieldMessage(e)),
  );
  await assertSiteValid();
});

test('a swap to a facilitator whose accreditation is suspended, or outside the team, is refused', async () => {
  const s = (await liveSessions(database.db, groupId))[50];
  const detail = await getGroup(database.db, estate.managerA, groupId);
  const inSession = detail.sessions.find((x) => x.id === s.id)!.facilitators.map((f) => f.id);
  const spare = [estate.f.f1, estate.f.f2, estate.f.f3].find((f) => !inSession.includes(f.userId!))!;
  const [accreditation] = await standingAccreditations(database.db, [spare.userId!], testToday);
  await database.db.transaction((tx) =>
    suspendAccreditation(tx, estate.managerA, {
      userId: spare.userId!,
      programmeId: 'core-sotp',
      from: '2026-11-30',
      reason: 'Under review',
      version: accreditation.version,
    }),
  );
  try {
    await assert.rejects(
      swapFacilitator(database.db, estate.managerA, s.id, { replacedId: inSession[0], replacementId: spare.userId, version: s.version }, testToday),
      (e) => /is suspended from delivering core-sotp from .*: Under review/.test(fieldMessage(e)),
    );
  } finally {
    await database.db.transaction((tx) =>
      reinstateAccreditation(tx, estate.managerA, { userId: spare.userId!, programmeId: 'core-sotp', version: accreditation.version + 1 }),
    );
  }
  await assert.rejects(
    swapFacilitator(database.db, estate.managerA, s.id, { replacedId: inSession[0], replacementId: estate.f.f5.userId, version: s.version }, testToday),
    (e) => /not in this group’s facilitator team/.test(fieldMessage(e)),
  );
});

test('a valid swap changes one facilitator in one session and the timetable still passes the checker', async () => {
  const sessions = await liveSessions(database.db, groupId);
  const detail = await getGroup(database.db, estate.managerA, groupId);
  for (const s of sessions.slice(60)) {
    const inSession = detail.sessions.find((x) => x.id === s.id)!.facilitators.map((f) => f.id);
    const options = await swapOptions(database.db, estate.managerA, s.id, inSession[0], testToday);
    if (options.candidates.length === 0) continue;
    const replacement = options.candidates[0].id;
    await swapFacilitator(database.db, estate.managerA, s.id, { replacedId: inSession[0], replacementId: replacement, version: s.version }, testToday);
    const now = (await getGroup(database.db, estate.managerA, groupId)).sessions
      .find((x) => x.id === s.id)!
      .facilitators.map((f) => f.id)
      .sort();
    assert.deepEqual(now, [inSession[1], replacement].sort());
    const others = (await getGroup(database.db, estate.managerA, groupId)).sessions.filter((x) => x.id !== s.id && x.status === 'scheduled');
    const othersBefore = detail.sessions.filter((x) => x.id !== s.id && x.status === 'scheduled');
    assert.deepEqual(
      others.map((x) => x.facilitators.map((f) => f.id)),
      othersBefore.map((x) => x.facilitators.map((f) => f.id)),
      'no other session changed',
    );
    await assertSiteValid();
    return;
  }
  assert.fail('no session had a free team member to swap in');
});

test('a facilitator’s limits are respected by swaps: one over the weekly limit is refused', async () => {
  const sessions = await liveSessions(database.db, groupId);
  const detail = await getGroup(database.db, estate.managerA, groupId);
  const weekOf = (date: string) => weekStart(dayNumber(date));
  const found = sessions.slice(60).flatMap((s) => {
    const inSession = detail.sessions.find((x) => x.id === s.id)!.facilitators.map((f) => f.id);
    const spare = [estate.f.f1, estate.f.f2, estate.f.f3].find((f) => !inSession.includes(f.userId!))!;
    const busyThatWeek = detail.sessions.filter(
      (x) =>
        x.status === 'scheduled' && weekOf(x.date) === weekOf(s.sessionDate) && x.date !== s.sessionDate && x.facilitators.some((f) => f.id === spare.userId),
    ).length;
    const busyThatDay = detail.sessions.some((x) => x.status === 'scheduled' && x.date === s.sessionDate && x.facilitators.some((f) => f.id === spare.userId));
    return busyThatWeek > 0 && !busyThatDay ? [{ s, inSession, spare, busyThatWeek }] : [];
  })[0];
  assert.ok(found, 'some later session has a spare team member who works elsewhere that week');
  const { s, inSession, spare, busyThatWeek } = found;
  const limits = await getFacilitatorAvailability(database.db, estate.managerA, spare.userId!);
  await setFacilitatorLimits(database.db, estate.managerA, spare.userId!, { maxSessionsPerDay: 1, maxSessionsPerWeek: busyThatWeek, version: limits.version });
  await assert.rejects(
    swapFacilitator(database.db, estate.managerA, s.id, { replacedId: inSession[0], replacementId: spare.userId, version: s.version }, testToday),
    (e) => /limit of \d+ sessions a week/.test(fieldMessage(e)),
  );
});

test('a catch-up for a man who missed a session is tracked until delivered', async () => {
  const [memberId] = await addMembers(database.db, groupId, estate.siteA, 1);
  const sessions = await liveSessions(database.db, groupId);
  const missed = sessions[2];
  const detail = await getGroup(database.db, estate.managerA, groupId);
  const facilitator = detail.team[0].userId;
  const limits = await getFacilitatorAvailability(database.db, estate.managerA, facilitator);
  await setFacilitatorLimits(database.db, estate.managerA, facilitator, { maxSessionsPerDay: 2, maxSessionsPerWeek: 6, version: limits.version });
  // The afternoon slot of the missed session's day, in room 2: the other group has room 1 then, and this group's
  // team is not in the other group's session.
  const day = missed.sessionDate;
  await assert.rejects(
    bookCatchUp(database.db, estate.managerA, groupId, {
      memberId,
      sessionId: missed.id,
      date: day,
      start: missed.startTime,
      roomId: estate.roomA2,
      facilitatorId: facilitator,
    }),
    (e) => /^(start|facilitatorId):/.test(fieldMessage(e)),
  );
  const { id } = await bookCatchUp(database.db, estate.managerA, groupId, {
    memberId,
    sessionId: missed.id,
    date: day,
    start: '13:30',
    roomId: estate.roomA2,
    facilitatorId: facilitator,
  });
  await assert.rejects(
    bookCatchUp(database.db, estate.managerA, groupId, {
      memberId,
      sessionId: missed.id,
      date: addDays(day, 1),
      start: '13:30',
      roomId: estate.roomA2,
      facilitatorId: facilitator,
    }),
    (e) => /already has a catch-up for session 3/.test(fieldMessage(e)),
  );
  let catchUp = (await getGroup(database.db, estate.managerA, groupId)).catchUps.find((c) => c.id === id)!;
  assert.equal(catchUp.status, 'booked');
  assert.equal(catchUp.sessionNumber, 3);
  await assert.rejects(recordCatchUpOutcome(database.db, estate.managerA, id, { outcome: 'delivered', version: catchUp.version }, testToday), (e) =>
    /cannot be delivered before then/.test(fieldMessage(e)),
  );
  await assert.rejects(recordCatchUpOutcome(database.db, estate.managerB, id, { outcome: 'delivered', version: catchUp.version }, day), AccessDenied);
  await recordCatchUpOutcome(database.db, estate.managerA, id, { outcome: 'delivered', version: catchUp.version }, day);
  catchUp = (await getGroup(database.db, estate.managerA, groupId)).catchUps.find((c) => c.id === id)!;
  assert.equal(catchUp.status, 'delivered');
  assert.equal(catchUp.deliveredOn, day);
  await assert.rejects(recordCatchUpOutcome(database.db, estate.managerA, id, { outcome: 'cancelled', version: catchUp.version }, day), (e) =>
    /already delivered/.test(fieldMessage(e)),
  );
});

test('a catch-up with a facilitator who is busy at that time is refused', async () => {
  const [memberId] = await addMembers(database.db, groupId, estate.siteA, 1);
  const sessions = await liveSessions(database.db, groupId);
  const detail = await getGroup(database.db, estate.managerA, groupId);
  const missed = sessions[4];
  const later = detail.sessions.find((x) => x.id === sessions[6].id)!;
  // Not f3, who is also in the other group's afternoon sessions: this is about the limit, not a clash.
  const busy = later.facilitators.find((f) => f.id !== estate.f.f3.userId)!.id;
  const limits = await getFacilitatorAvailability(database.db, estate.managerA, busy);
  await setFacilitatorLimits(database.db, estate.managerA, busy, { maxSessionsPerDay: 1, maxSessionsPerWeek: 5, version: limits.version });
  // The afternoon slot of a day the facilitator runs this group's morning session: free then, but over the daily limit.
  await assert.rejects(
    bookCatchUp(database.db, estate.managerA, groupId, {
      memberId,
      sessionId: missed.id,
      date: later.date,
      start: '13:30',
      roomId: estate.roomA2,
      facilitatorId: busy,
    }),
    (e) => /^facilitatorId: .*limit of 1 session a day/.test(fieldMessage(e)),
  );
});

test('the weeks show a facilitator their own sessions and a manager the site’s', async () => {
  const sessions = await liveSessions(database.db, groupId);
  const first = sessions[0];
  const mine = await facilitatorWeek(database.db, estate.f.f1, estate.f.f1.userId!, first.sessionDate, testToday);
  const entries = mine.days.flatMap((d) => d.entries);
  assert.ok(entries.length >= 1);
  const detail = await getGroup(database.db, estate.managerA, groupId);
  for (const e of entries.filter((x) => x.kind === 'session')) {
    const s = [...detail.sessions, ...(await getGroup(database.db, estate.managerA, otherGroupId)).sessions].find((x) => x.id === e.id)!;
    assert.ok(s.facilitators.some((f) => f.id === estate.f.f1.userId));
  }
  await assert.rejects(facilitatorWeek(database.db, estate.f.f2, estate.f.f1.userId!, first.sessionDate, testToday), AccessDenied);
  const site = await siteWeek(database.db, estate.managerA, estate.siteA, first.sessionDate, testToday);
  const siteEntries = site.days.flatMap((d) => d.entries).filter((e) => e.kind === 'session');
  assert.ok(siteEntries.some((e) => e.groupId === groupId) && siteEntries.some((e) => e.groupId === otherGroupId));
  await assert.rejects(siteWeek(database.db, estate.managerB, estate.siteA, first.sessionDate, testToday), AccessDenied);
});

test('the iCalendar feed needs the right secret and holds exactly the facilitator’s sessions, without participants', async () => {
  const secret = await calendarSecret(database.db, estate.f.f4);
  assert.match(secret, /^[0-9a-f]{64}$/);
  assert.equal(await calendarSecret(database.db, estate.f.f4), secret, 'the link stays the same until renewed');
  const feed = (await calendarFeed(database.db, secret))!;
  assert.ok(feed.startsWith('BEGIN:VCALENDAR\r\n') && feed.endsWith('END:VCALENDAR\r\n'));
  const uids = [...feed.matchAll(/UID:session-(\d+)@sotp/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  const all = [...(await getGroup(database.db, estate.managerA, groupId)).sessions, ...(await getGroup(database.db, estate.managerA, otherGroupId)).sessions];
  const expected = all
    .filter((s) => s.facilitators.some((f) => f.id === estate.f.f4.userId))
    .map((s) => s.id)
    .sort((a, b) => a - b);
  assert.ok(expected.length > 0);
  assert.deepEqual(uids, expected);
  assert.equal((feed.match(/BEGIN:VEVENT/g) ?? []).length, (feed.match(/END:VEVENT/g) ?? []).length);
  assert.doesNotMatch(feed, /Member\d+|Test /, 'no participant names');
  assert.ok(
    feed.split('\r\n').every((line) => Buffer.byteLength(line) <= 75),
    'lines are folded at 75 octets',
  );
  assert.equal(await calendarFeed(database.db, 'f'.repeat(64)), undefined);
  assert.equal(await calendarFeed(database.db, secret.slice(0, 63)), undefined);
  const renewed = await calendarSecret(database.db, estate.f.f4, { renew: true });
  assert.notEqual(renewed, secret);
  assert.equal(await calendarFeed(database.db, secret), undefined, 'the old link stops working');
  await assert.rejects(calendarSecret(database.db, estate.managerA), AccessDenied);
});
