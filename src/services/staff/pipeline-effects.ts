// What a pipeline move does to a facilitator's accreditation, carried out in the move's transaction by the
// accreditation service (which the scheduler and swaps read). One handler per effect of the pipeline file: an
// effect added to the file's list is a compile error here until it is handled.
import type { Tx } from '../../db/connection.js';
import type { PipelineEffect } from '../../domain/staff/pipeline.js';
import type { Actor } from '../access.js';
import { ValidationFailed } from '../errors.js';
import { grantAccreditation, reinstateAccreditation, standingAccreditations, suspendAccreditation, withdrawAccreditations } from './accreditation.js';

export interface EffectContext {
  /** The member's sign-in; null before one is linked (the moves that need one say so in the file). */
  userId: number | null;
  programmeId: string | null;
  evidence: Readonly<Record<string, string>>;
  reason: string;
  today: string;
}

/** The version of the member's accreditation for the programme, as the accreditation service holds it. */
async function accreditationVersion(tx: Tx, userId: number, programmeId: string, today: string): Promise<number> {
  const standing = (await standingAccreditations(tx, [userId], today)).find((a) => a.userId === userId && a.programmeId === programmeId);
  if (!standing) throw ValidationFailed.one('programmeId', 'There is no accreditation for this programme to change');
  return standing.version;
}

function signIn(context: EffectContext): number {
  if (context.userId === null) throw ValidationFailed.one('move', 'Accreditation is for a facilitator’s sign-in: link a sign-in first');
  return context.userId;
}

const handlers: Record<PipelineEffect, (tx: Tx, actor: Actor, context: EffectContext) => Promise<void>> = {
  async grants_accreditation(tx, actor, context) {
    const userId = signIn(context);
    // An accreditation the sign-in holds already (granted before the pipeline recorded it) is kept as it is: the
    // move records it in the pipeline rather than granting it twice.
    const held = (await standingAccreditations(tx, [userId], context.today)).some(
      (a) => a.userId === userId && a.programmeId === context.programmeId && a.withdrawnFrom === null,
    );
    if (held) return;
    await grantAccreditation(tx, actor, { userId, programmeId: context.programmeId!, accreditedOn: context.evidence.accreditedOn ?? context.today });
  },
  async suspends_accreditation(tx, actor, context) {
    const userId = signIn(context);
    const version = await accreditationVersion(tx, userId, context.programmeId!, context.today);
    await suspendAccreditation(tx, actor, {
      userId,
      programmeId: context.programmeId!,
      from: context.evidence.from ?? context.today,
      reason: context.reason,
      version,
    });
  },
  async reinstates_accreditation(tx, actor, context) {
    const userId = signIn(context);
    const version = await accreditationVersion(tx, userId, context.programmeId!, context.today);
    await reinstateAccreditation(tx, actor, { userId, programmeId: context.programmeId!, version });
  },
  async withdraws_accreditations(tx, actor, context) {
    // Someone withdrawn before any sign-in was linked holds no accreditation to end.
    if (context.userId === null) return;
    await withdrawAccreditations(tx, actor, { userId: context.userId, from: context.evidence.from ?? context.today });
  },
};

export async function carryOutEffects(tx: Tx, actor: Actor, effects: readonly PipelineEffect[], context: EffectContext): Promise<void> {
  for (const effect of effects) await handlers[effect](tx, actor, context);
}
