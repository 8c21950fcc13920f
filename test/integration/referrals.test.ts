import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { auditLog, programmeGroups, programmeVersions, referralHistory, referrals, rooms } from '../../src/db/schema.js';
import { referralStatuses, referralTransitions, type ReferralStatusId, type ReferralTransition } from '../../src/domain/referral/workflow.js';
import type { Role } from '../../src/domain/roles.js';
import type { Actor } from '../../src/services/access.js';
import { AccessDenied, EditConflict, ValidationFailed } from '../../src/services/errors.js';
import { recordEligibilityOverride } from '../../src/services/eligibility.js';
import { addConviction, createPerson } from '../../src/services/people.js';
import { createReferral, getReferral, transitionReferral } from '../../src/services/referrals.js';
import { scorePerson } from '../../src/services/risk-scores.js';
import { listWaitlist } from '../../src/services/waitlist.js';
import { listCaseload } from '../../src/services/caseload.js';
import { testDatabase } from '../support/database.js';
import { actorOf, siteIdOf } from '../support/actors.js';

let database: Database;
const actors = {} as Record<'manager' | 'manager2' | 'assessor' | 'facilitator' | 'auditor' | 'researcher', Actor>;
let ngt: number;
let serial = 0;

before(async () => {
  database = await testDatabase({ demo: true });
  for (const name of ['manager', 'manager2', 'assessor', 'facilitator', 'auditor', 'researcher'] as const) actors[name] = await actorOf(database.db, name);
  ngt = await siteIdOf(database.db, 'NGT');
});
after(() => database.close());

/** A man who meets every Core SOTP criterion but risk (IQ over 80, a contact sexual conviction); referralAt scores him. */
async function newMan(over: Record<string, unknown> = {}) {
  serial += 1;
  const man = await createPerson(database.db, actors.manager, {
    prisonNumber: `Z${String(1000 + serial)}ZZ`,
    givenName: 'Testy',
    familyName: `Fictional${serial}`,
    dateOfBirth: '1980-05-17',
    sex: 'male',
    siteId: ngt,
    iqScore: 100,
    iqTest: 'WAIS-IV',
    iqDate: '2024-01-10',
    ...over,
  });
  await addConviction(database.db, actors.assessor, man.id, { convictionDate: '2015-01-01', offence: 'Sexual assault', category: 'sexual_contact' });
  return man;
}

/** A fresh Core SOTP group at Northgate with ten free places (straight into the table: planning is tested elsewhere). */
async function groupWithPlaces(): Promise<number> {
  serial += 1;
  const [room] = await database.db.select().from(rooms).where(eq(rooms.siteId, ngt));
  const [version] = await database.db.select().from(programmeVersions).where(eq(programmeVersions.programmeId, 'core-sotp'));
  const [group] = await database.db
    .insert(programmeGroups)
    .values({
      name: `Referral test group ${serial}`,
      programmeVersionId: version.id,
      siteId: ngt,
      roomId: room.id,
      capacity: 10,
      earliestStart: '2027-01-04',
      treatmentManagerId: actors.manager.userId!,
    })
    .returning();
  return group.id;
}

// Paths from draft, written by hand (not derived from the table under test).
const pathTo: Record<string, string[]> = {
  draft: [],
  submitted: ['submit'],
  awaiting_assessment: ['submit', 'accept_for_assessment'],
  assessment_started: ['submit', 'accept_for_assessment', 'start_assessment'],
  suitable_not_ready: ['submit', 'accept_for_assessment', 'start_assessment', 'record_suitable_not_ready'],
  assessed_suitable: ['submit', 'accept_for_assessment', 'start_assessment', 'record_suitable'],
  awaiting_allocation: ['submit', 'accept_for_assessment', 'start_assessment', 'record_suitable', 'add_to_waitlist'],
  allocated: ['submit', 'accept_for_assessment', 'start_assessment', 'record_suitable', 'add_to_waitlist', 'allocate'],
  on_programme: ['submit', 'accept_for_assessment', 'start_assessment', 'record_suitable', 'add_to_waitlist', 'allocate', 'start_programme'],
  on_hold: ['submit', 'put_on_hold'],
  withdrawn: ['withdraw'],
  not_eligible: ['submit', 'accept_for_assessment', 'start_assessment', 'record_not_eligible'],
};

/**
 * A referral walked to `status`. He is scored (RM2000/S medium unless `score` says otherwise) so that he is
 * eligible; `score: null` leaves him unscored (undetermined), and a treatment manager's override lets him on.
 */
