// The clinical review's checklist of material examined (issue 13, item 4): for each item of domain/qa/checklist.ts,
// the records of the audit's site, programme and period it covers, each linked to its own page in sotp (where
// opening it is audit-logged as a read of that record), and the auditor's notes once examined. The records listed:
// - participants' work: work by men in the site's groups of the programme from a session of the period, or
//   uploaded in it;
// - session logs: the logs of the period's sessions;
// - end-of-treatment reports: the men whose last session fell in the period, and any report written in it;
// - supervisor's records: the supervisions, in the period, of the facilitators who delivered in it.
import { and, asc, eq, gte, inArray, isNotNull, lte, ne, or } from 'drizzle-orm';
import { z } from 'zod';
import { londonToday } from '../../clock.js';
import type { Db, Executor } from '../../db/connection.js';
import {
  auditChecklistItems,
  audits,
  groupMembers,
  groupSessions,
  people,
  products,
  programmeGroups,
  programmeVersions,
  sessionFacilitators,
  sessionLogs,
  sites,
  supervisions,
  treatmentReports,
  users,
} from '../../db/schema.js';
import type { AuditStatusId } from '../../domain/qa/audit-workflow.js';
import { checklistItems, isChecklistItem, type ChecklistItemId } from '../../domain/qa/checklist.js';
import { can } from '../../domain/permissions.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { requiredText, versionOrNew } from '../input-fields.js';
import { validate } from '../validate.js';
import { readAudit } from './audit-lock.js';

export interface ChecklistRecord {
  label: string;
  /** The record's own page. */
  href: string;
}

export interface Examination {
  notes: string;
  examinedBy: string;
  examinedAt: Date;
  version: number;
}

export interface ChecklistEntry {
  id: ChecklistItemId;
  label: string;
  hint: string;
  records: ChecklistRecord[];
  examination: Examination | null;
}

export interface AuditChecklist {
  audit: { id: number; siteId: number; siteName: string; programmeId: string; from: string; to: string; status: AuditStatusId };
  /** Whether the reader may record notes now: an auditor, while the audit is in progress. */
  canRecord: boolean;
  items: ChecklistEntry[];
}

/** The review happens after the sample is drawn and before the ratings: the status the checklist is open in. */
const reviewStatus: AuditStatusId = 'in_progress';
const notInReview = 'The checklist of material examined is worked through while the audit is in progress: after the sample is drawn and before the ratings';

export const checklistItemInput = z.object({
  notes: requiredText('your notes on the material examined', 5000),
  version: versionOrNew,
});

/**
 * The items the audit has examined, in the checklist's order, with the auditor's notes: the audit page's summary and
 * the report's. No access check: callers make it.
 */
export async function checklistSummary(
  ex: Executor,
  auditId: number,
): Promise<{ examined: number; of: number; notes: Array<{ item: ChecklistItemId; label: string; notes: string }> }> {
  const rows = await ex
    .select({ item: auditChecklistItems.item, notes: auditChecklistItems.notes })
    .from(auditChecklistItems)
    .where(eq(auditChecklistItems.auditId, auditId));
  const notes = checklistItems.flatMap((i) => rows.filter((r) => r.item === i.id).map((r) => ({ item: i.id, label: i.label, notes: r.notes })));
  return { examined: notes.length, of: checklistItems.length, notes };
}

/** The checklist with each item's records and examination; the read is audit-logged, since the records name men and staff. */
export async function auditChecklist(db: Db, actor: Actor, auditId: number): Promise<AuditChecklist> {
  authorise(actor, 'audit.read');
  return db.transaction(async (tx) => {
    const audit = await readAudit(tx, auditId);
    authorise(actor, 'audit.read', audit.siteId);
    const [site] = await tx.select({ name: sites.name }).from(sites).where(eq(sites.id, audit.siteId));
    const period = { from: audit.periodFrom, to: audit.periodTo };
    const records = await materialOf(tx, audit.siteId, audit.programmeId, period);
    const examined = await tx
      .select({ row: auditChecklistItems, examinedBy: users.displayName })
      .from(auditChecklistItems)
      .innerJoin(users, eq(users.id, auditChecklistItems.examinedBy))
      .where(eq(auditChecklistItems.auditId, auditId));
    await appendAudit(tx, actor, {
      action: 'audit.checklist_viewed',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: Object.fromEntries(checklistItems.map((i) => [i.id, records[i.id].length])),
    });
    const status = audit.status as AuditStatusId;
    return {
      audit: { id: audit.id, siteId: audit.siteId, siteName: site.name, programmeId: audit.programmeId, from: audit.periodFrom, to: audit.periodTo, status },
      canRecord: can(actor.role, 'audit.review') && status === reviewStatus,
      items: checklistItems.map((item) => {
        const found = examined.find((e) => e.row.item === item.id);
        return {
          id: item.id,
          label: item.label,
          hint: item.hint,
          records: records[item.id],
          examination: found ? { notes: found.row.notes, examinedBy: found.examinedBy, examinedAt: found.row.updatedAt, version: found.row.version } : null,
        };
      }),
    };
  });
}

