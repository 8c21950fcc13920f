// The auditor's review pages (issue 13): the checklist of material examined (each item's records of the period
// linked to their pages, notes per item while the audit is in progress), the auditor's comment on each indicator
// on the audit's page, and the indicators as CSV. An auditor following the checklist's links to a man's material
// gets each page, and each read is in the audit log under his name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { and, desc, eq, gt, isNull, lte } from 'drizzle-orm';
import { auditChecklistItems, auditIndicatorComments, auditLog, audits, groupMembers, groupSessions, programmeGroups, users } from '../../src/db/schema.js';
import { dayNumber, isoDate } from '../../src/domain/schedule/calendar.js';
import { tinyPdf } from '../../src/services/demo-work.js';
import { uploadProduct } from '../../src/services/delivery/products.js';
import { receiveFile, storeFolder } from '../../src/services/file-store.js';
import { londonToday } from '../../src/services/scheduling.js';
import { saveTreatmentSummaries } from '../../src/services/treatment-reports.js';
import { actorOf, siteIdOf } from '../support/actors.js';
import { recordPastSessions } from '../support/recordings.js';
import { errorSummary, startTestApp, type TestApp, type TestClient } from '../support/web.js';

let t: TestApp;
let ngt: number;
let auditor: TestClient;
/** An audit of NGT over the last 120 days, its sample drawn: in progress. */
let auditId: number;

const today = londonToday();
const from = isoDate(dayNumber(today) - 120);
const day = (iso: string, name: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${name}-day`]: String(Number(d)), [`${name}-month`]: String(Number(m)), [`${name}-year`]: y };
};

async function openAudit(): Promise<number> {
  await auditor.get('/audits/new');
  const opened = await auditor.post('/audits', { siteId: String(ngt), programmeId: 'core-sotp', ...day(from, 'from'), ...day(today, 'to') });
  assert.equal(opened.statusCode, 303, errorSummary(opened.body).join(' | '));
  return Number(/^\/audits\/(\d+)$/.exec(opened.headers.location as string)![1]);
}

/** An audit whose sample is drawn: in progress. */
async function startedAudit(): Promise<number> {
  const id = await openAudit();
  const page = await auditor.get(`/audits/${id}`);
  const version = /action="\/audits\/\d+\/sample" novalidate>[\s\S]*?name="version" value="(\d+)"/.exec(page.body)![1];
  const drawn = await auditor.post(`/audits/${id}/sample`, { seed: '7', version });
  assert.equal(drawn.statusCode, 303, errorSummary(drawn.body).join(' | '));
  return id;
}

before(async () => {
  t = await startTestApp({ demo: true });
  const db = t.database.db;
  ngt = await siteIdOf(db, 'NGT');
  await recordPastSessions(db, ngt, 4);
  // A man's work from a past session and a written end-of-treatment report, so every item has a record of the period.
  const manager = await actorOf(db, 'manager');
  const [held] = await db
    .select({ id: groupSessions.id, groupId: groupSessions.groupId })
    .from(groupSessions)
    .innerJoin(programmeGroups, eq(programmeGroups.id, groupSessions.groupId))
    .where(and(eq(programmeGroups.siteId, ngt), lte(groupSessions.sessionDate, today), gt(groupSessions.sessionDate, from)))
    .orderBy(desc(groupSessions.sessionDate))
    .limit(1);
  const [member] = await db
    .select({ id: groupMembers.id, personId: groupMembers.personId })
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, held.groupId), isNull(groupMembers.leftAt)))
    .limit(1);
  const bytes = tinyPdf('Life map');
  const received = await receiveFile(Readable.from([bytes]), storeFolder(t.config.fileStoreDir, 'products').incoming, bytes.length);
  await uploadProduct(
    db,
    manager,
    held.groupId,
    held.id,
    { personId: member.personId, file: { fileName: 'life-map.pdf', ...received } },
    { fileStoreDir: t.config.fileStoreDir, maxBytes: 1_000_000 },
  );
  await saveTreatmentSummaries(db, manager, member.id, { version: 0, sexual_interests: 'Engaged with the work on fantasy management.' });
  auditor = t.client();
  await auditor.signIn('auditor');
  auditId = await startedAudit();
});
after(() => t.close());

/** The links listed under a checklist item, from the page. */
function linksOf(html: string, item: string): string[] {
  const section = new RegExp(`<section[^>]*id="item-${item}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? assert.fail(`no section for ${item}`);
  const list = /<ul class="govuk-list govuk-list--bullet">([\s\S]*?)<\/ul>/.exec(section)?.[1] ?? '';
  return [...list.matchAll(/<a class="govuk-link" href="([^"]+)">/g)].map((m) => m[1].replace(/&amp;/g, '&'));
}