async function referralAt(status: string, over: Record<string, unknown> = {}, score: ReturnType<typeof rm> | null = rm(30, 1, 1)) {
  const man = await newMan(over);
  if (score) await scorePerson(database.db, actors.assessor, man.id, 'rm2000s', score, '2026-01-01');
  else
    await recordEligibilityOverride(
      database.db,
      actors.manager,
      man.id,
      'core-sotp',
      { result: 'eligible', reason: 'Scoring booked; clinically suitable' },
      '2026-01-01',
    );
  let r = await createReferral(database.db, actors.manager, { personId: man.id, programmeId: 'core-sotp' });
  for (const t of pathTo[status]) {
    const groupId = t === 'allocate' ? await groupWithPlaces() : undefined;
    r = await transitionReferral(database.db, actors.manager, r.id, t, { reason: 'Reason for the record', version: r.version, groupId });
  }
  assert.equal(r.status, status);
  return r;
}

describe('every transition of the workflow table, for an allowed and a refused role', () => {
  const candidates: Role[] = ['assessor', 'facilitator', 'auditor', 'treatment_manager'];
  const actorFor: Record<string, () => Actor> = {
    treatment_manager: () => actors.manager,
    assessor: () => actors.assessor,
    facilitator: () => actors.facilitator,
    auditor: () => actors.auditor,
  };
  // Completion and deselection are made by the completion record (services/progress.ts), which these calls stand in for.
  for (const t of referralTransitions as readonly ReferralTransition[]) {
    const viaCompletion = t.byCompletionRecord === true;
    const from = t.from[0];
    const refusedRole = candidates.find((r) => !(t.roles as readonly Role[]).includes(r))!;
    const allowedRole = t.roles[0];
    test(`${t.id}: refused to the ${refusedRole} role, made by the ${allowedRole} role from ${from}`, async () => {
      const r = await referralAt(from);
      await assert.rejects(
        transitionReferral(database.db, actorFor[refusedRole](), r.id, t.id, { reason: 'A reason', version: r.version }, undefined, viaCompletion),
        AccessDenied,
      );
      const groupId = (t.effects as readonly string[]).includes('joins_group') ? await groupWithPlaces() : undefined;
      const moved = await transitionReferral(
        database.db,
        actorFor[allowedRole](),
        r.id,
        t.id,
        { reason: 'A reason', version: r.version, groupId },
        undefined,
        viaCompletion,
      );
      const expected = t.to === 'status_before_hold' ? 'submitted' : t.to; // on_hold was reached from submitted
      assert.equal(moved.status, expected);
      assert.equal(moved.version, r.version + 1);
    });
  }
});

test('transitions that need a reason are refused without one, naming the reason field', async () => {
  for (const t of (referralTransitions as readonly ReferralTransition[]).filter((x) => x.reasonRequired)) {
    const r = await referralAt(t.from[0]);
    for (const reason of [undefined, '', '   ']) {
      const attempt = transitionReferral(database.db, actors.manager, r.id, t.id, { reason, version: r.version }, undefined, t.byCompletionRecord === true);
      await assert.rejects(attempt, (e: unknown) => {
        assert.ok(e instanceof ValidationFailed, `${t.id}: ${String(e)}`);
        assert.equal(e.errors[0].field, 'reason');
        return true;
      });
    }
    const [row] = await database.db.select().from(referrals).where(eq(referrals.id, r.id));
    assert.equal(row.status, t.from[0]);
  }
});

test('a closed referral has no way out, whatever the transition', async () => {
  for (const closed of ['withdrawn', 'not_eligible'] as const) {
    const r = await referralAt(closed);
    for (const t of referralTransitions) {
      await assert.rejects(transitionReferral(database.db, actors.manager, r.id, t.id, { reason: 'A reason', version: r.version }), (e: unknown) => {
        assert.ok(e instanceof ValidationFailed, `${t.id} from ${closed}`);
        assert.equal(e.errors[0].field, 'transition');
        return true;
      });
    }
  }
  assert.deepEqual(
    referralStatuses
      .filter((s) => !s.open)
      .map((s) => s.id)
      .sort(),
    ['deselected', 'not_eligible', 'not_suitable', 'programme_complete', 'withdrawn'],
  );
});

test('a stale version is a conflict and changes nothing', async () => {
  const r = await referralAt('submitted');
  await transitionReferral(database.db, actors.manager, r.id, 'accept_for_assessment', { version: r.version });
  await assert.rejects(transitionReferral(database.db, actors.manager, r.id, 'withdraw', { reason: 'x', version: r.version }), EditConflict);
  const [row] = await database.db.select().from(referrals).where(eq(referrals.id, r.id));
  assert.equal(row.status, 'awaiting_assessment');
});

