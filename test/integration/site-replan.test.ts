import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import {
  auditLog,
  facilitatorUnavailability,
  groupSessions,
  groupSlots,
  programmeGroups,
  sessionFacilitators,
  sessionRegisters,
  users,
} from '../../src/db/schema.js';
import { checkTimetable } from '../../src/domain/schedule/check.js';
import { dayNumber } from '../../src/domain/schedule/calendar.js';
import type { GroupGap } from '../../src/domain/schedule/solver.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { createGroup, generateTimetable } from '../../src/services/groups/planning.js';
import { replanSite, siteReplanPlan } from '../../src/services/timetable/site-replanning.js';
import { testDatabase } from '../support/database.js';
import { superviseOn } from '../support/staff.js';
import { buildEstate, checkedCoreSotp, groupForm, liveSessions, storedTimetable, testToday, type Estate } from '../support/groups.js';

// The site is re-planned on this day: group S started on 4 January, so its first weeks have happened.
const replanDay = '2027-02-01';
let database: Database;
let estate: Estate;
const ids: Record<'started' | 'recorded' | 'first' | 'second', number> = { started: 0, recorded: 0, first: 0, second: 0 };

before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
  // Everyone at the site supervised by the day of the re-plan, so no accreditation has lapsed by then.
  await superviseOn(
    database.db,
    estate.managerA,
    Object.values(estate.f)
      .filter((f) => f !== estate.f.g1)
      .map((f) => f.userId!),
    replanDay,
  );
  const { f } = estate;
  const create = async (overrides: Record<string, unknown>) =>
    (await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, overrides), testToday)).id;
  const afternoons = ['mon 13:30', 'tue 13:30', 'wed 13:30', 'thu 13:30', 'fri 13:30'];
  // Started before the re-plan day: every session of it is held.
  ids.started = await create({ earliestStart: '2027-01-04' });
  // Not started by the day, but a register is already recorded for one of its sessions: held too.
  ids.recorded = await create({
    earliestStart: '2027-06-07',
    roomId: String(estate.roomA2),
    leadId: String(f.f4.userId),
    coId: String(f.f5.userId),
    coverId: '',
  });
  // Two groups still to start, sharing facilitators with the held groups and each other.
  ids.first = await create({
    earliestStart: '2027-03-01',
    roomId: String(estate.roomA2),
    slots: afternoons,
    leadId: String(f.f4.userId),
    coId: String(f.f5.userId),
    coverId: String(f.f3.userId),
  });
  ids.second = await create({
    earliestStart: '2027-03-01',
    slots: afternoons,
    leadId: String(f.f3.userId),
    coId: String(f.f2.userId),
    coverId: String(f.f5.userId),
  });
  const [recordedSession] = (await liveSessions(database.db, ids.recorded)).slice(2, 3);
  await database.db.insert(sessionRegisters).values({ sessionId: recordedSession.id, recordedBy: estate.managerA.userId! });
  // The first group's lead is away on its third session: its plan now breaks a rule, and a re-plan must move it.
  const third = (await liveSessions(database.db, ids.first))[2];
  await database.db.insert(facilitatorUnavailability).values({ userId: f.f4.userId!, unavailableOn: third.sessionDate, reason: 'Training' });
});
after(() => database.close());

/** Each live session of the groups: id, number, day, time, room and facilitators. */
async function sessionsOf(groupIds: number[]) {
  const result = [];
  for (const id of groupIds) {
    const rows = await liveSessions(database.db, id);
    const staff = rows.length
      ? await database.db
          .select()
          .from(sessionFacilitators)
          .where(
            inArray(
              sessionFacilitators.sessionId,
              rows.map((r) => r.id),
            ),
          )
      : [];
    for (const r of rows) {
      const facilitators = staff
        .filter((s) => s.sessionId === r.id)
        .map((s) => s.userId)
        .sort((a, b) => a - b);
      result.push({ id: r.id, groupId: r.groupId, number: r.number, date: r.sessionDate, start: r.startTime, room: r.roomId, facilitators });
    }
  }
  return result;
}

