// Audits (issue 13): an auditor opens an audit of a site and programme over a period and draws its recording
// sample, which starts it. The seed and frame are stored, so drawing again from them gives the stored sample; the
// sampled recordings are marked so retention keeps them; bad input names the rule and saves nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, auditSampledRecordings, audits, groupSessions, recordings, sessionFacilitators, sites } from '../../src/db/schema.js';
import { drawSample, type FrameRecording } from '../../src/domain/qa/sample.js';
import { systemActor, type Actor } from '../../src/services/access.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { drawAuditSample, getAudit, openAudit, samplePeriod } from '../../src/services/qa/audits.js';
import { createUser } from '../../src/services/users.js';
import { testDatabase } from '../support/database.js';
import { buildEstate, groupForm, liveSessions, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
let auditor: Actor;
/** Recordings of the group's first 12 sessions, one each; the 12th purged. */
let recorded: Array<{ id: number; sessionId: number; date: string; purged: boolean }>;
let stored = 0;

async function record(sessionId: number, uploadedBy: number, purged: boolean): Promise<number> {
  stored++;
  const [row] = await database.db
    .insert(recordings)
    .values({
      sessionId,
      uploadedBy,
      storedName: `${stored.toString(16).padStart(32, '0')}.webm`,
      bytes: 1000,
      sha256: '0'.repeat(64),
      durationMs: 60_000,
      format: 'webm',
      mediaType: 'video/webm',
      purgedAt: purged ? new Date() : null,
    })
    .returning({ id: recordings.id });
  return row.id;
}

before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
  const created = await createUser(database.db, systemActor, {
    username: 'auditor-qa',
    displayName: 'Audrey Auditor',
    role: 'auditor',
    siteIds: [],
    password: 'a-long-test-password',
  });
  auditor = { userId: created.id, username: 'auditor-qa', role: 'auditor', siteIds: [] };
  const group = await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate, { earliestStart: '2027-01-04' }), testToday);
  const sessions = (await liveSessions(database.db, group.id)).slice(0, 12);
  recorded = [];
  for (const [i, s] of sessions.entries()) {
    recorded.push({ id: await record(s.id, estate.f.f1.userId!, i === 11), sessionId: s.id, date: s.sessionDate, purged: i === 11 });
  }
});
after(() => database.close());

const period = () => ({ from: recorded[0].date, to: recorded[11].date });
const count = async (table: typeof audits) => (await database.db.select().from(table)).length;

async function refused(promise: Promise<unknown>, field: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ValidationFailed, String(e));
    assert.equal(e.errors[0].field, field);
    assert.match(e.errors[0].message, message);
    return true;
  });
}

test('an auditor opens an audit of a site and programme over a period: it is planned, and the opening is audit-logged', async () => {
  const { id } = await openAudit(database.db, auditor, { siteId: String(estate.siteA), programmeId: 'core-sotp', ...period() });
  const [row] = await database.db.select().from(audits).where(eq(audits.id, id));
  assert.equal(row.status, 'planned');
  assert.equal(row.sampleSeed, null);
  const entries = await database.db.select().from(auditLog).where(eq(auditLog.action, 'audit.opened'));
  assert.ok(entries.some((e) => e.subjectId === String(id) && e.actor === 'auditor-qa'));
});

test('opening an audit names the field that is wrong and saves nothing; only an auditor opens one', async () => {
  const before = await count(audits);
  await refused(
    openAudit(database.db, auditor, { siteId: estate.siteA, programmeId: 'core-sotp', from: '2027-02-01', to: '2027-01-31' }),
    'to',
    /after the first day/,
  );
  await refused(openAudit(database.db, auditor, { siteId: estate.siteA, programmeId: 'core-sotp', from: '2027-02-30', to: '2027-03-01' }), 'from', /real date/);
  await refused(openAudit(database.db, auditor, { siteId: estate.siteA, programmeId: 'no-such', ...period() }), 'programmeId', /no programme/);
  await refused(openAudit(database.db, auditor, { siteId: 999999, programmeId: 'core-sotp', ...period() }), 'siteId', /site/);
  await assert.rejects(openAudit(database.db, estate.managerA, { siteId: estate.siteA, programmeId: 'core-sotp', ...period() }), AccessDenied);
  await assert.rejects(
    openAudit(database.db, systemActor, { siteId: estate.siteA, programmeId: 'core-sotp', ...period() }),
    AccessDenied,
    'administrators read audits only',
  );
  assert.equal(await count(audits), before);
});

