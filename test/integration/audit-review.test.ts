// The auditor's review in the services (issue 13): the checklist's record sets for the audit's period, notes per item
// only while the audit is in progress, comments on indicators until it is closed; every write by an auditor only,
// validated naming the field, optimistic so two auditors never overwrite each other, and audit-logged without the text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, gte, inArray, lte, ne } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, groupSessions, programmeGroups, sessionLogs } from '../../src/db/schema.js';
import { dayNumber, isoDate } from '../../src/domain/schedule/calendar.js';
import type { Actor } from '../../src/services/access.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from '../../src/services/errors.js';
import { drawAuditSample, openAudit } from '../../src/services/qa/audits.js';
import { auditChecklist, checklistSummary, recordChecklistItem } from '../../src/services/qa/checklist.js';
import { indicatorComments, saveIndicatorComment } from '../../src/services/qa/indicator-comments.js';
import { londonToday } from '../../src/services/scheduling.js';
import { actorOf } from '../support/actors.js';
import { auditInProgress } from '../support/audits.js';
import { testDatabase } from '../support/database.js';

let database: Database;
let auditor: Actor;
let secondAuditor: Actor;
let manager: Actor;
let ngt: number;
/** In progress over the last 120 days. */
let auditId: number;
const today = londonToday();
const period = { from: isoDate(dayNumber(today) - 120), to: today };

async function refused(promise: Promise<unknown>, field: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ValidationFailed, String(e));
    assert.equal(e.errors[0].field, field);
    assert.match(e.errors[0].message, message);
    return true;
  });
}

before(async () => {
  database = await testDatabase({ demo: true });
  ({ auditor, secondAuditor, manager, ngt, auditId } = await auditInProgress(database.db, 4, period));
});
after(() => database.close());

const examined = async (id: number) => {
  const { examined, of } = await checklistSummary(database.db, id);
  return { examined, of };
};

test('the checklist lists the logs of exactly the period’s sessions that have one, and nothing for a period without sessions', async () => {
  const checklist = await auditChecklist(database.db, auditor, auditId);
  assert.deepEqual(
    checklist.items.map((i) => i.id),
    ['participants_work', 'session_logs', 'end_of_treatment_reports', 'supervisor_records'],
  );
  const logged = await database.db
    .select({ sessionId: sessionLogs.sessionId })
    .from(sessionLogs)
    .innerJoin(groupSessions, eq(groupSessions.id, sessionLogs.sessionId))
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .where(
      and(
        eq(programmeGroups.siteId, ngt),
        ne(groupSessions.status, 'cancelled'),
        gte(groupSessions.sessionDate, period.from),
        lte(groupSessions.sessionDate, period.to),
      ),
    );
  const listed = checklist.items.find((i) => i.id === 'session_logs')!.records.map((r) => Number(/sessions\/(\d+)\/log$/.exec(r.href)![1]));
  assert.ok(logged.length > 0);
  assert.deepEqual(
    listed.sort((a, b) => a - b),
    logged.map((l) => l.sessionId).sort((a, b) => a - b),
  );
  assert.ok(checklist.items.find((i) => i.id === 'supervisor_records')!.records.length > 0, 'the demo facilitators were supervised in the period');
  assert.equal(checklist.canRecord, true);

  const { id: empty } = await openAudit(database.db, auditor, { siteId: ngt, programmeId: 'core-sotp', from: '2020-01-06', to: '2020-03-27' });
  const nothing = await auditChecklist(database.db, auditor, empty);
  assert.deepEqual(
    nothing.items.map((i) => i.records.length),
    [0, 0, 0, 0],
  );
  assert.equal(nothing.canRecord, false, 'planned: not yet in review');
});

test('two auditors saving the same item from the same version: the first is kept and the second is told of the conflict', async () => {
  await recordChecklistItem(database.db, auditor, auditId, 'participants_work', { notes: 'First look', version: '0' });
  await assert.rejects(recordChecklistItem(database.db, secondAuditor, auditId, 'participants_work', { notes: 'Mine too', version: '0' }), EditConflict);
  const results = await Promise.allSettled([
    recordChecklistItem(database.db, auditor, auditId, 'participants_work', { notes: 'Second look', version: '1' }),
    recordChecklistItem(database.db, secondAuditor, auditId, 'participants_work', { notes: 'Another view', version: '1' }),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof EditConflict));
  const item = (await auditChecklist(database.db, auditor, auditId)).items.find((i) => i.id === 'participants_work')!;
  assert.equal(item.examination!.version, 2);
  assert.ok(['Second look', 'Another view'].includes(item.examination!.notes));
  assert.deepEqual(await examined(auditId), { examined: 1, of: 4 });
});

