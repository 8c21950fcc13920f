// Supervision records (issue 12): who may record one and of whom, the rules that refuse one (naming the rule, saving
// nothing), the recordings watched, agreed actions and their completion, the facilitator's read-only view of his own
// record, the home page's alerts, and the named treatment manager of a site and programme.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, like } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, groupSessions, recordings, sessionFacilitators, supervisions } from '../../src/db/schema.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { addDays, londonToday } from '../../src/services/scheduling.js';
import { nameTreatmentManager, siteStaff } from '../../src/services/staff/site-staff.js';
import { completeSupervisionAction, facilitatorSupervision, recordSupervision, supervisionAlerts } from '../../src/services/staff/supervision.js';
import { systemActor, type Actor } from '../../src/services/access.js';
import { testDatabase } from '../support/database.js';
import { buildEstate, groupForm, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
/** A session f1 delivers, a recording of it, and the day after it: when a supervision may watch it. */
let watched: { recordingId: number; minutes: number; dayAfter: string };
const admin: Actor = { ...systemActor, userId: null };

before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
  const group = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { earliestStart: '2027-01-04' }), testToday);
  const [session] = await database.db
    .select({ id: groupSessions.id, date: groupSessions.sessionDate })
    .from(groupSessions)
    .innerJoin(sessionFacilitators, and(eq(sessionFacilitators.sessionId, groupSessions.id), eq(sessionFacilitators.userId, estate.f.f1.userId!)))
    .where(eq(groupSessions.groupId, group.id))
    .orderBy(groupSessions.sessionDate)
    .limit(1);
  // The recording's row as an upload leaves it (its file is not needed here): 25 minutes and a bit.
  const [recording] = await database.db
    .insert(recordings)
    .values({
      sessionId: session.id,
      uploadedBy: estate.f.f1.userId!,
      storedName: `${'a'.repeat(32)}.webm`,
      bytes: 1000,
      sha256: '0'.repeat(64),
      durationMs: 25 * 60_000 + 1,
      format: 'webm',
      mediaType: 'video/webm',
    })
    .returning({ id: recordings.id });
  watched = { recordingId: recording.id, minutes: 26, dayAfter: addDays(session.date, 1) };
});
after(() => database.close());

const f1 = () => estate.f.f1.userId!;
const countOf = async () => (await database.db.select().from(supervisions).where(eq(supervisions.facilitatorId, f1()))).length;

async function refused(input: Record<string, unknown>, field: string, message: RegExp, today = londonToday()): Promise<void> {
  const before = await countOf();
  await assert.rejects(recordSupervision(database.db, estate.managerA, f1(), input, today), (e) => {
    assert.ok(e instanceof ValidationFailed, String(e));
    assert.equal(e.errors[0].field, field);
    assert.match(e.errors[0].message, message);
    return true;
  });
  assert.equal(await countOf(), before, 'nothing saved');
}

test('a supervision dated after today is refused, naming the rule, and nothing is saved', async () => {
  await refused({ supervisedOn: addDays(londonToday(), 1), supervisorId: estate.managerA.userId }, 'supervisedOn', /cannot be dated after today/);
});

test('a supervisor who is not a treatment manager of the site is refused, naming the rule', async () => {
  await refused({ supervisedOn: londonToday(), supervisorId: estate.managerB.userId }, 'supervisorId', /must be a treatment manager of the site/);
  await refused({ supervisedOn: londonToday(), supervisorId: estate.f.f2.userId }, 'supervisorId', /must be a treatment manager of the site/);
});

test('a recording watched must be of a session the facilitator delivered at the site, on or before the supervision, and no longer than it is', async () => {
  const base = { supervisedOn: watched.dayAfter, supervisorId: estate.managerA.userId };
  // A supervision today is before the session (in 2027) was delivered.
  await refused(
    { supervisedOn: londonToday(), supervisorId: estate.managerA.userId, observed: [{ recordingId: watched.recordingId, minutesWatched: 10 }] },
    'observed.0.recordingId',
    /session .* delivered at the site on or before the supervision/,
  );
  await refused(
    { ...base, observed: [{ recordingId: watched.recordingId, minutesWatched: watched.minutes + 1 }] },
    'observed.0.minutesWatched',
    new RegExp(`is ${watched.minutes} minutes long`),
    watched.dayAfter,
  );
  await assert.rejects(
    recordSupervision(
      database.db,
      estate.managerA,
      estate.f.f3.userId!,
      { ...base, observed: [{ recordingId: watched.recordingId, minutesWatched: 5 }] },
      watched.dayAfter,
    ),
    (e) => e instanceof ValidationFailed && e.errors[0].field === 'observed.0.recordingId',
    'the cover facilitator, f3, did not deliver that session',
  );
});

