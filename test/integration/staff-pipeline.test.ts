// The facilitator pipeline's service: every stage move for one role allowed and one refused, bad input refused
// naming the rule with nothing saved, accreditation granted only on programme training passed and a linked
// sign-in, the record's history with its evidence, optimistic locking and the audit of reads and writes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, staffMembers, staffStageMoves, users } from '../../src/db/schema.js';
import { londonToday } from '../../src/clock.js';
import { dayNumber, isoDate } from '../../src/domain/schedule/calendar.js';
import type { Actor } from '../../src/services/access.js';
import { systemActor } from '../../src/services/access.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { standingAccreditations } from '../../src/services/staff/accreditation.js';
import { addStaffMember, getStaffRecord, linkSignIn, listSiteStaff, makeStageMove } from '../../src/services/staff/pipeline.js';
import { createUser } from '../../src/services/users.js';
import { actorOf, siteIdOf } from '../support/actors.js';
import { demoPassword, testDatabase } from '../support/database.js';

let database: Database;
let manager: Actor;
let managerB: Actor;
let assessor: Actor;
let admin: Actor;
let ngt: number;
let fileStoreDir: string;
const today = londonToday();
const store = () => ({ fileStoreDir, maxBytes: 1_000_000 });

before(async () => {
  database = await testDatabase({ demo: true });
  const db = database.db;
  [manager, managerB, assessor] = await Promise.all([actorOf(db, 'manager'), actorOf(db, 'manager2'), actorOf(db, 'assessor')]);
  admin = { ...systemActor, username: 'admin-test' };
  ngt = await siteIdOf(db, 'NGT');
  fileStoreDir = await mkdtemp(join(tmpdir(), 'sotp-staff-files-'));
});
after(async () => {
  await database.close();
  await rm(fileStoreDir, { recursive: true, force: true });
});

let people = 0;
async function applicant(): Promise<number> {
  people++;
  return (await addStaffMember(database.db, manager, { displayName: `Applicant ${people}`, siteId: String(ngt), appliedOn: today }, {}, store(), today)).id;
}

async function versionOf(id: number): Promise<number> {
  const [m] = await database.db.select({ version: staffMembers.version }).from(staffMembers).where(eq(staffMembers.id, id));
  return m.version;
}

async function move(id: number, moveId: string, input: Record<string, unknown> = {}, actor = manager) {
  return makeStageMove(database.db, actor, id, moveId, { version: await versionOf(id), ...input }, {}, store(), today);
}

let facilitators = 0;
async function linkedFacilitator(id: number): Promise<number> {
  facilitators++;
  const user = await createUser(database.db, systemActor, {
    username: `pipeline-f${facilitators}`,
    displayName: `Pipeline Facilitator ${facilitators}`,
    role: 'facilitator',
    siteIds: [ngt],
    password: demoPassword,
  });
  await linkSignIn(database.db, admin, id, { version: await versionOf(id), userId: user.id });
  return user.id;
}

const evidence: Record<string, Record<string, unknown>> = {
  record_suitability: {
    psychometricResult: 'Within the expected range',
    interviewDate: today,
    interviewPanel: 'A. Manager, B. Psychologist',
    interviewOutcome: 'suitable',
  },
  record_assessment_passed: { assessedOn: today },
  record_not_selected: { reason: 'Withdrew her application' },
  record_fundamental_skills_training: { course: 'Fundamental skills, residential', startedOn: today, finishedOn: today, result: 'passed' },
  record_programme_training: { programmeId: 'core-sotp', startedOn: today, finishedOn: today, result: 'passed' },
  accredit: { programmeId: 'core-sotp', accreditedOn: today },
  suspend: { programmeId: 'core-sotp', from: today, reason: 'Under investigation' },
  reinstate: { programmeId: 'core-sotp', reason: 'Investigation closed' },
  withdraw: { from: today, reason: 'Moved to another prison' },
};

/** The moves that lead to each move's starting point, from application. */
const before_: Record<string, string[]> = {
  record_suitability: [],
  record_assessment_passed: ['record_suitability'],
  record_not_selected: [],
  record_fundamental_skills_training: ['record_suitability', 'record_assessment_passed'],
  record_programme_training: ['record_suitability', 'record_assessment_passed', 'record_fundamental_skills_training'],
  accredit: ['record_suitability', 'record_assessment_passed', 'record_fundamental_skills_training', 'record_programme_training'],
  suspend: ['record_suitability', 'record_assessment_passed', 'record_fundamental_skills_training', 'record_programme_training', 'accredit'],
  reinstate: ['record_suitability', 'record_assessment_passed', 'record_fundamental_skills_training', 'record_programme_training', 'accredit', 'suspend'],
  withdraw: [],
};