const logEntries = async (action: string) => t.database.db.select().from(auditLog).where(eq(auditLog.action, action));
const versionOf = (html: string, action: string) =>
  new RegExp(`action="${action}" novalidate>\\s*<input[^>]*>\\s*<input type="hidden" name="version" value="(\\d+)"`).exec(html)?.[1];

test('the checklist lists the four items with the records of the period each covers, linked to their pages; the read is audit-logged', async () => {
  const before = (await logEntries('audit.checklist_viewed')).length;
  const page = await auditor.get(`/audits/${auditId}/checklist`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<h1 class="govuk-heading-l">Material examined<\/h1>/);
  assert.match(page.body, new RegExp(`href="/audits/${auditId}"`), 'a back link to the audit');
  const work = linksOf(page.body, 'participants_work');
  const logs = linksOf(page.body, 'session_logs');
  const reports = linksOf(page.body, 'end_of_treatment_reports');
  const supervision = linksOf(page.body, 'supervisor_records');
  assert.ok(work.length >= 1 && work.every((h) => /^\/groups\/\d+\/sessions\/\d+\/products\/\d+$/.test(h)), `work: ${work}`);
  assert.ok(logs.length >= 1 && logs.every((h) => /^\/groups\/\d+\/sessions\/\d+\/log$/.test(h)), `logs: ${logs}`);
  assert.ok(reports.length >= 1 && reports.every((h) => /^\/group-members\/\d+\/report$/.test(h)), `reports: ${reports}`);
  assert.ok(supervision.length >= 1 && supervision.every((h) => /^\/facilitators\/\d+#supervision-\d+$/.test(h)), `supervision: ${supervision}`);
  // Only sessions of the period: every listed log's session falls in it.
  for (const href of logs) {
    const sessionId = Number(/sessions\/(\d+)/.exec(href)![1]);
    const [s] = await t.database.db.select({ date: groupSessions.sessionDate }).from(groupSessions).where(eq(groupSessions.id, sessionId));
    assert.ok(s.date >= from && s.date <= today, `log of a session on ${s.date} is in the period`);
  }
  assert.equal(page.body.match(/<form method="post" action="\/audits\/\d+\/checklist\//g)?.length, 4, 'a notes form per item while in progress');
  const after = await logEntries('audit.checklist_viewed');
  assert.equal(after.length, before + 1);
  assert.equal(after.at(-1)!.actor, 'auditor');
  assert.equal(after.at(-1)!.subjectId, String(auditId));
});

test('an auditor following each link to a man’s material (work, logs, reports) and the supervisor’s records gets the page, and each read is in the audit log under his name', async () => {
  const page = await auditor.get(`/audits/${auditId}/checklist`);
  const expected: Record<string, string> = {
    participants_work: 'product.downloaded',
    session_logs: 'session_log.viewed',
    end_of_treatment_reports: 'treatment_report.viewed',
    supervisor_records: 'supervision.history_viewed',
  };
  for (const [item, action] of Object.entries(expected)) {
    for (const href of linksOf(page.body, item).slice(0, 3)) {
      const before = (await logEntries(action)).length;
      const response = await auditor.get(href.replace(/#.*$/, ''));
      assert.equal(response.statusCode, 200, `${href} → ${response.statusCode}`);
      const entries = await logEntries(action);
      assert.equal(entries.length, before + 1, `${href} is audit-logged as ${action}`);
      assert.equal(entries.at(-1)!.actor, 'auditor');
    }
  }
});

test('the auditor records notes on an item: saved, shown again, changed from the version read; a stale version is a conflict, not an overwrite', async () => {
  const page = await auditor.get(`/audits/${auditId}/checklist`);
  const action = `/audits/${auditId}/checklist/session_logs`;
  assert.equal(versionOf(page.body, action), '0');
  const saved = await auditor.post(action, { notes: 'Logs complete; deviations explained.', version: '0' });
  assert.equal(saved.statusCode, 303, errorSummary(saved.body).join(' | '));
  assert.equal(saved.headers.location, `/audits/${auditId}/checklist#item-session_logs`);
  const shown = await auditor.get(`/audits/${auditId}/checklist`);
  assert.match(shown.body, /Logs complete; deviations explained\./);
  assert.equal(versionOf(shown.body, action), '1');
  const changed = await auditor.post(action, { notes: 'Logs complete; two late.', version: '1' });
  assert.equal(changed.statusCode, 303);
  const stale = await auditor.post(action, { notes: 'An older view of the logs.', version: '1' });
  assert.equal(stale.statusCode, 409);
  const [row] = await t.database.db
    .select()
    .from(auditChecklistItems)
    .where(and(eq(auditChecklistItems.auditId, auditId), eq(auditChecklistItems.item, 'session_logs')));
  assert.equal(row.notes, 'Logs complete; two late.');
  assert.equal(row.version, 2);
  const logged = await logEntries('audit.checklist_item_changed');
  assert.doesNotMatch(JSON.stringify(logged.at(-1)!.details), /two late/, 'the notes stay out of the audit log');
});

test('notes left empty or over 5000 characters are refused naming the notes, keeping what was typed, and nothing is saved', async () => {
  await auditor.get(`/audits/${auditId}/checklist`);
  const empty = await auditor.post(`/audits/${auditId}/checklist/supervisor_records`, { notes: '   ', version: '0' });
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(errorSummary(empty.body), ['Enter your notes on the material examined']);
  assert.match(empty.body, /href="#supervisor_records-notes"/);
  const long = 'n'.repeat(5001);
  const tooLong = await auditor.post(`/audits/${auditId}/checklist/supervisor_records`, { notes: long, version: '0' });
  assert.equal(tooLong.statusCode, 400);
  assert.deepEqual(errorSummary(tooLong.body), ['Notes on the material examined must be 5000 characters or fewer']);
  assert.ok(tooLong.body.includes(long), 'what was typed is kept');
  const rows = await t.database.db
    .select()
    .from(auditChecklistItems)
    .where(and(eq(auditChecklistItems.auditId, auditId), eq(auditChecklistItems.item, 'supervisor_records')));
  assert.deepEqual(rows, []);
});

test('an item not on the checklist is not found', async () => {
  await auditor.get(`/audits/${auditId}/checklist`);
  const response = await auditor.post(`/audits/${auditId}/checklist/recordings`, { notes: 'Watched', version: '0' });
  assert.equal(response.statusCode, 404);
});

test('before the sample is drawn the checklist is read-only and notes are refused naming the rule', async () => {
  const planned = await openAudit();
  const page = await auditor.get(`/audits/${planned}/checklist`);
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /<textarea/);
  const refused = await auditor.post(`/audits/${planned}/checklist/participants_work`, { notes: 'Too early', version: '0' });
  assert.equal(refused.statusCode, 400);
  assert.match(errorSummary(refused.body).join(' '), /worked through while the audit is in progress: after the sample is drawn and before the ratings/);
  assert.deepEqual(await t.database.db.select().from(auditChecklistItems).where(eq(auditChecklistItems.auditId, planned)), []);
});

test('the administrator and the site’s treatment manager read the checklist without forms; another site’s manager may not', async () => {
  for (const username of ['admin', 'manager']) {
    const reader = t.client();
    await reader.signIn(username);
    const page = await reader.get(`/audits/${auditId}/checklist`);
    assert.equal(page.statusCode, 200, username);
    assert.doesNotMatch(page.body, /<textarea/, `${username} has no notes form`);
    assert.match(page.body, /Logs complete; two late\./, `${username} reads the notes`);
  }
  const other = t.client();
  await other.signIn('manager2');
  assert.equal((await other.get(`/audits/${auditId}/checklist`)).statusCode, 403);
});

test('the auditor comments on an indicator: the comment shows inside that indicator on the audit page, and a change needs the version read', async () => {
  const page = await auditor.get(`/audits/${auditId}`);
  const action = `/audits/${auditId}/indicators/logs_on_time/comment`;
  assert.match(page.body, /<label class="govuk-label govuk-label--s" for="logs_on_time-comment">\s*Comment on Session logs written on time/);
  const saved = await auditor.post(action, { comment: 'Two logs were late: both in the week of the lockdown.', version: versionOf(page.body, action)! });
  assert.equal(saved.statusCode, 303, errorSummary(saved.body).join(' | '));
  assert.equal(saved.headers.location, `/audits/${auditId}#indicator-logs_on_time`);
  const shown = await auditor.get(`/audits/${auditId}`);
  const block = /id="indicator-logs_on_time">([\s\S]*?)<\/form>/.exec(shown.body)![1];
  assert.match(block, /Auditor’s comment[\s\S]*Two logs were late: both in the week of the lockdown\./);
  assert.equal(versionOf(shown.body, action), '1');
  const stale = await auditor.post(action, { comment: 'Overwritten?', version: '0' });
  assert.equal(stale.statusCode, 409);
  const [row] = await t.database.db.select().from(auditIndicatorComments).where(eq(auditIndicatorComments.auditId, auditId));
  assert.equal(row.comment, 'Two logs were late: both in the week of the lockdown.');
  const admin = t.client();
  await admin.signIn('admin');
  const read = await admin.get(`/audits/${auditId}`);
  assert.match(read.body, /Two logs were late/, 'readers see the comment');
  assert.doesNotMatch(read.body, /\/indicators\/[a-z_]+\/comment"/, 'but have no form');
});

test('an empty comment is refused naming the comment and keeping the page; an indicator that does not exist is not found; a closed audit takes no comments', async () => {
  await auditor.get(`/audits/${auditId}`);
  const empty = await auditor.post(`/audits/${auditId}/indicators/registers_on_time/comment`, { comment: '', version: '0' });
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(errorSummary(empty.body), ['Enter your comment on the indicator']);
  assert.match(empty.body, /href="#registers_on_time-comment"/);
  assert.equal((await auditor.post(`/audits/${auditId}/indicators/happiness/comment`, { comment: 'x', version: '0' })).statusCode, 404);
  // Closed as the workflow's last step leaves it (closing is built elsewhere).
  const closed = await startedAudit();
  const [auditorRow] = await t.database.db.select({ id: users.id }).from(users).where(eq(users.username, 'auditor'));
  await t.database.db.update(audits).set({ status: 'closed', closedAt: new Date(), closedBy: auditorRow.id }).where(eq(audits.id, closed));
  const page = await auditor.get(`/audits/${closed}`);
  assert.doesNotMatch(page.body, /\/indicators\/[a-z_]+\/comment"/, 'no comment forms on a closed audit');
  const refused = await auditor.post(`/audits/${closed}/indicators/registers_on_time/comment`, { comment: 'Late', version: '0' });
  assert.equal(refused.statusCode, 400);
  assert.match(errorSummary(refused.body).join(' '), /The audit is closed/);
  assert.deepEqual(await t.database.db.select().from(auditIndicatorComments).where(eq(auditIndicatorComments.auditId, closed)), []);
});

test('the indicators download as CSV: a header row, one row per indicator with its figure, standard and comment, quoted and formula-safe; audit-logged', async () => {
  const page = await auditor.get(`/audits/${auditId}`);
  assert.match(page.body, new RegExp(`<a class="govuk-link" href="/audits/${auditId}/indicators.csv" download>Download the indicators \\(CSV\\)</a>`));
  const action = `/audits/${auditId}/indicators/registers_on_time/comment`;
  const comment = '=HYPERLINK("http://example.com"), said "late", twice';
  const saved = await auditor.post(action, { comment, version: versionOf(page.body, action)! });
  assert.equal(saved.statusCode, 303, errorSummary(saved.body).join(' | '));
  const before = (await logEntries('audit.indicators_exported')).length;
  const response = await auditor.get(`/audits/${auditId}/indicators.csv`);
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/csv/);
  assert.match(String(response.headers['content-disposition']), new RegExp(`^attachment; filename="audit-${auditId}-indicators\\.csv"`));
  const [header] = response.body.split('\n');
  assert.equal(header.trim(), 'area,indicator,standard,meeting,of,meets_standard,comment');
  const rows = parse(response.body, { columns: true }) as Array<Record<string, string>>;
  assert.equal(rows.length, 9);
  const registers = rows.find((r) => r.indicator === 'Registers recorded on time')!;
  assert.equal(registers.area, 'Assessments and paperwork');
  assert.equal(registers.comment, `'${comment}`, 'a comment starting like a formula is written as data');
  assert.equal(rows.find((r) => r.indicator === 'Session logs written on time')!.comment, 'Two logs were late: both in the week of the lockdown.');
  const onPage = /id="indicator-registers_on_time">[\s\S]*?<\/strong>: (\d+) of (\d+)/.exec(page.body)!;
  assert.deepEqual([registers.meeting, registers.of], [onPage[1], onPage[2]], 'the figure is the page’s');
  assert.ok(rows.every((r) => ['yes', 'no'].includes(r.meets_standard)));
  const after = await logEntries('audit.indicators_exported');
  assert.equal(after.length, before + 1);
  assert.equal(after.at(-1)!.actor, 'auditor');
});