test('every change writes a history row (who, from, to, reason) and an audit entry in the same transaction', async () => {
  const r = await referralAt('submitted');
  await transitionReferral(database.db, actors.manager, r.id, 'put_on_hold', { reason: 'Moved to healthcare', version: r.version });
  const history = await database.db.select().from(referralHistory).where(eq(referralHistory.referralId, r.id)).orderBy(asc(referralHistory.id));
  assert.deepEqual(
    history.map((h) => [h.fromStatus, h.toStatus, h.transition, h.actor, h.reason]),
    [
      [null, 'draft', null, 'manager', null],
      ['draft', 'submitted', 'submit', 'manager', 'Reason for the record'],
      ['submitted', 'on_hold', 'put_on_hold', 'manager', 'Moved to healthcare'],
    ],
  );
  const audits = await database.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.subjectId, String(r.id)));
  assert.equal(audits.filter((a) => a.subjectType === 'referral' && a.action === 'referral.transitioned').length, 2);
  assert.ok(
    audits.every((a) => !JSON.stringify(a.details).includes('healthcare')),
    'free-text reasons stay out of the audit log',
  );
});

test('taking a referral off hold returns it to the status it had before the hold', async () => {
  let r = await referralAt('awaiting_allocation');
  r = await transitionReferral(database.db, actors.manager, r.id, 'put_on_hold', { reason: 'Adjudication', version: r.version });
  r = await transitionReferral(database.db, actors.manager, r.id, 'resume', { version: r.version });
  assert.equal(r.status, 'awaiting_allocation');
});

test('a man taken off hold back onto the waitlist waits from the day he returns, not from before the hold', async () => {
  let r = await referralAt('awaiting_allocation');
  const joined = r.waitlistedAt!;
  r = await transitionReferral(database.db, actors.manager, r.id, 'put_on_hold', { reason: 'Adjudication', version: r.version });
  assert.equal(r.waitlistedAt?.getTime(), joined.getTime(), 'the hold itself does not touch his waiting');
  const [{ heldAt }] = await database.db.select({ heldAt: referrals.statusChangedAt }).from(referrals).where(eq(referrals.id, r.id));
  r = await transitionReferral(database.db, actors.manager, r.id, 'resume', { version: r.version });
  assert.ok(r.waitlistedAt! > heldAt, 'waiting restarts when he comes off hold');
});

test('a second open referral of the same man to the same programme is refused, naming the first', async () => {
  const man = await newMan();
  const first = await createReferral(database.db, actors.manager, { personId: man.id, programmeId: 'core-sotp', submit: 'true' });
  assert.equal(first.status, 'submitted');
  await assert.rejects(createReferral(database.db, actors.manager, { personId: man.id, programmeId: 'core-sotp' }), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed);
    assert.equal(e.errors[0].field, 'programmeId');
    assert.match(e.errors[0].message, new RegExp(`referral ${first.id}\\b`));
    assert.doesNotMatch(e.errors[0].message, /\//, 'no raw path in the message');
    assert.equal(e.errors[0].link?.href, `/referrals/${first.id}`);
    return true;
  });
  // Once the first is closed, a new referral is allowed.
  await transitionReferral(database.db, actors.manager, first.id, 'withdraw', { reason: 'Transferred', version: first.version });
  const second = await createReferral(database.db, actors.manager, { personId: man.id, programmeId: 'core-sotp' });
  assert.notEqual(second.id, first.id);
});

test('entering awaiting allocation sets waitlisted_at', async () => {
  const r = await referralAt('assessed_suitable');
  assert.equal(r.waitlistedAt, null);
  const w = await transitionReferral(database.db, actors.manager, r.id, 'add_to_waitlist', { version: r.version });
  assert.ok(w.waitlistedAt instanceof Date);
});

test('a Southmoor manager cannot read, refer or move a Northgate referral; a researcher cannot read one', async () => {
  const r = await referralAt('submitted');
  await assert.rejects(getReferral(database.db, actors.manager2, r.id), AccessDenied);
  await assert.rejects(transitionReferral(database.db, actors.manager2, r.id, 'withdraw', { reason: 'x', version: r.version }), AccessDenied);
  await assert.rejects(createReferral(database.db, actors.manager2, { personId: r.personId, programmeId: 'core-sotp' }), AccessDenied);
  await assert.rejects(getReferral(database.db, actors.researcher, r.id), AccessDenied);
  await assert.rejects(listCaseload(database.db, actors.researcher, {}), AccessDenied);
  const seen = await listCaseload(database.db, actors.manager2, { pageSize: 100, q: 'Z' });
  assert.ok(seen.rows.every((row) => row.siteId !== ngt));
});

