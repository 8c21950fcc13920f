import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, groupMembers, people, recordings, referrals, sessionFacilitators } from '../../src/db/schema.js';
import type { Actor } from '../../src/services/access.js';
import { listCaseload } from '../../src/services/caseload.js';
import { facilitatorDay } from '../../src/services/delivery/facilitator-day.js';
import { getSessionLog, saveSessionLog } from '../../src/services/delivery/session-logs.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { getPerson, searchPeople } from '../../src/services/people.js';
import { getRegister, recordRegister } from '../../src/services/registers.js';
import { getReferral } from '../../src/services/referrals.js';
import { addDays } from '../../src/services/scheduling.js';
import { testDatabase } from '../support/database.js';
import { addMembers, buildEstate, coreSotp, groupForm, liveSessions, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
let groupId: number;
let members: Array<{ personId: number; familyName: string }>;
let outsider: { personId: number; referralId: number };
let sessions: Awaited<ReturnType<typeof liveSessions>>;
/** The two facilitators of session 1 … 10 (the lead and co of the team), and a team member facilitating none of them. */
let writer: Actor;
let coWriter: Actor;
let notFacilitating: Actor;

before(async () => {
  database = await testDatabase();
  const { db } = database;
  estate = await buildEstate(db);
  groupId = (await createGroup(db, estate.managerA, estate.siteA, groupForm(estate), testToday)).id;
  const memberIds = await addMembers(db, groupId, estate.siteA, 3);
  members = await db
    .select({ personId: people.id, familyName: people.familyName })
    .from(groupMembers)
    .innerJoin(people, eq(people.id, groupMembers.personId))
    .where(inArray(groupMembers.id, memberIds));
  const [man] = await db
    .insert(people)
    .values({ prisonNumber: 'Z9876ZY', givenName: 'Waiting', familyName: 'Outsider', dateOfBirth: '1975-05-05', sex: 'male', siteId: estate.siteA })
    .returning();
  const [referral] = await db
    .insert(referrals)
    .values({ personId: man.id, programmeId: 'core-sotp', siteId: estate.siteA, status: 'awaiting_allocation' })
    .returning();
  outsider = { personId: man.id, referralId: referral.id };
  sessions = await liveSessions(db, groupId);
  const onFirst = (await db.select().from(sessionFacilitators).where(eq(sessionFacilitators.sessionId, sessions[0].id))).map((f) => f.userId);
  const team = [estate.f.f1, estate.f.f2, estate.f.f3];
  [writer, coWriter] = team.filter((f) => onFirst.includes(f.userId!));
  const onFirstTen = (
    await db
      .select()
      .from(sessionFacilitators)
      .where(
        inArray(
          sessionFacilitators.sessionId,
          sessions.slice(0, 10).map((s) => s.id),
        ),
      )
  ).map((f) => f.userId);
  notFacilitating = team.find((f) => !onFirstTen.includes(f.userId!))!;
  assert.ok(writer && coWriter && notFacilitating, 'sessions 1 to 10 are facilitated by two of the team and not the third');
});
after(() => database.close());

const field = (e: unknown) => (e instanceof ValidationFailed ? e.errors[0].field : `not a validation failure: ${String(e)}`);
const logForm = (overrides: Record<string, unknown> = {}) => ({ version: '0', blocksCovered: ['1'], targetsCovered: 'Group rules agreed', ...overrides });

test('a facilitator reads only the men of his own groups: a man at his site outside them is refused, and left out of searches and the caseload', async () => {
  const { db } = database;
  const member = members[0];
  assert.equal((await getPerson(db, writer, member.personId)).person.id, member.personId);
  await assert.rejects(getPerson(db, writer, outsider.personId), AccessDenied);
  await assert.rejects(getPerson(db, estate.f.f4, member.personId), AccessDenied, 'a facilitator at the site outside the group');
  await assert.rejects(getReferral(db, writer, outsider.referralId), AccessDenied);
  assert.equal((await searchPeople(db, writer, { q: 'Outsider' })).total, 0);
  assert.equal((await searchPeople(db, writer, { q: member.familyName })).total, 1);
  const caseload = (await listCaseload(db, writer, { pageSize: 100 })).rows.map((r) => r.personId);
  assert.deepEqual([...caseload].sort(), members.map((m) => m.personId).sort());
  assert.equal((await listCaseload(db, estate.f.f4, { pageSize: 100 })).total, 0);
  // The restriction is a facilitator's: the site's treatment manager reads every man at the site.
  assert.equal((await getPerson(db, estate.managerA, outsider.personId)).person.id, outsider.personId);
});

test('a cover facilitator named on one session of a group reads the men of that group', async () => {
  const { db } = database;
  await assert.rejects(getPerson(db, estate.f.f5, members[1].personId), AccessDenied);
  await db.insert(sessionFacilitators).values({ sessionId: sessions[83].id, userId: estate.f.f5.userId! });
  assert.equal((await getPerson(db, estate.f.f5, members[1].personId)).person.id, members[1].personId);
});

test('a new session log starts from the programme block of its session and that block’s principal target', async () => {
  const firstOfBlock2 = sessions[coreSotp.blocks[0].sessions];
  const page = await getSessionLog(database.db, writer, groupId, firstOfBlock2.id, firstOfBlock2.sessionDate);
  assert.equal(page.written, false);
  assert.equal(page.log.version, 0);
  assert.deepEqual(page.log.blocksCovered, [2]);
  assert.equal(page.log.targetsCovered, coreSotp.blocks[1].principalTarget);
});

test('only a facilitator of the session or the site’s treatment manager writes its log', async () => {
  const s = sessions[0];
  await assert.rejects(saveSessionLog(database.db, notFacilitating, groupId, s.id, logForm(), s.sessionDate), AccessDenied);
  await assert.rejects(saveSessionLog(database.db, estate.f.g1, groupId, s.id, logForm(), s.sessionDate), AccessDenied);
  await assert.rejects(saveSessionLog(database.db, estate.managerB, groupId, s.id, logForm(), s.sessionDate), AccessDenied);
  // A team member not facilitating the session reads its log but is not offered the form.
  const page = await getSessionLog(database.db, notFacilitating, groupId, s.id, s.sessionDate);
  assert.equal(page.canWrite, false);
  assert.deepEqual(await saveSessionLog(database.db, writer, groupId, s.id, logForm(), s.sessionDate), { version: 1 });
});

test('a session log closes to its facilitators after the programme’s days, but the treatment manager may still change it', async () => {
  const s = sessions[1];
  const lastOpenDay = addDays(s.sessionDate, coreSotp.sessionLogOpenDays);
  assert.equal(coreSotp.sessionLogOpenDays, 7);
  assert.deepEqual(await saveSessionLog(database.db, writer, groupId, s.id, logForm(), lastOpenDay), { version: 1 });
  const dayAfter = addDays(lastOpenDay, 1);
  await assert.rejects(saveSessionLog(database.db, writer, groupId, s.id, logForm({ version: '1' }), dayAfter), (e: unknown) => {
    assert.ok(e instanceof AccessDenied);
    assert.match(e.message, /closed to facilitators .* Ask the treatment manager/);
    return true;
  });
  const page = await getSessionLog(database.db, writer, groupId, s.id, dayAfter);
  assert.equal(page.canWrite, false);
  assert.match(page.writeRefusal ?? '', /closed to facilitators/);
  assert.deepEqual(await saveSessionLog(database.db, estate.managerA, groupId, s.id, logForm({ version: '1', incidents: 'None reported' }), dayAfter), {
    version: 2,
  });
  const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'session_log.changed')).orderBy(desc(auditLog.seq)).limit(1);
  assert.equal(entry.subjectId, String(s.id));
  assert.equal(entry.details.afterLock, true);
});

