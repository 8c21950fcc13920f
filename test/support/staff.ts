// Facilitators made ready to deliver in tests: accredited for Core SOTP and supervised, so their accreditation
// stands (domain/staff/supervision.ts) for every session the tests plan.
import type { Db } from '../../src/db/connection.js';
import type { Actor } from '../../src/services/access.js';
import { londonToday } from '../../src/services/scheduling.js';
import { grantAccreditation } from '../../src/services/staff/accreditation.js';
import { recordSupervision } from '../../src/services/staff/supervision.js';

/** Accredits the facilitator and records a supervision by `manager` (a treatment manager of their site) on `supervisedOn`. */
export async function accreditAndSupervise(
  db: Db,
  manager: Actor,
  userId: number,
  { accreditedOn = '2025-01-01', supervisedOn = londonToday(), programmeId = 'core-sotp' } = {},
): Promise<void> {
  await db.transaction((tx) => grantAccreditation(tx, manager, { userId, programmeId, accreditedOn }));
  await recordSupervision(db, manager, userId, { supervisedOn, supervisorId: manager.userId });
}

/**
 * Records a supervision of each facilitator on `on`, as if that day were today: a test that looks at the estate as of
 * a later day than the real one needs its facilitators supervised by then, or their accreditations lapse.
 */
export async function superviseOn(db: Db, manager: Actor, userIds: number[], on: string): Promise<void> {
  for (const userId of userIds) await recordSupervision(db, manager, userId, { supervisedOn: on, supervisorId: manager.userId }, on);
}
