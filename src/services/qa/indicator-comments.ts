// The auditor's comment on each operational indicator of an audit (issue 13, item 2), and the indicators as a CSV
// file with those comments (item 7). Comments may be written until the audit is closed.
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import { auditIndicatorComments, audits, users } from '../../db/schema.js';
import { auditStatus, type AuditStatusId } from '../../domain/qa/audit-workflow.js';
import { indicatorCsv } from '../../domain/qa/indicator-export.js';
import { isIndicatorId } from '../../domain/qa/indicators.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { requiredText, versionOrNew } from '../input-fields.js';
import { validate } from '../validate.js';
import { readAudit } from './audit-lock.js';
import { operationalIndicators } from './indicators.js';

export interface IndicatorComment {
  comment: string;
  writtenBy: string;
  writtenAt: Date;
  version: number;
}

export const indicatorCommentInput = z.object({
  comment: requiredText('your comment on the indicator', 5000),
  version: versionOrNew,
});

/** The audit's comments by indicator id. No access check: callers make it. */
export async function commentsOf(ex: Executor, auditId: number): Promise<Map<string, IndicatorComment>> {
  const rows = await ex
    .select({ row: auditIndicatorComments, writtenBy: users.displayName })
    .from(auditIndicatorComments)
    .innerJoin(users, eq(users.id, auditIndicatorComments.writtenBy))
    .where(eq(auditIndicatorComments.auditId, auditId));
  return new Map(rows.map(({ row, writtenBy }) => [row.indicatorId, { comment: row.comment, writtenBy, writtenAt: row.updatedAt, version: row.version }]));
}

/** The comments on an audit's indicators, for those who may read the audit. */
export async function indicatorComments(db: Db, actor: Actor, auditId: number): Promise<Map<string, IndicatorComment>> {
  authorise(actor, 'audit.read');
  const audit = await readAudit(db, auditId);
  authorise(actor, 'audit.read', audit.siteId);
  return commentsOf(db, auditId);
}

/** Writes the auditor's comment on an indicator, or changes it from the version read (0 when there was none). */
export async function saveIndicatorComment(db: Db, actor: Actor, auditId: number, indicatorId: string, input: unknown): Promise<{ version: number }> {
  authorise(actor, 'audit.review');
  if (!isIndicatorId(indicatorId)) throw new NotFound('Indicator');
  const values = validate(indicatorCommentInput, input);
  return db.transaction(async (tx) => {
    // Shared: the audit cannot be closed while a comment is being saved on it.
    const [audit] = await tx.select().from(audits).where(eq(audits.id, auditId)).for('share');
    if (!audit) throw new NotFound('Audit');
    authorise(actor, 'audit.review', audit.siteId);
    const status = auditStatus(audit.status as AuditStatusId);
    if (!status.open) throw ValidationFailed.one('audit', 'The audit is closed: its indicators can no longer be commented on');
    const what = 'The comment on this indicator';
    const content = { comment: values.comment, writtenBy: actor.userId! };
    const key = and(eq(auditIndicatorComments.auditId, auditId), eq(auditIndicatorComments.indicatorId, indicatorId));
    const [existing] = await tx.select({ version: auditIndicatorComments.version }).from(auditIndicatorComments).where(key);
    let row: { version: number } | undefined;
    if (!existing) {
      if (values.version !== 0) throw new EditConflict(what);
      // Two first comments at once: the first is kept, the second told of the conflict.
      [row] = await tx
        .insert(auditIndicatorComments)
        .values({ auditId, indicatorId, ...content })
        .onConflictDoNothing()
        .returning({ version: auditIndicatorComments.version });
    } else {
      [row] = await tx
        .update(auditIndicatorComments)
        .set({ ...content, version: values.version + 1, updatedAt: new Date() })
        .where(and(key, eq(auditIndicatorComments.version, values.version)))
        .returning({ version: auditIndicatorComments.version });
    }
    if (!row) throw new EditConflict(what);
    await appendAudit(tx, actor, {
      action: existing ? 'audit.indicator_comment_changed' : 'audit.indicator_commented',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { indicatorId, version: row.version },
    });
    return { version: row.version };
  });
}

/** The audit's indicators as CSV, one row per indicator with the auditor's comment; the export is audit-logged. */
export async function indicatorsCsv(db: Db, actor: Actor, auditId: number): Promise<{ fileName: string; csv: string }> {
  authorise(actor, 'audit.read');
  const audit = await readAudit(db, auditId);
  authorise(actor, 'audit.read', audit.siteId);
  const indicators = await operationalIndicators(db, actor, {
    siteId: audit.siteId,
    programmeId: audit.programmeId,
    from: audit.periodFrom,
    to: audit.periodTo,
  });
  const comments = await commentsOf(db, auditId);
  const csv = indicatorCsv(indicators, new Map([...comments].map(([id, c]) => [id, c.comment])));
  await db.transaction((tx) =>
    appendAudit(tx, actor, {
      action: 'audit.indicators_exported',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { rows: indicators.length },
    }),
  );
  return { fileName: `audit-${auditId}-indicators.csv`, csv };
}