test('two facilitators saving the same version of a log: the second is refused with a conflict', async () => {
  const s = sessions[2];
  assert.deepEqual(await saveSessionLog(database.db, writer, groupId, s.id, logForm({ deviations: 'Started late' }), s.sessionDate), { version: 1 });
  await assert.rejects(saveSessionLog(database.db, coWriter, groupId, s.id, logForm(), s.sessionDate), EditConflict, 'both started before any log was written');
  assert.deepEqual(await saveSessionLog(database.db, coWriter, groupId, s.id, logForm({ version: '1' }), s.sessionDate), { version: 2 });
  await assert.rejects(saveSessionLog(database.db, writer, groupId, s.id, logForm({ version: '1' }), s.sessionDate), EditConflict);
  const page = await getSessionLog(database.db, writer, groupId, s.id, s.sessionDate);
  assert.equal(page.log.deviations, '', 'the second save that succeeded is what is kept');
});

test('a log is refused, naming the field, before its session, for a block not in the programme, a note on a man not in the group, or no targets', async () => {
  const s = sessions[3];
  const db = database.db;
  await assert.rejects(saveSessionLog(db, writer, groupId, s.id, logForm(), addDays(s.sessionDate, -1)), (e) => field(e) === 'session');
  await assert.rejects(saveSessionLog(db, writer, groupId, s.id, logForm({ blocksCovered: ['99'] }), s.sessionDate), (e) => field(e) === 'blocksCovered');
  await assert.rejects(saveSessionLog(db, writer, groupId, s.id, logForm({ blocksCovered: [] }), s.sessionDate), (e) => field(e) === 'blocksCovered');
  const stranger = `note-${outsider.personId}`;
  await assert.rejects(saveSessionLog(db, writer, groupId, s.id, logForm({ [stranger]: 'Not his group' }), s.sessionDate), (e) => field(e) === stranger);
  await assert.rejects(saveSessionLog(db, writer, groupId, s.id, logForm({ targetsCovered: '  ' }), s.sessionDate), (e) => field(e) === 'targetsCovered');
  assert.equal((await getSessionLog(db, writer, groupId, s.id, s.sessionDate)).written, false, 'nothing was saved');
  // A note per man is kept with the log.
  const note = `note-${members[0].personId}`;
  await saveSessionLog(db, writer, groupId, s.id, logForm({ [note]: 'Spoke openly' }), s.sessionDate);
  assert.equal((await getSessionLog(db, writer, groupId, s.id, s.sessionDate)).log.notes[members[0].personId], 'Spoke openly');
});

