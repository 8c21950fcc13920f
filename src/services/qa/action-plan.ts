// After the ratings (issue 13): the site's treatment manager responds with an action plan (what the site will do,
// who owns each action, by when); the auditor closes the audit once the plan is agreed; the site marks actions
// done as it does them, and the national overview counts those still open.
import { and, asc, eq, inArray, isNull, lt } from 'drizzle-orm';
import { z } from 'zod';
import { londonToday } from '../../clock.js';
import type { Db, Executor } from '../../db/connection.js';
import { auditActions, audits, sites, siteTreatmentManagers, users } from '../../db/schema.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { AccessDenied, EditConflict, NotFound, ValidationFailed } from '../errors.js';
import { checkbox, requiredDate, requiredText, versionField } from '../input-fields.js';
import { validate } from '../validate.js';
import { lockAudit, lockAuditForMove, moveAudit } from './audit-lock.js';

export const auditActionInput = z.object({
  description: requiredText('the action', 1000),
  owner: requiredText('the action’s owner', 200),
  dueOn: requiredDate('date the action is due'),
});

export const auditResponseInput = z.object({
  version: versionField,
  response: requiredText('the site’s response to the audit', 10000),
  actions: z.array(auditActionInput).max(50, 'An action plan holds at most 50 actions'),
});

export const closeAuditInput = z.object({
  version: versionField,
  agreed: checkbox('the action plan is agreed').refine((v) => v, 'Confirm that the action plan is agreed before closing the audit'),
});

export const completeActionInput = z.object({ version: versionField });

export const askRevisionInput = z.object({
  version: versionField,
  reason: requiredText('what the site should change in its plan', 5000),
});

export interface AuditAction {
  id: number;
  description: string;
  owner: string;
  dueOn: string;
  completedOn: string | null;
  version: number;
}

export async function actionsOf(ex: Executor, auditId: number): Promise<AuditAction[]> {
  return ex
    .select({
      id: auditActions.id,
      description: auditActions.description,
      owner: auditActions.owner,
      dueOn: auditActions.dueOn,
      completedOn: auditActions.completedOn,
      version: auditActions.version,
    })
    .from(auditActions)
    .where(eq(auditActions.auditId, auditId))
    .orderBy(asc(auditActions.dueOn), asc(auditActions.id));
}

/** The treatment manager named for the site's programme (an administrator names one on the site's staff page). */
async function namedTreatmentManager(ex: Executor, siteId: number, programmeId: string): Promise<{ id: number; name: string } | null> {
  const [row] = await ex
    .select({ id: users.id, name: users.displayName })
    .from(siteTreatmentManagers)
    .innerJoin(users, eq(users.id, siteTreatmentManagers.userId))
    .where(and(eq(siteTreatmentManagers.siteId, siteId), eq(siteTreatmentManagers.programmeId, programmeId)));
  return row ?? null;
}

/** Whether this actor is the treatment manager who answers for the audit's site and programme. */
export async function isSitesTreatmentManager(ex: Executor, actor: Actor, audit: { siteId: number; programmeId: string }): Promise<boolean> {
  const named = await namedTreatmentManager(ex, audit.siteId, audit.programmeId);
  return named !== null && named.id === actor.userId;
}

async function requireSitesTreatmentManager(ex: Executor, actor: Actor, audit: { siteId: number; programmeId: string }): Promise<void> {
  const named = await namedTreatmentManager(ex, audit.siteId, audit.programmeId);
  if (named === null) {
    throw new AccessDenied('Only the site’s treatment manager may do this, and none is named for this programme: ask an administrator to name one');
  }
  if (named.id !== actor.userId) throw new AccessDenied(`Only the site’s treatment manager for this programme (${named.name}) may do this`);
}

/**
 * Records the site's response and action plan, which moves the audit from rated to site responded. Only the
 * treatment manager named for the site's programme responds; each action needs a description, an owner and a due
 * date no earlier than today. Nothing is saved if any of it is refused.
 */
export async function respondToAudit(db: Db, actor: Actor, auditId: number, input: unknown, today = londonToday()): Promise<void> {
  authorise(actor, 'audit.respond');
  const values = validate(auditResponseInput, input);
  const late = values.actions.findIndex((a) => a.dueOn < today);
  if (late >= 0) throw ValidationFailed.one(`actions.${late}.dueOn`, 'The date an action is due must be today or later');
  await db.transaction(async (tx) => {
    const { audit, move } = await lockAuditForMove(tx, actor, auditId, values.version, 'respond');
    authorise(actor, 'audit.respond', audit.siteId);
    await requireSitesTreatmentManager(tx, actor, audit);
    await moveAudit(tx, auditId, move.status, { siteResponse: values.response, respondedBy: actor.userId, respondedAt: new Date(), revisionAsked: null });
    if (values.actions.length) await tx.insert(auditActions).values(values.actions.map((a) => ({ ...a, auditId })));
    await appendAudit(tx, actor, {
      action: 'audit.site_responded',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { actions: values.actions.length, from: audit.status, to: move.status },
    });
  });
}