test('drawing the sample stores the seed and the frame, starts the audit, and drawing again from them gives the same sample', async () => {
  const { id } = await openAudit(database.db, auditor, { siteId: estate.siteA, programmeId: 'core-sotp', ...period() });
  const drawn = await drawAuditSample(database.db, auditor, id, { seed: '20270104', version: '1' });
  assert.equal(drawn.seed, 20270104);
  const [row] = await database.db.select().from(audits).where(eq(audits.id, id));
  assert.equal(row.status, 'in_progress');
  assert.equal(row.sampleSeed, 20270104);
  assert.equal(row.sampleSize, 3);
  // The frame: every recording of the period not purged, with its session's block and facilitators as stored.
  const frame = row.sampleFrame as FrameRecording[];
  const held = recorded.filter((r) => !r.purged);
  assert.deepEqual(
    frame.map((r) => r.id).sort((a, b) => a - b),
    held.map((r) => r.id).sort((a, b) => a - b),
  );
  const sessionRows = await database.db
    .select()
    .from(groupSessions)
    .where(
      inArray(
        groupSessions.id,
        held.map((r) => r.sessionId),
      ),
    );
  const links = await database.db
    .select()
    .from(sessionFacilitators)
    .where(
      inArray(
        sessionFacilitators.sessionId,
        held.map((r) => r.sessionId),
      ),
    );
  for (const item of frame) {
    const session = sessionRows.find((s) => s.id === item.sessionId)!;
    assert.equal(item.block, session.block, `block of recording ${item.id}`);
    assert.equal(item.date, session.sessionDate);
    assert.deepEqual(
      item.facilitators,
      links
        .filter((l) => l.sessionId === item.sessionId)
        .map((l) => l.userId)
        .sort((a, b) => a - b),
    );
  }
  const sampled = (await database.db.select().from(auditSampledRecordings).where(eq(auditSampledRecordings.auditId, id)))
    .map((r) => r.recordingId)
    .sort((a, b) => a - b);
  assert.equal(sampled.length, 3);
  const again = drawSample(frame, row.sampleSeed!, row.sampleSize!);
  assert.ok(again.ok);
  assert.deepEqual(
    again.recordings.map((r) => r.id).sort((a, b) => a - b),
    sampled,
  );
  assert.deepEqual(
    [...drawn.recordingIds].sort((a, b) => a - b),
    sampled,
  );
  // Retention keeps exactly the sampled recordings.
  const marked = (
    await database.db
      .select()
      .from(recordings)
      .where(
        inArray(
          recordings.id,
          recorded.map((r) => r.id),
        ),
      )
  ).filter((r) => r.auditSampledAt !== null);
  assert.deepEqual(
    marked.map((r) => r.id).sort((a, b) => a - b),
    sampled,
  );
  // The audit page shows the same sample and confirms the redraw.
  const detail = await getAudit(database.db, systemActor, id);
  assert.equal(detail.sample?.seed, 20270104);
  assert.equal(detail.sample?.frameSize, held.length);
  assert.equal(detail.sample?.redrawMatches, true);
  assert.deepEqual(
    detail.sample?.recordings.map((r) => r.id).sort((a, b) => a - b),
    sampled,
  );
  const logged = await database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.subjectType, 'audit'), eq(auditLog.subjectId, String(id))));
  assert.deepEqual(
    logged.map((e) => e.action),
    ['audit.opened', 'audit.sample_drawn', 'audit.viewed'],
  );
});