test('checklist notes: required, at most 5000 characters, for an item of the checklist, by an auditor; the log names the item, never the notes', async () => {
  await refused(recordChecklistItem(database.db, auditor, auditId, 'session_logs', { notes: '', version: '0' }), 'notes', /^Enter your notes/);
  await refused(
    recordChecklistItem(database.db, auditor, auditId, 'session_logs', { notes: 'x'.repeat(5001), version: '0' }),
    'notes',
    /5000 characters or fewer/,
  );
  await refused(recordChecklistItem(database.db, auditor, auditId, 'session_logs', { notes: 'Fine' }), 'version', /reload the page/);
  await assert.rejects(recordChecklistItem(database.db, auditor, auditId, 'recordings', { notes: 'Fine', version: '0' }), NotFound);
  await assert.rejects(recordChecklistItem(database.db, auditor, 2147483000, 'session_logs', { notes: 'Fine', version: '0' }), NotFound);
  await assert.rejects(recordChecklistItem(database.db, manager, auditId, 'session_logs', { notes: 'Fine', version: '0' }), AccessDenied);
  assert.deepEqual(await examined(auditId), { examined: 1, of: 4 }, 'nothing saved');
  await recordChecklistItem(database.db, auditor, auditId, 'session_logs', { notes: 'A secret finding', version: '0' });
  const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'audit.checklist_item_recorded')).orderBy(auditLog.seq);
  assert.equal(entry.actor, 'auditor');
  assert.doesNotMatch(JSON.stringify(entry.details), /secret/);
});

test('notes are refused naming the rule when the audit is not in progress', async () => {
  const { id: planned } = await openAudit(database.db, auditor, { siteId: ngt, programmeId: 'core-sotp', ...period });
  await refused(
    recordChecklistItem(database.db, auditor, planned, 'session_logs', { notes: 'Early', version: '0' }),
    'audit',
    /while the audit is in progress/,
  );
  assert.deepEqual(await examined(planned), { examined: 0, of: 4 });
});

test('indicator comments: an indicator of the list only, a comment of 1–5000 characters by an auditor, kept by version and read back', async () => {
  await assert.rejects(saveIndicatorComment(database.db, auditor, auditId, 'morale', { comment: 'Fine', version: 0 }), NotFound);
  await refused(saveIndicatorComment(database.db, auditor, auditId, 'logs_on_time', { comment: ' ', version: 0 }), 'comment', /^Enter your comment/);
  await refused(saveIndicatorComment(database.db, auditor, auditId, 'logs_on_time', { comment: 'c'.repeat(5001), version: 0 }), 'comment', /5000 characters/);
  await assert.rejects(saveIndicatorComment(database.db, manager, auditId, 'logs_on_time', { comment: 'Fine', version: 0 }), AccessDenied);
  await saveIndicatorComment(database.db, auditor, auditId, 'logs_on_time', { comment: 'Late in week two', version: 0 });
  await assert.rejects(saveIndicatorComment(database.db, secondAuditor, auditId, 'logs_on_time', { comment: 'Overwrite', version: 0 }), EditConflict);
  await saveIndicatorComment(database.db, secondAuditor, auditId, 'logs_on_time', { comment: 'Late in weeks two and three', version: 1 });
  const comments = await indicatorComments(database.db, manager, auditId);
  assert.equal(comments.get('logs_on_time')!.comment, 'Late in weeks two and three');
  assert.equal(comments.get('logs_on_time')!.writtenBy, 'Ada Auditor');
  const manager2 = await actorOf(database.db, 'manager2');
  await assert.rejects(indicatorComments(database.db, manager2, auditId), AccessDenied, 'another site’s manager');
  const entries = await database.db
    .select()
    .from(auditLog)
    .where(inArray(auditLog.action, ['audit.indicator_commented', 'audit.indicator_comment_changed']));
  assert.equal(entries.length, 2);
  assert.doesNotMatch(JSON.stringify(entries.map((e) => e.details)), /Late in/);
});