/**
 * Records the auditor's notes on one item, or changes them from the version read (0 for an item not yet examined),
 * so that two auditors editing the same item never overwrite each other silently.
 */
export async function recordChecklistItem(db: Db, actor: Actor, auditId: number, itemId: string, input: unknown): Promise<{ version: number }> {
  authorise(actor, 'audit.review');
  if (!isChecklistItem(itemId)) throw new NotFound('Checklist item');
  const values = validate(checklistItemInput, input);
  return db.transaction(async (tx) => {
    // Shared: the status cannot move on (to rated) while notes are being saved against it.
    const [audit] = await tx.select().from(audits).where(eq(audits.id, auditId)).for('share');
    if (!audit) throw new NotFound('Audit');
    authorise(actor, 'audit.review', audit.siteId);
    if (audit.status !== reviewStatus) throw ValidationFailed.one('audit', notInReview);
    const what = `The notes on “${checklistItems.find((i) => i.id === itemId)!.label}”`;
    const content = { notes: values.notes, examinedBy: actor.userId! };
    const key = and(eq(auditChecklistItems.auditId, auditId), eq(auditChecklistItems.item, itemId));
    const [existing] = await tx.select({ version: auditChecklistItems.version }).from(auditChecklistItems).where(key);
    let row: { version: number } | undefined;
    if (!existing) {
      if (values.version !== 0) throw new EditConflict(what);
      // Two first saves at once: the first is kept, the second told of the conflict.
      [row] = await tx
        .insert(auditChecklistItems)
        .values({ auditId, item: itemId, ...content })
        .onConflictDoNothing()
        .returning({ version: auditChecklistItems.version });
    } else {
      [row] = await tx
        .update(auditChecklistItems)
        .set({ ...content, version: values.version + 1, updatedAt: new Date() })
        .where(and(key, eq(auditChecklistItems.version, values.version)))
        .returning({ version: auditChecklistItems.version });
    }
    if (!row) throw new EditConflict(what);
    await appendAudit(tx, actor, {
      action: existing ? 'audit.checklist_item_changed' : 'audit.checklist_item_recorded',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { item: itemId, version: row.version },
    });
    return { version: row.version };
  });
}

type Period = { from: string; to: string };
const within = (day: string, p: Period) => day >= p.from && day <= p.to;
/** The day of a stored moment, in Europe/London. */
const dayOf = (moment: Date) => londonToday(moment);

/** Each item's records for the site, programme and period. */
async function materialOf(ex: Executor, siteId: number, programmeId: string, period: Period): Promise<Record<ChecklistItemId, ChecklistRecord[]>> {
  const groups = await ex
    .select({ id: programmeGroups.id, name: programmeGroups.name })
    .from(programmeGroups)
    .innerJoin(programmeVersions, eq(programmeVersions.id, programmeGroups.programmeVersionId))
    .where(and(eq(programmeGroups.siteId, siteId), eq(programmeVersions.programmeId, programmeId)))
    .orderBy(asc(programmeGroups.name));
  if (groups.length === 0) return { participants_work: [], session_logs: [], end_of_treatment_reports: [], supervisor_records: [] };
  const groupIds = groups.map((g) => g.id);
  const groupName = new Map(groups.map((g) => [g.id, g.name]));
  const sessions = await ex
    .select({ id: groupSessions.id, groupId: groupSessions.groupId, number: groupSessions.number, date: groupSessions.sessionDate })
    .from(groupSessions)
    .where(and(inArray(groupSessions.groupId, groupIds), ne(groupSessions.status, 'cancelled')))
    .orderBy(asc(groupSessions.sessionDate), asc(groupSessions.startTime), asc(groupSessions.id));
  const inPeriod = sessions.filter((s) => within(s.date, period));
  const sessionLabel = (s: { groupId: number; number: number; date: string }) => `${groupName.get(s.groupId)} session ${s.number}, ${s.date}`;
  return {
    participants_work: await workOf(ex, groupIds, period, sessionLabel),
    session_logs: await logsOf(ex, inPeriod, sessionLabel),
    end_of_treatment_reports: await reportsOf(ex, groupIds, sessions, period, groupName),
    supervisor_records: await supervisionsOf(ex, inPeriod, period),
  };
}

type SessionLabel = (s: { groupId: number; number: number; date: string }) => string;
const man = (p: { givenName: string; familyName: string; prisonNumber: string }) => `${p.givenName} ${p.familyName} (${p.prisonNumber})`;

