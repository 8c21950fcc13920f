// Facilitators' accreditations and how each stands today: granted per programme, suspended with a reason or
// withdrawn from a day, and lapsed when supervision is overdue beyond the programme's grace period (computed
// from the supervision records by domain/staff/supervision.ts). Everything that decides whether a facilitator may
// take a session (solver, checker, swaps, catch-ups, conflict flags, team choice) reads accreditations through
// standingAccreditations, so they all apply exactly the same rule. No access checks here: callers make them.
import { and, desc, eq, inArray, max } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/connection.js';
import { facilitatorAccreditations, programmeVersions, supervisions } from '../../db/schema.js';
import type { ProgrammeDefinition } from '../../domain/programme/definition.js';
import { accreditationStanding, defaultSupervisionRules, type AccreditationStanding, type SupervisionRules } from '../../domain/staff/supervision.js';
import type { Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { EditConflict, NotFound, ValidationFailed } from '../errors.js';

export interface StandingAccreditation extends AccreditationStanding {
  id: number;
  userId: number;
  programmeId: string;
  accreditedOn: string;
  suspendedFrom: string | null;
  suspensionReason: string | null;
  withdrawnFrom: string | null;
  version: number;
}

/** The supervision rules of each programme's latest version. */
export async function supervisionRulesOf(ex: Executor, programmeIds: string[]): Promise<Map<string, SupervisionRules>> {
  const rules = new Map<string, SupervisionRules>();
  if (programmeIds.length === 0) return rules;
  const rows = await ex
    .select({ programmeId: programmeVersions.programmeId, definition: programmeVersions.definition })
    .from(programmeVersions)
    .where(inArray(programmeVersions.programmeId, [...new Set(programmeIds)]))
    .orderBy(desc(programmeVersions.version));
  for (const row of rows) {
    if (rules.has(row.programmeId)) continue;
    const { supervision } = row.definition as ProgrammeDefinition;
    rules.set(row.programmeId, supervision ? { intervalDays: supervision.intervalDays, graceDays: supervision.graceDays } : defaultSupervisionRules);
  }
  return rules;
}

/**
 * Each facilitator's last supervision. A supervision is never dated after the day it is recorded, so the last one
 * on record is the last one as of any later day.
 */
export async function lastSupervisions(ex: Executor, userIds: number[]): Promise<Map<number, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await ex
    .select({ userId: supervisions.facilitatorId, last: max(supervisions.supervisedOn) })
    .from(supervisions)
    .where(inArray(supervisions.facilitatorId, userIds))
    .groupBy(supervisions.facilitatorId);
  return new Map(rows.filter((r) => r.last !== null).map((r) => [r.userId, r.last!]));
}

/** The accreditations of these facilitators, each with how it stands on `today`. */
export async function standingAccreditations(ex: Executor, userIds: number[], today: string): Promise<StandingAccreditation[]> {
  if (userIds.length === 0) return [];
  const rows = await ex
    .select()
    .from(facilitatorAccreditations)
    .where(inArray(facilitatorAccreditations.userId, userIds))
    .orderBy(facilitatorAccreditations.programmeId);
  const [rules, last] = await Promise.all([
    supervisionRulesOf(
      ex,
      rows.map((r) => r.programmeId),
    ),
    lastSupervisions(ex, userIds),
  ]);
  return rows.map((r) => ({
    id: r.id,
    userId: r.userId,
    programmeId: r.programmeId,
    accreditedOn: r.accreditedOn,
    suspendedFrom: r.suspendedFrom,
    suspensionReason: r.suspensionReason,
    withdrawnFrom: r.withdrawnFrom,
    version: r.version,
    ...accreditationStanding(r, last.get(r.userId) ?? null, rules.get(r.programmeId) ?? defaultSupervisionRules, today),
  }));
}