test('the facilitator’s day lists the sessions of his groups today and this week, with the register, log and recording still to record once a session has taken place', async () => {
  const s = sessions[4];
  const all = ['register', 'log', 'recording'];
  const day = await facilitatorDay(database.db, writer, s.sessionDate);
  assert.deepEqual(
    day.todaySessions.map((t) => [t.id, t.outstanding.map((o) => o.kind)]),
    [[s.id, all]],
  );
  const week = sessions.filter((x) => x.sessionDate >= day.weekStart && x.sessionDate <= day.weekEnd && x.id !== s.id);
  assert.deepEqual(day.weekSessions.map((w) => w.id).sort(), week.map((w) => w.id).sort());
  for (const w of day.weekSessions) {
    const logged = sessions.slice(0, 4).some((x) => x.id === w.id);
    assert.deepEqual(
      w.outstanding.map((o) => o.kind),
      w.date > s.sessionDate ? [] : logged ? ['register', 'recording'] : all,
      `session ${w.number}`,
    );
  }
  const outstandingToday = async () => (await facilitatorDay(database.db, writer, s.sessionDate)).todaySessions[0].outstanding.map((o) => o.kind);
  await saveSessionLog(database.db, writer, groupId, s.id, logForm(), s.sessionDate);
  assert.deepEqual(await outstandingToday(), ['register', 'recording']);
  const register = await getRegister(database.db, writer, s.id, s.sessionDate);
  await recordRegister(
    database.db,
    writer,
    s.id,
    { version: register.version, entries: register.men.map((m) => ({ personId: m.personId, status: 'attended' })) },
    s.sessionDate,
  );
  assert.deepEqual(await outstandingToday(), ['recording']);
  await database.db.insert(recordings).values({
    sessionId: s.id,
    uploadedBy: writer.userId!,
    storedName: `${String(s.id).padStart(32, '0')}.webm`,
    bytes: 1,
    sha256: '0'.repeat(64),
    durationMs: 1000,
    format: 'webm',
    mediaType: 'video/webm',
  });
  assert.deepEqual(await outstandingToday(), []);
  assert.deepEqual(
    (await facilitatorDay(database.db, estate.f.f4, s.sessionDate)).todaySessions,
    [],
    'a facilitator outside the group has none of its sessions',
  );
});