async function workOf(ex: Executor, groupIds: number[], period: Period, sessionLabel: SessionLabel): Promise<ChecklistRecord[]> {
  const rows = await ex
    .select({
      id: products.id,
      fileName: products.fileName,
      uploadedAt: products.createdAt,
      sessionId: groupSessions.id,
      groupId: groupSessions.groupId,
      number: groupSessions.number,
      date: groupSessions.sessionDate,
      givenName: people.givenName,
      familyName: people.familyName,
      prisonNumber: people.prisonNumber,
    })
    .from(products)
    .innerJoin(groupSessions, eq(groupSessions.id, products.sessionId))
    .innerJoin(people, eq(people.id, products.personId))
    .where(inArray(groupSessions.groupId, groupIds))
    .orderBy(asc(groupSessions.sessionDate), asc(products.id));
  return rows
    .filter((r) => within(r.date, period) || within(dayOf(r.uploadedAt), period))
    .map((r) => ({
      label: `${man(r)}: ${r.fileName}, ${sessionLabel(r)}`,
      href: `/groups/${r.groupId}/sessions/${r.sessionId}/products/${r.id}`,
    }));
}

async function logsOf(ex: Executor, inPeriod: Array<{ id: number; groupId: number; number: number; date: string }>, sessionLabel: SessionLabel) {
  if (inPeriod.length === 0) return [];
  const logged = new Set(
    (
      await ex
        .select({ sessionId: sessionLogs.sessionId })
        .from(sessionLogs)
        .where(
          inArray(
            sessionLogs.sessionId,
            inPeriod.map((s) => s.id),
          ),
        )
    ).map((l) => l.sessionId),
  );
  return inPeriod.filter((s) => logged.has(s.id)).map((s) => ({ label: sessionLabel(s), href: `/groups/${s.groupId}/sessions/${s.id}/log` }));
}

async function reportsOf(
  ex: Executor,
  groupIds: number[],
  sessions: Array<{ groupId: number; date: string }>,
  period: Period,
  groupName: Map<number, string>,
): Promise<ChecklistRecord[]> {
  const rows = await ex
    .select({
      memberId: groupMembers.id,
      groupId: groupMembers.groupId,
      leftAt: groupMembers.leftAt,
      reportWrittenAt: treatmentReports.createdAt,
      givenName: people.givenName,
      familyName: people.familyName,
      prisonNumber: people.prisonNumber,
    })
    .from(groupMembers)
    .innerJoin(people, eq(people.id, groupMembers.personId))
    .leftJoin(treatmentReports, eq(treatmentReports.memberId, groupMembers.id))
    .where(and(inArray(groupMembers.groupId, groupIds), or(isNotNull(groupMembers.leftAt), isNotNull(treatmentReports.memberId))))
    .orderBy(asc(people.familyName), asc(people.givenName), asc(groupMembers.id));
  return rows
    .map((r) => {
      const leftOn = r.leftAt ? dayOf(r.leftAt) : null;
      // His last session: the group's last one held on or before the day he left (as the reports indicator has it).
      const last = leftOn === null ? null : (sessions.filter((s) => s.groupId === r.groupId && s.date <= leftOn).at(-1)?.date ?? leftOn);
      const written = r.reportWrittenAt ? dayOf(r.reportWrittenAt) : null;
      return { r, last, written };
    })
    .filter(({ last, written }) => (last !== null && within(last, period)) || (written !== null && within(written, period)))
    .map(({ r, last, written }) => ({
      label: `${man(r)}, ${groupName.get(r.groupId)}${last ? `: last session ${last}` : ''}${written ? `, summaries written ${written}` : ', no summaries written'}`,
      href: `/group-members/${r.memberId}/report`,
    }));
}

async function supervisionsOf(ex: Executor, inPeriod: Array<{ id: number }>, period: Period): Promise<ChecklistRecord[]> {
  if (inPeriod.length === 0) return [];
  const delivered = await ex
    .selectDistinct({ userId: sessionFacilitators.userId })
    .from(sessionFacilitators)
    .where(
      inArray(
        sessionFacilitators.sessionId,
        inPeriod.map((s) => s.id),
      ),
    );
  if (delivered.length === 0) return [];
  const held = await ex
    .select({ id: supervisions.id, facilitatorId: supervisions.facilitatorId, supervisorId: supervisions.supervisorId, on: supervisions.supervisedOn })
    .from(supervisions)
    .where(
      and(
        inArray(
          supervisions.facilitatorId,
          delivered.map((d) => d.userId),
        ),
        gte(supervisions.supervisedOn, period.from),
        lte(supervisions.supervisedOn, period.to),
      ),
    )
    .orderBy(asc(supervisions.supervisedOn), asc(supervisions.id));
  if (held.length === 0) return [];
  const named = await ex
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(inArray(users.id, [...new Set(held.flatMap((r) => [r.facilitatorId, r.supervisorId]))]));
  const name = new Map(named.map((u) => [u.id, u.name]));
  return held.map((r) => ({
    label: `${name.get(r.facilitatorId)}, supervised ${r.on} by ${name.get(r.supervisorId)}`,
    href: `/facilitators/${r.facilitatorId}#supervision-${r.id}`,
  }));
}
