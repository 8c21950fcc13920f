// Reading an audit to change it: every step of the audit workflow locks the audit's row first, so two auditors (or
// an auditor and the site) acting at once are serialised, and checks the version the caller read, so neither
// silently overwrites the other.
import { eq, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/connection.js';
import { audits } from '../../db/schema.js';
import { applyAuditTransition, auditStatus, type AuditStatusId, type AuditTransitionId } from '../../domain/qa/audit-workflow.js';
import type { Actor } from '../access.js';
import { EditConflict, NotFound, ValidationFailed } from '../errors.js';

export type AuditRow = typeof audits.$inferSelect;

/** The audit's row, to read. */
export async function readAudit(ex: Executor, auditId: number): Promise<AuditRow> {
  const [audit] = await ex.select().from(audits).where(eq(audits.id, auditId));
  if (!audit) throw new NotFound('Audit');
  return audit;
}

/** The audit's row, locked until the transaction ends. */
export async function lockAudit(tx: Executor, auditId: number): Promise<AuditRow> {
  const [audit] = await tx.select().from(audits).where(eq(audits.id, auditId)).for('update');
  if (!audit) throw new NotFound('Audit');
  return audit;
}

/** The audit, locked, at the version the caller read, with the workflow's move to make: refused, naming the rule. */
export async function lockAuditForMove(tx: Executor, actor: Actor, auditId: number, version: number, transition: AuditTransitionId) {
  const audit = await lockAudit(tx, auditId);
  if (audit.version !== version) throw new EditConflict('The audit');
  const move = applyAuditTransition({ status: audit.status as AuditStatusId }, transition, actor);
  if (!move.ok) throw ValidationFailed.one('audit', move.message);
  return { audit, move };
}

/** The audit, locked, refused unless it is in one of these statuses (the steps of the review that change no status). */
export async function lockAuditIn(tx: Executor, auditId: number, statuses: readonly AuditStatusId[], doing: string): Promise<AuditRow> {
  const audit = await lockAudit(tx, auditId);
  if (!statuses.includes(audit.status as AuditStatusId)) {
    const allowed = statuses.map((s) => auditStatus(s).label.toLowerCase()).join(' or ');
    throw ValidationFailed.one('audit', `${doing} only while the audit is ${allowed}: it is ${auditStatus(audit.status as AuditStatusId).label.toLowerCase()}`);
  }
  return audit;
}

/** Moves the audit on to its new status, a new version. */
export async function moveAudit(tx: Tx, auditId: number, status: AuditStatusId, also: Partial<AuditRow> = {}): Promise<void> {
  await tx
    .update(audits)
    .set({ ...also, status, updatedAt: sql`now()`, version: sql`${audits.version} + 1` })
    .where(eq(audits.id, auditId));
}