test('the sample is drawn once: a second draw is refused and the stored sample stays', async () => {
  const { id } = await openAudit(database.db, auditor, { siteId: estate.siteA, programmeId: 'core-sotp', ...period() });
  await drawAuditSample(database.db, auditor, id, { seed: 5, version: 1 });
  await refused(drawAuditSample(database.db, auditor, id, { seed: 6, version: 2 }), 'audit', /cannot be done while the audit is in progress/);
  await assert.rejects(drawAuditSample(database.db, auditor, id, { seed: 6, version: 1 }), EditConflict, 'a stale version is a conflict');
  const [row] = await database.db.select().from(audits).where(eq(audits.id, id));
  assert.equal(row.sampleSeed, 5);
});

test('without a seed the draw chooses one at random and stores it', async () => {
  const { id } = await openAudit(database.db, auditor, { siteId: estate.siteA, programmeId: 'core-sotp', ...period() });
  const drawn = await drawAuditSample(database.db, auditor, id, { seed: '', version: '1' });
  const [row] = await database.db.select().from(audits).where(eq(audits.id, id));
  assert.ok(Number.isInteger(drawn.seed) && drawn.seed >= 0 && drawn.seed <= 4294967295);
  assert.equal(row.sampleSeed, drawn.seed);
});

test('a period with no recordings, or fewer than the sample needs, is refused naming the rule, and nothing is saved', async () => {
  const marked = async () => (await database.db.select().from(recordings)).filter((r) => r.auditSampledAt !== null).length;
  const markedBefore = await marked();
  const empty = await openAudit(database.db, auditor, { siteId: estate.siteA, programmeId: 'core-sotp', from: '2026-01-01', to: '2026-06-30' });
  await refused(drawAuditSample(database.db, auditor, empty.id, { seed: 1, version: 1 }), 'sample', /no recordings of sessions in the period.*at least 3/);
  // The group meets once a day, so the days of its first two sessions hold two recordings.
  const two = await openAudit(database.db, auditor, { siteId: estate.siteA, programmeId: 'core-sotp', from: recorded[0].date, to: recorded[1].date });
  await refused(drawAuditSample(database.db, auditor, two.id, { seed: 1, version: 1 }), 'sample', /2 recordings of sessions in the period, fewer than the 3/);
  for (const id of [empty.id, two.id]) {
    const [row] = await database.db.select().from(audits).where(eq(audits.id, id));
    assert.equal(row.status, 'planned');
    assert.equal(row.sampleSeed, null);
    assert.equal(row.sampleFrame, null);
  }
  assert.equal(await marked(), markedBefore);
  await refused(drawAuditSample(database.db, auditor, empty.id, { seed: -1, version: 1 }), 'seed', /whole number from 0 to 4294967295/);
  await refused(drawAuditSample(database.db, auditor, empty.id, { seed: '1.5', version: 1 }), 'seed', /whole number/);
  await assert.rejects(drawAuditSample(database.db, estate.managerA, empty.id, { seed: 1, version: 1 }), AccessDenied);
});

test('a sample over a period without an audit reads only, and a count below the programme’s minimum names the rule', async () => {
  const [site] = await database.db.select().from(sites).where(eq(sites.id, estate.siteA));
  const auditsBefore = await count(audits);
  const { seed, frame, outcome } = await samplePeriod(database.db, systemActor, { siteCode: site.code, programmeId: 'core-sotp', ...period(), seed: '9' });
  assert.equal(seed, 9);
  assert.equal(frame.length, 11);
  assert.ok(outcome.ok && outcome.recordings.length === 3);
  assert.equal(await count(audits), auditsBefore);
  await refused(
    samplePeriod(database.db, systemActor, { siteCode: 'ZZZ', programmeId: 'core-sotp', ...period(), seed: 9 }),
    'siteCode',
    /no site with the code ZZZ/,
  );
  await refused(
    samplePeriod(database.db, systemActor, { siteCode: site.code, programmeId: 'core-sotp', ...period(), seed: 9, count: 2 }),
    'count',
    /at least 3 recordings/,
  );
});