async function versions() {
  const rows = await database.db.select().from(programmeGroups).where(eq(programmeGroups.siteId, estate.siteA));
  return rows.map((g) => `${g.id}:${g.version}`).sort();
}

const confirmation = async () => {
  const plan = await siteReplanPlan(database.db, estate.managerA, estate.siteA, 'core-sotp', replanDay);
  return { plan, groups: plan.toReplan.map((g) => `${g.id}:${g.version}`) };
};

test('the re-plan lists the groups not yet started to plan again, and holds those with a session that has happened', async () => {
  const { plan } = await confirmation();
  assert.deepEqual(plan.toReplan.map((g) => g.id).sort(), [ids.first, ids.second].sort());
  assert.deepEqual(plan.held.map((g) => g.id).sort(), [ids.started, ids.recorded].sort());
  assert.ok(plan.held.every((g) => g.happened > 0));
});

test('only the site’s treatment manager may re-plan; another site’s is refused and nothing changes', async () => {
  const before = await versions();
  const { groups } = await confirmation();
  await assert.rejects(replanSite(database.db, estate.managerB, estate.siteA, 'core-sotp', { groups }, { today: replanDay }), AccessDenied);
  await assert.rejects(replanSite(database.db, estate.f.f1, estate.siteA, 'core-sotp', { groups }, { today: replanDay }), AccessDenied);
  await assert.rejects(siteReplanPlan(database.db, estate.managerB, estate.siteA, 'core-sotp', replanDay), AccessDenied);
  assert.deepEqual(await versions(), before);
});

test('a re-plan confirmed against groups changed since is refused and nothing changes', async () => {
  const before = await versions();
  const { groups } = await confirmation();
  const stale = groups.map((g) => g.replace(/:(\d+)$/, (_m, v: string) => `:${Number(v) + 1}`));
  await assert.rejects(replanSite(database.db, estate.managerA, estate.siteA, 'core-sotp', { groups: stale }, { today: replanDay }), EditConflict);
  await assert.rejects(replanSite(database.db, estate.managerA, estate.siteA, 'core-sotp', { groups: groups.slice(1) }, { today: replanDay }), EditConflict);
  assert.deepEqual(await versions(), before);
});

let heldBefore: Awaited<ReturnType<typeof sessionsOf>>;
let replanned: Awaited<ReturnType<typeof replanSite>>;

test('re-planning the site never moves a session that has already happened', async () => {
  heldBefore = await sessionsOf([ids.started, ids.recorded]);
  assert.ok(
    heldBefore.some((s) => s.date < replanDay) && heldBefore.some((s) => s.date >= replanDay),
    'the started group has sessions on both sides of the day',
  );
  const stored = await storedTimetable(database.db, estate.siteA);
  assert.notDeepEqual(checkTimetable(stored.scenario, checkedCoreSotp, stored.solution), [], 'before the re-plan, a session has its lead on a day he is away');
  const { groups } = await confirmation();
  replanned = await replanSite(database.db, estate.managerA, estate.siteA, 'core-sotp', { groups }, { today: replanDay });
  assert.deepEqual(await sessionsOf([ids.started, ids.recorded]), heldBefore);
});