async function memberReadyFor(moveId: string): Promise<number> {
  const id = await applicant();
  if (before_[moveId].includes('accredit') || moveId === 'accredit') await linkedFacilitator(id);
  for (const earlier of before_[moveId]) await move(id, earlier, evidence[earlier]);
  return id;
}

describe('every stage move: a treatment manager of the site may make it, an assessor may not', () => {
  test('adding someone who applied (record_application)', async () => {
    await assert.rejects(
      addStaffMember(database.db, assessor, { displayName: 'Refused', siteId: String(ngt), appliedOn: today }, {}, store(), today),
      AccessDenied,
    );
    const id = await applicant();
    assert.equal((await getStaffRecord(database.db, manager, id, today)).stage, 'applied');
  });
  for (const moveId of Object.keys(before_)) {
    test(moveId, async () => {
      const id = await memberReadyFor(moveId);
      const movesBefore = await movesOf(id);
      await assert.rejects(move(id, moveId, evidence[moveId], assessor), AccessDenied);
      assert.equal(await movesOf(id), movesBefore, 'the refused move saved nothing');
      await move(id, moveId, evidence[moveId]);
      const record = await getStaffRecord(database.db, manager, id, today);
      assert.equal(record.history[0].moveId, moveId, 'the move is the newest in the history');
    });
  }

  test('a treatment manager of another site may not move someone on', async () => {
    const id = await applicant();
    await assert.rejects(move(id, 'record_suitability', evidence.record_suitability, managerB), AccessDenied);
  });

  test('the accreditation from before sotp: only an administrator’s import makes it (see the staff import test)', async () => {
    const id = await applicant();
    await assert.rejects(move(id, 'record_existing_accreditation', { programmeId: 'core-sotp', accreditedOn: today }), AccessDenied);
  });
});

async function movesOf(id: number): Promise<number> {
  const [{ n }] = await database.db.select({ n: count() }).from(staffStageMoves).where(eq(staffStageMoves.staffMemberId, id));
  return n;
}

function refusedNaming(field: string, message: RegExp) {
  return (error: unknown) => error instanceof ValidationFailed && error.errors[0].field === field && message.test(error.errors[0].message);
}

describe('bad input is refused naming the rule, and nothing is saved', () => {
  test('a stage move not allowed from the stage: 400 naming the stage', async () => {
    const id = await applicant();
    await assert.rejects(move(id, 'record_assessment_passed', evidence.record_assessment_passed), refusedNaming('move', /cannot be recorded while applied/));
    assert.equal(await movesOf(id), 1);
    assert.equal((await getStaffRecord(database.db, manager, id, today)).stage, 'applied');
  });

  test('accreditation without the programme training recorded: 400 naming the rule, nothing saved, no accreditation granted', async () => {
    const id = await memberReadyFor('record_programme_training');
    const userId = await linkedFacilitator(id);
    await move(id, 'record_programme_training', { ...evidence.record_programme_training, result: 'failed' });
    const moves = await movesOf(id);
    await assert.rejects(
      move(id, 'accredit', evidence.accredit),
      refusedNaming('programmeId', /Accreditation needs the programme’s training recorded with a pass/),
    );
    assert.equal(await movesOf(id), moves);
    assert.deepEqual(await standingAccreditations(database.db, [userId], today), []);
  });

  test('accreditation without a linked sign-in: 400 "link a sign-in first"', async () => {
    const id = await memberReadyFor('record_programme_training');
    await move(id, 'record_programme_training', evidence.record_programme_training);
    await assert.rejects(move(id, 'accredit', evidence.accredit), refusedNaming('move', /link a sign-in first/));
  });

  test('accreditation with training passed and a sign-in grants the accreditation the scheduler reads', async () => {
    const id = await memberReadyFor('accredit');
    const [m] = await database.db.select({ userId: staffMembers.userId }).from(staffMembers).where(eq(staffMembers.id, id));
    await move(id, 'accredit', evidence.accredit);
    const standing = await standingAccreditations(database.db, [m.userId!], today);
    assert.deepEqual(
      standing.map((a) => a.programmeId),
      ['core-sotp'],
    );
  });

  test('a reason required and not given names the reason', async () => {
    const id = await applicant();
    await assert.rejects(move(id, 'record_not_selected', { reason: ' ' }), refusedNaming('reason', /Give a reason/));
  });

  test('an evidence date in the future, or a course ending before it began, names the date', async () => {
    const id = await memberReadyFor('record_fundamental_skills_training');
    await assert.rejects(
      move(id, 'record_fundamental_skills_training', { ...evidence.record_fundamental_skills_training, finishedOn: '2999-01-01' }),
      refusedNaming('finishedOn', /cannot be in the future/),
    );
    await assert.rejects(
      move(id, 'record_fundamental_skills_training', { ...evidence.record_fundamental_skills_training, startedOn: today, finishedOn: '2020-01-01' }),
      refusedNaming('finishedOn', /cannot be before the first day of the course/),
    );
    await assert.rejects(
      move(id, 'record_fundamental_skills_training', { ...evidence.record_fundamental_skills_training, result: 'excellent' }),
      refusedNaming('result', /Select the result/),
    );
  });

  test('a move sent with a version someone else has moved on from is a conflict', async () => {
    const id = await applicant();
    const stale = await versionOf(id);
    await move(id, 'record_suitability', evidence.record_suitability);
    await assert.rejects(makeStageMove(database.db, manager, id, 'record_not_selected', { version: stale, reason: 'x' }, {}, store(), today), EditConflict);
  });
});

