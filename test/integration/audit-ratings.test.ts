// The audit's judgements in the services (issue 13): two auditors rating at once never overwrite each other; only
// the treatment manager named for the site's programme responds, not any manager of the site; actions are due today
// or later; a closed audit takes nothing more; the site marks its actions done, the auditor cannot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditActions, auditRatings, audits } from '../../src/db/schema.js';
import { systemActor, type Actor } from '../../src/services/access.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { closeAudit, completeAuditAction, respondToAudit } from '../../src/services/qa/action-plan.js';
import { rateAudit } from '../../src/services/qa/ratings.js';
import { recordRecordingReview } from '../../src/services/qa/recording-reviews.js';
import { openRecording } from '../../src/services/recordings.js';
import { addDays, londonToday } from '../../src/services/scheduling.js';
import { createUser } from '../../src/services/users.js';
import { auditInProgress } from '../support/audits.js';
import { testDatabase } from '../support/database.js';

let database: Database;
let auditor: Actor;
let secondAuditor: Actor;
let manager: Actor;
let ngt: number;
let auditId: number;
let sampled: number[];

const version = async () => (await database.db.select({ v: audits.version }).from(audits).where(eq(audits.id, auditId)))[0].v;
const status = async () => (await database.db.select({ s: audits.status }).from(audits).where(eq(audits.id, auditId)))[0].s;
const ratingsInput = async (level: string) => ({
  version: await version(),
  level_delivery: level,
  evidence_delivery: 'Seen in the recordings',
  cites_delivery: [`recording:${sampled[0]}`],
  level_treatment_management: level,
  evidence_treatment_management: 'Seen in the recordings',
  cites_treatment_management: [`recording:${sampled[1]}`],
});

before(async () => {
  database = await testDatabase({ demo: true });
  const db = database.db;
  ({ auditor, secondAuditor, manager, ngt, auditId, sampled } = await auditInProgress(db, 3));
  for (const id of sampled) {
    // Playing it in sotp is what makes notes on it acceptable.
    await openRecording(db, auditor, id, { fileStoreDir: '/nowhere', countsAsView: true, via: 'page' });
    await recordRecordingReview(db, auditor, auditId, id, { notes: 'Delivered as the manual intends', version: 0 });
  }
});
after(() => database.close());

test('two auditors rating the same audit at once: one rating is kept whole, the other is told of the conflict', async () => {
  // Both read the audit at the same version before either saves.
  const [first, second] = [await ratingsInput('meets'), await ratingsInput('does_not_meet')];
  const [a, b] = await Promise.allSettled([rateAudit(database.db, auditor, auditId, first), rateAudit(database.db, secondAuditor, auditId, second)]);
  const outcomes = [a, b].map((o) => o.status);
  assert.deepEqual(outcomes.sort(), ['fulfilled', 'rejected']);
  const refused = [a, b].find((o) => o.status === 'rejected') as PromiseRejectedResult;
  assert.ok(refused.reason instanceof EditConflict, String(refused.reason));
  const kept = await database.db.select().from(auditRatings).where(eq(auditRatings.auditId, auditId));
  assert.equal(kept.length, 2);
  assert.equal(new Set(kept.map((r) => r.level)).size, 1, 'both criteria come from the same auditor’s rating');
  assert.equal(await status(), 'rated');
});

test('a treatment manager of the site who is not the one named for its programme may not respond, and nothing is saved', async () => {
  const created = await createUser(database.db, systemActor, {
    username: 'manager-deputy',
    displayName: 'Dee Deputy',
    role: 'treatment_manager',
    siteIds: [ngt],
    password: 'a-long-test-password',
  });
  const deputy: Actor = { userId: created.id, username: 'manager-deputy', role: 'treatment_manager', siteIds: [ngt] };
  await assert.rejects(
    respondToAudit(database.db, deputy, auditId, { version: await version(), response: 'Accepted', actions: [] }),
    (e: unknown) => e instanceof AccessDenied && /^Only the site’s treatment manager for this programme \(.+\) may do this$/.test(e.message),
  );
  assert.equal(await status(), 'rated');
});

test('an action due before today is refused naming its due date, and nothing is saved', async () => {
  await assert.rejects(
    respondToAudit(database.db, manager, auditId, {
      version: await version(),
      response: 'Accepted',
      actions: [
        { description: 'Train', owner: 'TM', dueOn: addDays(londonToday(), 10) },
        { description: 'Observe', owner: 'TM', dueOn: addDays(londonToday(), -1) },
      ],
    }),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'actions.1.dueOn',
  );
  assert.equal((await database.db.select().from(auditActions)).length, 0);
  assert.equal(await status(), 'rated');
});

test('once closed, the audit takes no more notes, ratings or responses; the site marks its actions done, the auditor cannot', async () => {
  await respondToAudit(database.db, manager, auditId, {
    version: await version(),
    response: 'Accepted',
    actions: [{ description: 'Observe each facilitator', owner: 'Treatment manager', dueOn: addDays(londonToday(), 30) }],
  });
  await closeAudit(database.db, auditor, auditId, { version: await version(), agreed: 'yes' });
  assert.equal(await status(), 'closed');
  await assert.rejects(
    recordRecordingReview(database.db, auditor, auditId, sampled[0], { notes: 'More', version: 1 }),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'audit',
  );
  await assert.rejects(
    rateAudit(database.db, auditor, auditId, await ratingsInput('meets')),
    (e: unknown) => e instanceof ValidationFailed && /closed/.test(e.message),
  );
  const [action] = await database.db.select().from(auditActions).where(eq(auditActions.auditId, auditId));
  await assert.rejects(completeAuditAction(database.db, auditor, action.id, { version: action.version }), AccessDenied);
  await completeAuditAction(database.db, manager, action.id, { version: action.version });
  const [done] = await database.db.select().from(auditActions).where(eq(auditActions.id, action.id));
  assert.equal(done.completedOn, londonToday());
});