/** Closes the audit once its action plan is agreed: the auditor confirms it. (Not agreed: askForRevisedPlan.) */
export async function closeAudit(db: Db, actor: Actor, auditId: number, input: unknown): Promise<void> {
  authorise(actor, 'audit.close');
  const values = validate(closeAuditInput, input);
  await db.transaction(async (tx) => {
    const { audit, move } = await lockAuditForMove(tx, actor, auditId, values.version, 'close');
    await moveAudit(tx, auditId, move.status, { closedBy: actor.userId, closedAt: new Date() });
    await appendAudit(tx, actor, {
      action: 'audit.closed',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { from: audit.status, to: move.status },
    });
  });
}

/**
 * The auditor does not agree the plan: the site's response and its actions are set aside and the audit goes back to
 * rated, with the reason, for the site's treatment manager to respond again. The audit log keeps that it happened.
 */
export async function askForRevisedPlan(db: Db, actor: Actor, auditId: number, input: unknown): Promise<void> {
  authorise(actor, 'audit.close');
  const values = validate(askRevisionInput, input);
  await db.transaction(async (tx) => {
    const { audit, move } = await lockAuditForMove(tx, actor, auditId, values.version, 'revise');
    const setAside = await tx.delete(auditActions).where(eq(auditActions.auditId, auditId)).returning({ id: auditActions.id });
    await moveAudit(tx, auditId, move.status, { siteResponse: null, respondedBy: null, respondedAt: null, revisionAsked: values.reason });
    await appendAudit(tx, actor, {
      action: 'audit.revision_asked',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { actionsSetAside: setAside.length, from: audit.status, to: move.status },
    });
  });
}

/** Marks an action of the plan done today, by the site's treatment manager, once the site has responded. */
export async function completeAuditAction(db: Db, actor: Actor, actionId: number, input: unknown, today = londonToday()): Promise<{ auditId: number }> {
  authorise(actor, 'audit.action.complete');
  const values = validate(completeActionInput, input);
  return db.transaction(async (tx) => {
    const [action] = await tx.select().from(auditActions).where(eq(auditActions.id, actionId));
    if (!action) throw new NotFound('Action');
    const audit = await lockAudit(tx, action.auditId);
    authorise(actor, 'audit.action.complete', audit.siteId);
    await requireSitesTreatmentManager(tx, actor, audit);
    if (action.version !== values.version) throw new EditConflict('The action');
    if (action.completedOn !== null) throw ValidationFailed.one('action', 'This action is already done');
    await tx
      .update(auditActions)
      .set({ completedOn: today, completedBy: actor.userId, updatedAt: new Date(), version: action.version + 1 })
      .where(eq(auditActions.id, actionId));
    await appendAudit(tx, actor, { action: 'audit.action_completed', subjectType: 'audit', subjectId: audit.id, siteId: audit.siteId, details: { actionId } });
    return { auditId: audit.id };
  });
}

export interface SiteAuditAlerts {
  /** Rated audits waiting for this treatment manager's response. */
  awaitingResponse: Array<{ auditId: number; siteName: string; from: string; to: string }>;
  /** Actions of his sites' plans past their due date and not done. */
  overdueActions: Array<{ auditId: number; id: number; siteName: string; description: string; owner: string; dueOn: string }>;
}

/** For the home page of the treatment manager named for a site's programme: audits to answer and actions overdue. */
export async function siteAuditAlerts(db: Db, actor: Actor, today = londonToday()): Promise<SiteAuditAlerts> {
  authorise(actor, 'audit.respond');
  if (actor.userId === null) return { awaitingResponse: [], overdueActions: [] };
  const answersFor = and(eq(siteTreatmentManagers.siteId, audits.siteId), eq(siteTreatmentManagers.programmeId, audits.programmeId));
  const mine = await db
    .select({ audit: audits, siteName: sites.name })
    .from(audits)
    .innerJoin(siteTreatmentManagers, answersFor)
    .innerJoin(sites, eq(sites.id, audits.siteId))
    .where(eq(siteTreatmentManagers.userId, actor.userId))
    .orderBy(asc(audits.periodTo));
  const ids = mine.map((m) => m.audit.id);
  const overdue = ids.length
    ? await db
        .select()
        .from(auditActions)
        .where(and(inArray(auditActions.auditId, ids), isNull(auditActions.completedOn), lt(auditActions.dueOn, today)))
        .orderBy(asc(auditActions.dueOn))
    : [];
  const siteOf = new Map(mine.map((m) => [m.audit.id, m.siteName]));
  return {
    awaitingResponse: mine
      .filter((m) => m.audit.status === 'rated')
      .map((m) => ({ auditId: m.audit.id, siteName: m.siteName, from: m.audit.periodFrom, to: m.audit.periodTo })),
    overdueActions: overdue.map((a) => ({
      auditId: a.auditId,
      id: a.id,
      siteName: siteOf.get(a.auditId) ?? '',
      description: a.description,
      owner: a.owner,
      dueOn: a.dueOn,
    })),
  };
}