test('an action due before the supervision is refused, naming the action', async () => {
  await refused(
    { supervisedOn: londonToday(), supervisorId: estate.managerA.userId, actions: [{ description: 'Read the manual', dueOn: addDays(londonToday(), -1) }] },
    'actions.0.dueOn',
    /due on or after the day of the supervision/,
  );
});

test('only a treatment manager of the facilitator’s site records a supervision', async () => {
  const input = { supervisedOn: londonToday(), supervisorId: estate.managerA.userId };
  await assert.rejects(recordSupervision(database.db, estate.managerB, f1(), input), AccessDenied);
  await assert.rejects(recordSupervision(database.db, estate.f.f2, f1(), input), AccessDenied);
  await assert.rejects(recordSupervision(database.db, estate.f.f1, f1(), input), AccessDenied, 'not even of himself');
});

test('a supervision keeps the recordings watched and the agreed actions; the facilitator reads his own record, not a colleague’s, and marks his action done', async () => {
  const { id } = await recordSupervision(
    database.db,
    estate.managerA,
    f1(),
    {
      supervisedOn: watched.dayAfter,
      supervisorId: estate.managerA.userId,
      notes: 'Good pace',
      observed: [{ recordingId: watched.recordingId, minutesWatched: 20 }],
      actions: [{ description: 'Rehearse the role-play', dueOn: addDays(watched.dayAfter, 7) }],
    },
    watched.dayAfter,
  );
  const own = await facilitatorSupervision(database.db, estate.f.f1, f1(), watched.dayAfter);
  const record = own.supervisions.find((s) => s.id === id)!;
  assert.deepEqual(
    record.observed.map((o) => [o.recordingId, o.minutesWatched]),
    [[watched.recordingId, 20]],
  );
  assert.equal(record.notes, 'Good pace');
  assert.equal(own.canRecord, false, 'read-only for the facilitator');
  await assert.rejects(facilitatorSupervision(database.db, estate.f.f2, f1()), AccessDenied);

  const [action] = record.actions;
  assert.equal(action.overdue, false);
  const late = await facilitatorSupervision(database.db, estate.managerA, f1(), addDays(watched.dayAfter, 8));
  assert.equal(late.supervisions.find((s) => s.id === id)!.actions[0].overdue, true);
  const alerts = await supervisionAlerts(database.db, estate.managerA, addDays(watched.dayAfter, 8));
  assert.ok(alerts.overdueActions.some((o) => o.actionId === action.id));
  await assert.rejects(completeSupervisionAction(database.db, estate.f.f2, action.id, { version: action.version }), AccessDenied);
  await completeSupervisionAction(database.db, estate.f.f1, action.id, { version: action.version }, addDays(watched.dayAfter, 8));
  await assert.rejects(completeSupervisionAction(database.db, estate.managerA, action.id, { version: action.version }), EditConflict);
  const done = await supervisionAlerts(database.db, estate.managerA, addDays(watched.dayAfter, 8));
  assert.ok(!done.overdueActions.some((o) => o.actionId === action.id));

  const audited = await database.db.select().from(auditLog).where(like(auditLog.action, 'supervision.%'));
  assert.ok(audited.some((a) => a.action === 'supervision.recorded' && a.subjectId === String(f1())));
  assert.ok(audited.some((a) => a.action === 'supervision.history_viewed'));
  assert.ok(audited.some((a) => a.action === 'supervision.action_completed'));
});

test('a site’s treatment manager for a programme is named by an administrator, from the site’s treatment managers; the staff overview shows who supervised whom last', async () => {
  await assert.rejects(
    nameTreatmentManager(database.db, estate.managerA, estate.siteA, { programmeId: 'core-sotp', userId: estate.managerA.userId, version: 0 }),
    AccessDenied,
  );
  await assert.rejects(
    nameTreatmentManager(database.db, admin, estate.siteA, { programmeId: 'core-sotp', userId: estate.managerB.userId, version: 0 }),
    (e) => e instanceof ValidationFailed && e.errors[0].field === 'userId' && /must be a treatment manager of HMP Alpha/.test(e.errors[0].message),
  );
  await nameTreatmentManager(database.db, admin, estate.siteA, { programmeId: 'core-sotp', userId: estate.managerA.userId, version: 0 });
  await assert.rejects(
    nameTreatmentManager(database.db, admin, estate.siteA, { programmeId: 'core-sotp', userId: estate.managerA.userId, version: 0 }),
    EditConflict,
  );
  const staff = await siteStaff(database.db, estate.managerA, estate.siteA);
  assert.equal(staff.treatmentManagers.find((t) => t.programmeId === 'core-sotp')?.manager?.id, estate.managerA.userId);
  const row = staff.facilitators.find((f) => f.id === f1())!;
  assert.equal(row.lastSupervision?.on, watched.dayAfter);
  assert.match(row.lastSupervision?.supervisorName ?? '', /^ManagerA/);
  await assert.rejects(siteStaff(database.db, estate.managerB, estate.siteA), AccessDenied);
});