test('re-planning re-plans every group not yet started and never double-books a facilitator or room', async () => {
  assert.deepEqual(
    replanned.replanned.map((g) => [g.groupId, g.scheduled]).sort(),
    [
      [ids.first, true],
      [ids.second, true],
    ].sort(),
  );
  // The first group's old plan had its lead on a day he is away; the stored site now passes the independent checker.
  const { scenario, solution } = await storedTimetable(database.db, estate.siteA);
  assert.deepEqual(checkTimetable(scenario, checkedCoreSotp, solution), []);
  const heldIds = new Set(heldBefore.map((s) => s.id));
  for (const groupId of [ids.first, ids.second]) {
    const [group] = await database.db.select().from(programmeGroups).where(eq(programmeGroups.id, groupId));
    const own = new Set((await database.db.select().from(groupSlots).where(eq(groupSlots.groupId, groupId))).map((s) => `${s.weekday} ${s.startTime}`));
    const sessions = await sessionsOf([groupId]);
    assert.equal(sessions.length, checkedCoreSotp.blocks.length);
    for (const s of sessions) {
      assert.ok(!heldIds.has(s.id));
      assert.ok(s.date >= replanDay, `session ${s.number} of ${group.name} is not before the day of the re-plan`);
      assert.equal(s.room, group.roomId, `session ${s.number} of ${group.name} is in the group’s own room`);
      const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(`${s.date}T12:00:00Z`).getUTCDay()];
      assert.ok(own.has(`${weekday} ${s.start}`), `session ${s.number} of ${group.name} is in one of the group’s own slots`);
    }
  }
  const [entry] = await database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'site.replanned'), eq(auditLog.subjectId, String(estate.siteA))));
  assert.deepEqual((entry.details as { groups: number[] }).groups.sort(), [ids.first, ids.second].sort());
});

/** The gap stored on the group agrees with its stored sessions: finish is its last session, ratio as defined. */
async function assertGapIsCurrent(groupId: number, earliestStart: string) {
  const [group] = await database.db.select().from(programmeGroups).where(eq(programmeGroups.id, groupId));
  const gap = group.planGap as GroupGap | null;
  assert.ok(gap, `${group.name} has a stored gap`);
  const last = (await liveSessions(database.db, groupId)).at(-1)!.sessionDate;
  assert.equal(gap.finish, last);
  assert.equal(gap.earliestStart, earliestStart);
  assert.ok(gap.bound <= gap.finish);
  const days = (to: string) => dayNumber(to) - dayNumber(earliestStart) + 1;
  assert.ok(Math.abs(gap.ratio - days(gap.finish) / days(gap.bound)) < 1e-9);
}

test('re-planning the site refreshes the stored gap of every group it re-plans', async () => {
  for (const groupId of [ids.first, ids.second]) await assertGapIsCurrent(groupId, '2027-03-01');
});

test('generating one group’s timetable stores its gap to the calendar bound', async () => {
  const { id } = await createGroup(
    database.db,
    estate.managerA,
    estate.siteA,
    groupForm(estate, { earliestStart: '2028-01-03', leadId: String(estate.f.f1.userId), coId: String(estate.f.f2.userId) }),
    testToday,
  );
  // Its sessions removed and its gap forgotten, as for a group the solver could not plan when it was created.
  const rows = await liveSessions(database.db, id);
  await database.db.delete(sessionFacilitators).where(
    inArray(
      sessionFacilitators.sessionId,
      rows.map((r) => r.id),
    ),
  );
  await database.db.delete(groupSessions).where(eq(groupSessions.groupId, id));
  const [group] = await database.db.update(programmeGroups).set({ planGap: null, status: 'unscheduled' }).where(eq(programmeGroups.id, id)).returning();
  await generateTimetable(database.db, estate.managerA, id, { version: group.version }, testToday);
  await assertGapIsCurrent(id, '2028-01-03');
});

test('a re-plan in which a group that has a timetable could not be finished changes nothing at all', async () => {
  // Two of the first group's team leave: it could not be finished any more, so the whole re-plan is refused.
  const leaving = [estate.f.f3.userId!, estate.f.f5.userId!];
  await database.db.update(users).set({ disabled: true }).where(inArray(users.id, leaving));
  try {
    const all = [ids.started, ids.recorded, ids.first, ids.second];
    const before = { sessions: await sessionsOf(all), versions: await versions() };
    const { groups } = await confirmation();
    await assert.rejects(
      replanSite(database.db, estate.managerA, estate.siteA, 'core-sotp', { groups }, { today: replanDay }),
      (e: unknown) => e instanceof ValidationFailed && /could not be finished if the site were re-planned, so nothing was changed/.test(e.errors[0].message),
    );
    assert.deepEqual({ sessions: await sessionsOf(all), versions: await versions() }, before);
  } finally {
    await database.db.update(users).set({ disabled: false }).where(inArray(users.id, leaving));
  }
});