test('the record keeps who made each move, when, why and the evidence, newest first', async () => {
  const id = await applicant();
  await move(id, 'record_suitability', { ...evidence.record_suitability, interviewNotes: 'Calm and reflective' });
  await move(id, 'record_not_selected', { reason: 'Not suitable for group work' });
  const record = await getStaffRecord(database.db, manager, id, today);
  assert.equal(record.stage, 'not_selected');
  const [{ displayName }] = await database.db.select({ displayName: users.displayName }).from(users).where(eq(users.id, manager.userId!));
  assert.deepEqual(
    record.history.map((h) => [h.moveId, h.fromLabel, h.toLabel, h.movedBy]),
    [
      ['record_not_selected', 'Suitability assessed', 'Not selected', displayName],
      ['record_suitability', 'Applied', 'Suitability assessed', displayName],
      ['record_application', 'Not started', 'Applied', displayName],
    ],
  );
  assert.equal(record.history[0].reason, 'Not suitable for group work');
  assert.ok(record.history[1].evidence.some((e) => e.label === 'Interview outcome' && e.value === 'Suitable'));
  assert.ok(record.history[1].evidence.some((e) => e.label === 'Interview notes' && e.value === 'Calm and reflective'));
  assert.deepEqual(record.moves, [], 'nothing more can be recorded after not selected');
});

test('a facilitator sees his own record read-only, and only his own', async () => {
  const id = await memberReadyFor('accredit');
  const [m] = await database.db.select({ userId: staffMembers.userId }).from(staffMembers).where(eq(staffMembers.id, id));
  const [user] = await database.db.select().from(users).where(eq(users.id, m.userId!));
  const himself: Actor = { userId: user.id, username: user.username, role: 'facilitator', siteIds: [ngt] };
  const own = await getStaffRecord(database.db, himself, id, today);
  assert.deepEqual(own.moves, []);
  assert.equal(own.canLinkSignIn, false);
  const other = await applicant();
  await assert.rejects(getStaffRecord(database.db, himself, other, today), AccessDenied);
  assert.deepEqual(
    (await listSiteStaff(database.db, himself, ngt)).map((s) => s.id),
    [id],
  );
});

test('linking a sign-in is an administrator’s: refused to a treatment manager, and only a facilitator’s sign-in', async () => {
  const id = await applicant();
  await assert.rejects(linkSignIn(database.db, manager, id, { version: await versionOf(id), userId: manager.userId }), AccessDenied);
  await assert.rejects(linkSignIn(database.db, admin, id, { version: await versionOf(id), userId: manager.userId }), refusedNaming('userId', /facilitator/));
});

test('reads and writes of the pipeline are audited', async () => {
  const [{ before }] = await database.db.select({ before: count() }).from(auditLog);
  const id = await applicant();
  await getStaffRecord(database.db, manager, id, today);
  await listSiteStaff(database.db, manager, ngt);
  const entries = await database.db.select().from(auditLog).orderBy(auditLog.seq);
  assert.deepEqual(
    entries.slice(before).map((e) => e.action),
    ['staff.moved', 'staff.viewed', 'staff.list_viewed'],
  );
});

test('lapsed is never recorded: the record shows it when supervision is overdue beyond the grace period, from the supervision records', async () => {
  const id = await memberReadyFor('accredit');
  await move(id, 'accredit', evidence.accredit);
  const now = await getStaffRecord(database.db, manager, id, today);
  assert.equal(now.programmes[0].stage, 'accredited');
  const later = isoDate(dayNumber(today) + 365);
  const then = await getStaffRecord(database.db, manager, id, later);
  assert.equal(then.stage, 'accredited', 'the recorded stage is unchanged');
  assert.deepEqual([then.programmes[0].stage, then.programmes[0].label, then.programmes[0].supervision], ['lapsed', 'Lapsed (supervision overdue)', 'lapsed']);
});