test('the referral page lists only the transitions the role may make; a facilitator cannot open the referral of a man outside his groups', async () => {
  const r = await referralAt('assessment_started');
  const asManager = await getReferral(database.db, actors.manager, r.id);
  await assert.rejects(getReferral(database.db, actors.facilitator, r.id), AccessDenied);
  assert.deepEqual(
    asManager.transitions.map((t) => t.id),
    ['record_not_eligible', 'record_not_suitable', 'record_suitable_not_ready', 'record_suitable', 'put_on_hold', 'withdraw'],
  );
});

const rm = (age: number, sexual: number, criminal: number) => ({
  ageAtCommencementOfRisk: age,
  sexualAppearances: sexual,
  criminalAppearances: criminal,
  maleVictim: false,
  strangerVictim: false,
  singleNeverMarried: false,
  nonContactSexualOffence: false,
});

test('the waitlist is ordered by risk, then earliest release, and warns when release comes before a group could end', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const addDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  // A programme run at its fastest takes 84 / 5 → 17 weeks = 119 days.
  const specs: Array<{ label: string; release: string | null; score: ReturnType<typeof rm> | null }> = [
    { label: 'medium-soon', release: addDays(60), score: rm(30, 1, 1) }, // 1 point: medium
    { label: 'veryhigh-late', release: addDays(2000), score: rm(20, 5, 6) }, // 6: very high
    { label: 'medium-later', release: addDays(400), score: rm(30, 1, 1) },
    { label: 'unscored', release: addDays(10), score: null },
    { label: 'high-norelease', release: null, score: rm(20, 2, 2) }, // 3: high
  ];
  const byId = new Map<number, string>();
  for (const s of specs) {
    const r = await referralAt('awaiting_allocation', { earliestReleaseDate: s.release ?? '', sentenceDate: '2015-01-01' }, s.score);
    byId.set(r.id, s.label);
  }
  const list = await listWaitlist(database.db, actors.manager, { siteId: ngt, programmeId: 'core-sotp', today });
  const mine = list.entries.filter((e) => byId.has(e.referralId));
  assert.deepEqual(
    mine.map((e) => byId.get(e.referralId)),
    ['veryhigh-late', 'high-norelease', 'medium-soon', 'medium-later', 'unscored'],
  );
  assert.deepEqual(
    mine.map((e) => e.releaseBeforeGroupEnds),
    [false, false, true, false, true],
  );
  assert.ok(mine.every((e) => e.daysWaiting === 0));
  await assert.rejects(listWaitlist(database.db, actors.manager2, { siteId: ngt, programmeId: 'core-sotp', today }), AccessDenied);
});

test('the caseload filters by status and risk, searches by prison number and pages', async () => {
  const r = await referralAt('on_programme');
  await scorePerson(database.db, actors.assessor, r.personId, 'rm2000s', rm(20, 5, 6), '2026-01-01');
  const page = await listCaseload(database.db, actors.manager, { status: 'on_programme', risk: 'very_high', pageSize: 100 });
  assert.ok(page.rows.some((row) => row.referralId === r.id));
  assert.ok(page.rows.every((row) => row.status === 'on_programme' && row.riskCategory === 'very_high'));
  const none = await listCaseload(database.db, actors.manager, { status: 'on_programme', risk: 'low', pageSize: 100 });
  assert.ok(!none.rows.some((row) => row.referralId === r.id));
  const all = await listCaseload(database.db, actors.manager, { pageSize: 2, page: 2, sort: 'name', order: 'asc' });
  assert.equal(all.rows.length, 2);
  assert.ok(all.total > 4);
  const full = await listCaseload(database.db, actors.manager, { pageSize: 100, sort: 'name', order: 'asc' });
  const names = full.rows.map((row) => row.familyName.toLowerCase());
  assert.deepEqual(names, [...names].sort());
  const beyond = await listCaseload(database.db, actors.manager, { pageSize: 100, page: 9999 });
  assert.deepEqual(beyond.rows, []);
  assert.equal(beyond.total, full.total, 'a page past the end still reports the total');
  const byRisk = await listCaseload(database.db, actors.manager, { pageSize: 100, sort: 'risk' });
  const rank = (c: string | null) => (c === null ? 0 : ['low', 'medium', 'high', 'very_high'].indexOf(c) + 1);
  const ranks = byRisk.rows.map((row) => rank(row.riskCategory));
  assert.deepEqual(
    ranks,
    [...ranks].sort((a, b) => b - a),
    'risk sorts very high first by default',
  );
  await assert.rejects(
    listCaseload(database.db, actors.manager, { sort: 'dob' }),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'sort',
  );
});

test('statuses in the table all have paths in this test (keeps the path table honest)', () => {
  for (const t of referralTransitions) assert.ok(t.from[0] in pathTo, `no path to ${t.from[0]}`);
  const reached = new Set(Object.keys(pathTo) as ReferralStatusId[]);
  assert.ok(reached.has('on_hold'));
});
