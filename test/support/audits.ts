// An audit in progress on the demo data, for the service tests of the audit's later steps: the demo auditor, a
// second auditor (to show two at once never overwrite each other), Northgate's named treatment manager, and an audit
// of Northgate whose sample is drawn from recordings of its latest sessions.
import type { Db } from '../../src/db/connection.js';
import { systemActor, type Actor } from '../../src/services/access.js';
import { drawAuditSample, openAudit } from '../../src/services/qa/audits.js';
import { createUser } from '../../src/services/users.js';
import { actorOf, siteIdOf } from './actors.js';
import { recordPastSessions } from './recordings.js';

export interface AuditInProgress {
  auditor: Actor;
  secondAuditor: Actor;
  manager: Actor;
  ngt: number;
  auditId: number;
  sampled: number[];
}

/** `recorded` latest sessions of Northgate get a recording; the audit covers `period`, or exactly their days. */
export async function auditInProgress(db: Db, recorded: number, period?: { from: string; to: string }): Promise<AuditInProgress> {
  const ngt = await siteIdOf(db, 'NGT');
  const auditor = await actorOf(db, 'auditor');
  const manager = await actorOf(db, 'manager');
  const created = await createUser(db, systemActor, {
    username: 'auditor-two',
    displayName: 'Ada Auditor',
    role: 'auditor',
    siteIds: [],
    password: 'a-long-test-password',
  });
  const secondAuditor: Actor = { userId: created.id, username: 'auditor-two', role: 'auditor', siteIds: [] };
  const days = (await recordPastSessions(db, ngt, recorded)).map((r) => r.date).sort();
  const { id: auditId } = await openAudit(db, auditor, { siteId: ngt, programmeId: 'core-sotp', ...(period ?? { from: days[0], to: days.at(-1)! }) });
  const { recordingIds: sampled } = await drawAuditSample(db, auditor, auditId, { seed: 5, version: 1 });
  return { auditor, secondAuditor, manager, ngt, auditId, sampled };
}
