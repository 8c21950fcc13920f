import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, treatmentReports } from '../../src/db/schema.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { createGroup } from '../../src/services/groups/planning.js';
import { getRegister, recordRegister } from '../../src/services/registers.js';
import { getTreatmentReport, saveTreatmentSummaries } from '../../src/services/treatment-reports.js';
import { testDatabase } from '../support/database.js';
import { addMembers, buildEstate, coreSotp, groupForm, liveSessions, testToday, type Estate } from '../support/groups.js';

let database: Database;
let estate: Estate;
let memberId: number;
before(async () => {
  database = await testDatabase();
  estate = await buildEstate(database.db);
  const groupId = (await createGroup(database.db, estate.managerA, estate.siteA, groupForm(estate), testToday)).id;
  [memberId] = await addMembers(database.db, groupId, estate.siteA, 1);
});
after(() => database.close());

const domainIds = coreSotp.riskDomains.map((d) => d.id);

test('the end-of-treatment report has a summary for each of the programme’s risk domains, blank until written', async () => {
  const report = await getTreatmentReport(database.db, estate.managerA, memberId);
  assert.deepEqual(
    report.domains.map((d) => d.id),
    domainIds,
  );
  assert.ok(report.domains.every((d) => d.summary === ''));
  assert.equal(report.version, 0);
  // No register recorded yet: nothing attended, no block completed.
  assert.deepEqual(report.progress, { attended: 0, missed: 0, caughtUp: 0, outstandingCatchUps: 0, state: 'in_progress' });
  assert.deepEqual(
    report.blocks.map((b) => [b.number, b.completed]),
    coreSotp.blocks.map((b) => [b.number, false]),
  );
});

test('a facilitator of the group writes the summaries; the report shows them and who wrote them, and the change is audited', async () => {
  const before = await getTreatmentReport(database.db, estate.f.f1, memberId);
  await saveTreatmentSummaries(database.db, estate.f.f1, memberId, {
    version: before.version,
    [domainIds[0]]: '  Worked on arousal management.  ',
    [domainIds[2]]: 'Built a peer network.',
  });
  const report = await getTreatmentReport(database.db, estate.managerA, memberId);
  assert.equal(report.domains[0].summary, 'Worked on arousal management.');
  assert.equal(report.domains[2].summary, 'Built a peer network.');
  assert.equal(report.domains[1].summary, '');
  assert.match(report.writtenBy ?? '', /^Fone Person\d+$/);
  const audited = await database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'treatment_report.summaries_saved'), eq(auditLog.actor, estate.f.f1.username)));
  assert.equal(audited.length, 1);
});

test('two people saving the same report: the second, from a stale version, gets a conflict and nothing of theirs is saved', async () => {
  const { version } = await getTreatmentReport(database.db, estate.managerA, memberId);
  await saveTreatmentSummaries(database.db, estate.managerA, memberId, { version, [domainIds[3]]: 'First save.' });
  await assert.rejects(saveTreatmentSummaries(database.db, estate.f.f2, memberId, { version, [domainIds[3]]: 'Second save.' }), EditConflict);
  const [row] = await database.db.select().from(treatmentReports).where(eq(treatmentReports.memberId, memberId));
  assert.equal(row.summaries[domainIds[3]], 'First save.');
});

test('a second first-save (both forms opened before any summary existed) is a conflict, not an overwrite', async () => {
  const [other] = await addMembers(database.db, (await getTreatmentReport(database.db, estate.managerA, memberId)).group.id, estate.siteA, 1);
  await saveTreatmentSummaries(database.db, estate.managerA, other, { version: 0, [domainIds[0]]: 'Mine.' });
  await assert.rejects(saveTreatmentSummaries(database.db, estate.f.f1, other, { version: 0, [domainIds[0]]: 'Theirs.' }), EditConflict);
});

test('a summary over 4000 characters is refused naming its risk domain, and nothing is saved', async () => {
  const { version } = await getTreatmentReport(database.db, estate.managerA, memberId);
  await assert.rejects(
    saveTreatmentSummaries(database.db, estate.managerA, memberId, { version, [domainIds[1]]: 'x'.repeat(4001) }),
    (error: unknown) => error instanceof ValidationFailed && error.errors[0].field === domainIds[1] && /4000 characters/.test(error.errors[0].message),
  );
  assert.equal((await getTreatmentReport(database.db, estate.managerA, memberId)).version, version);
});

test('a facilitator outside the group’s team, and a treatment manager of another site, can neither read nor write his report', async () => {
  for (const actor of [estate.f.f5, estate.managerB]) {
    await assert.rejects(getTreatmentReport(database.db, actor, memberId), AccessDenied);
    await assert.rejects(saveTreatmentSummaries(database.db, actor, memberId, { version: 1 }), AccessDenied);
  }
});

test('the report counts his attendance from the registers, and a block is completed only when he attended or caught up every session of it', async () => {
  const report = await getTreatmentReport(database.db, estate.managerA, memberId);
  const blockOne = (await liveSessions(database.db, report.group.id)).filter((s) => s.block === 1);
  const record = async (sessionId: number, date: string, status: string) => {
    const register = await getRegister(database.db, estate.managerA, sessionId, date);
    await recordRegister(
      database.db,
      estate.managerA,
      sessionId,
      {
        version: register.version,
        entries: register.men.map((m) => ({ personId: m.personId, status, ...(status === 'excused_absence' ? { reason: 'Legal visit' } : {}) })),
      },
      date,
    );
  };
  for (const s of blockOne) await record(s.id, s.sessionDate, 'attended');
  let after = await getTreatmentReport(database.db, estate.managerA, memberId);
  assert.equal(after.progress.attended, blockOne.length);
  assert.deepEqual(
    after.blocks.filter((b) => b.completed).map((b) => b.number),
    [1],
  );
  const last = blockOne.at(-1)!;
  await record(last.id, last.sessionDate, 'excused_absence');
  after = await getTreatmentReport(database.db, estate.managerA, memberId);
  assert.equal(after.progress.missed, 1);
  assert.equal(after.progress.outstandingCatchUps, 1);
  assert.deepEqual(
    after.blocks.filter((b) => b.completed),
    [],
    'a missed session not yet caught up leaves its block incomplete',
  );
});