/** Grants a facilitator accreditation for a programme from a day (the day programme training was completed). */
export async function grantAccreditation(tx: Tx, actor: Actor, grant: { userId: number; programmeId: string; accreditedOn: string }): Promise<void> {
  const [programme] = await tx
    .select({ id: programmeVersions.id })
    .from(programmeVersions)
    .where(eq(programmeVersions.programmeId, grant.programmeId))
    .limit(1);
  if (!programme) throw ValidationFailed.one('programmeId', 'Choose a programme from the list');
  const [existing] = await tx
    .select()
    .from(facilitatorAccreditations)
    .where(and(eq(facilitatorAccreditations.userId, grant.userId), eq(facilitatorAccreditations.programmeId, grant.programmeId)));
  if (existing && existing.withdrawnFrom === null) {
    throw ValidationFailed.one('programmeId', `This facilitator is already accredited for ${grant.programmeId}; suspend or withdraw it instead`);
  }
  if (existing) {
    // Accredited again after a withdrawal: the record starts afresh.
    await tx
      .update(facilitatorAccreditations)
      .set({
        accreditedOn: grant.accreditedOn,
        suspendedFrom: null,
        suspensionReason: null,
        withdrawnFrom: null,
        version: existing.version + 1,
        updatedAt: new Date(),
      })
      .where(eq(facilitatorAccreditations.id, existing.id));
  } else {
    await tx.insert(facilitatorAccreditations).values(grant);
  }
  await appendAudit(tx, actor, {
    action: 'facilitator.accreditation_granted',
    subjectType: 'user',
    subjectId: grant.userId,
    details: { programmeId: grant.programmeId, accreditedOn: grant.accreditedOn },
  });
}

async function accreditationAt(tx: Tx, userId: number, programmeId: string, version: number) {
  const [row] = await tx
    .select()
    .from(facilitatorAccreditations)
    .where(and(eq(facilitatorAccreditations.userId, userId), eq(facilitatorAccreditations.programmeId, programmeId)));
  if (!row) throw new NotFound('Accreditation');
  if (row.version !== version) throw new EditConflict('This accreditation');
  return row;
}

/** Suspends an accreditation from a day, with the reason; sessions from that day are no longer the facilitator's to take. */
export async function suspendAccreditation(
  tx: Tx,
  actor: Actor,
  change: { userId: number; programmeId: string; from: string; reason: string; version: number },
): Promise<void> {
  const row = await accreditationAt(tx, change.userId, change.programmeId, change.version);
  if (row.withdrawnFrom !== null) throw ValidationFailed.one('from', 'This accreditation has been withdrawn; it cannot be suspended');
  if (change.from < row.accreditedOn) throw ValidationFailed.one('from', 'A suspension must start on or after the day of accreditation');
  await tx
    .update(facilitatorAccreditations)
    .set({ suspendedFrom: change.from, suspensionReason: change.reason, version: row.version + 1, updatedAt: new Date() })
    .where(eq(facilitatorAccreditations.id, row.id));
  await appendAudit(tx, actor, {
    action: 'facilitator.accreditation_suspended',
    subjectType: 'user',
    subjectId: change.userId,
    details: { programmeId: change.programmeId, from: change.from },
  });
}

/** Lifts a suspension. */
export async function reinstateAccreditation(tx: Tx, actor: Actor, change: { userId: number; programmeId: string; version: number }): Promise<void> {
  const row = await accreditationAt(tx, change.userId, change.programmeId, change.version);
  if (row.suspendedFrom === null) throw ValidationFailed.one('programmeId', 'This accreditation is not suspended');
  await tx
    .update(facilitatorAccreditations)
    .set({ suspendedFrom: null, suspensionReason: null, version: row.version + 1, updatedAt: new Date() })
    .where(eq(facilitatorAccreditations.id, row.id));
  await appendAudit(tx, actor, {
    action: 'facilitator.accreditation_reinstated',
    subjectType: 'user',
    subjectId: change.userId,
    details: { programmeId: change.programmeId },
  });
}

/** Withdraws every accreditation the facilitator holds from a day (they leave the work). */
export async function withdrawAccreditations(tx: Tx, actor: Actor, change: { userId: number; from: string }): Promise<void> {
  const rows = await tx.select().from(facilitatorAccreditations).where(eq(facilitatorAccreditations.userId, change.userId));
  for (const row of rows.filter((r) => r.withdrawnFrom === null)) {
    await tx
      .update(facilitatorAccreditations)
      .set({ withdrawnFrom: change.from < row.accreditedOn ? row.accreditedOn : change.from, version: row.version + 1, updatedAt: new Date() })
      .where(eq(facilitatorAccreditations.id, row.id));
  }
  await appendAudit(tx, actor, {
    action: 'facilitator.accreditations_withdrawn',
    subjectType: 'user',
    subjectId: change.userId,
    details: { from: change.from },
  });
}
