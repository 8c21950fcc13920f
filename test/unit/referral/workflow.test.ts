import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roles, type Role } from '../../../src/domain/roles.js';
import {
  applyTransition,
  availableTransitions,
  recordsCompletionFrom,
  conflictingReferral,
  findMembershipDisagreements,
  inGroupStatuses,
  resumeStatus,
  referralStatuses,
  referralTransitions,
  statusBeforeHold,
  type ReferralStatusId,
  type ReferralSummary,
  type ReferralTransition,
  type TransitionRefusal,
} from '../../../src/domain/referral/workflow.js';

const go = (status: ReferralStatusId, transition: string, role: Role, reason?: string, previous?: ReferralStatusId, byCompletionRecord = false) =>
  applyTransition({ status }, transition, { role }, reason, previous, byCompletionRecord);

function movesTo(outcome: ReturnType<typeof go>): ReferralStatusId {
  assert.ok(outcome.ok, `expected the transition to be allowed, got ${JSON.stringify(outcome)}`);
  return outcome.status;
}
function refusedWith(outcome: ReturnType<typeof go>): TransitionRefusal {
  assert.equal(outcome.ok, false, 'expected a refusal');
  return (outcome as Extract<typeof outcome, { ok: false }>).refusal;
}

// Generated from the table: every transition, from every status it leaves, for every role allowed and every role refused.
for (const t of referralTransitions as readonly ReferralTransition[]) {
  const refusedRoles = roles.filter((r) => !(t.roles as readonly Role[]).includes(r));
  test(`transition ${t.id} has at least one allowed and one refused role`, () => {
    assert.ok(t.roles.length > 0);
    assert.ok(refusedRoles.length > 0);
  });
  for (const from of t.from) {
    const previous: ReferralStatusId = 'awaiting_allocation';
    const expected = t.to === 'status_before_hold' ? previous : t.to;
    for (const role of t.roles) {
      test(`${t.id}: a ${role} may move a referral from ${from} to ${expected}`, () => {
        assert.equal(movesTo(go(from, t.id, role, 'A reason.', previous, t.byCompletionRecord)), expected);
      });
    }
    for (const role of refusedRoles) {
      test(`${t.id}: a ${role} may not make it from ${from}`, () => {
        assert.equal(refusedWith(go(from, t.id, role, 'A reason.', previous)), 'not_allowed_for_role');
      });
    }
  }
}

// Hand-written from the wording, so the table itself is checked.
const samples: [string, ReferralStatusId, string, Role, ReferralStatusId | TransitionRefusal][] = [
  ['a treatment manager submits a referral', 'draft', 'submit', 'treatment_manager', 'submitted'],
  ['an administrator may not submit a referral', 'draft', 'submit', 'administrator', 'not_allowed_for_role'],
  ['an assessor starts an assessment', 'awaiting_assessment', 'start_assessment', 'assessor', 'assessment_started'],
  ['a facilitator may not start an assessment', 'awaiting_assessment', 'start_assessment', 'facilitator', 'not_allowed_for_role'],
  ['an assessor records a man as assessed suitable', 'assessment_started', 'record_suitable', 'assessor', 'assessed_suitable'],
  ['a treatment manager may record an assessment outcome too', 'assessment_started', 'record_not_suitable', 'treatment_manager', 'not_suitable'],
  ['an administrator may not record an assessment outcome', 'assessment_started', 'record_not_eligible', 'administrator', 'not_allowed_for_role'],
  ['an assessor may not allocate a man to a group', 'awaiting_allocation', 'allocate', 'assessor', 'not_allowed_for_role'],
  ['a treatment manager allocates a man to a group', 'awaiting_allocation', 'allocate', 'treatment_manager', 'allocated'],
  ['a facilitator may not start a man on the programme', 'allocated', 'start_programme', 'facilitator', 'not_allowed_for_role'],
  ['a treatment manager starts a man on the programme', 'allocated', 'start_programme', 'treatment_manager', 'on_programme'],
  [
    'programme complete is not a bare referral action: the completion record makes it',
    'on_programme',
    'complete_programme',
    'treatment_manager',
    'needs_completion_record',
  ],
  ['a facilitator may not deselect a man', 'on_programme', 'deselect', 'facilitator', 'not_allowed_for_role'],
  ['deselection is not a bare referral action: the completion record makes it', 'on_programme', 'deselect', 'treatment_manager', 'needs_completion_record'],
  ['an assessor may not withdraw a referral', 'awaiting_assessment', 'withdraw', 'assessor', 'not_allowed_for_role'],
  ['an auditor may not withdraw a referral', 'submitted', 'withdraw', 'auditor', 'not_allowed_for_role'],
  ['a researcher may not put a referral on hold', 'submitted', 'put_on_hold', 'researcher', 'not_allowed_for_role'],
  ['a man suitable but not ready returns to awaiting assessment when ready', 'suitable_not_ready', 'return_for_assessment', 'assessor', 'awaiting_assessment'],
  ['a draft cannot be allocated', 'draft', 'allocate', 'treatment_manager', 'not_from_this_status'],
  ['a draft cannot be put on hold', 'draft', 'put_on_hold', 'treatment_manager', 'not_from_this_status'],
  ['a referral on hold cannot be put on hold again', 'on_hold', 'put_on_hold', 'treatment_manager', 'not_from_this_status'],
  ['a completed programme cannot be withdrawn: the referral is closed', 'programme_complete', 'withdraw', 'treatment_manager', 'closed'],
  ['a deselected man cannot be taken back on: the referral is closed', 'deselected', 'start_programme', 'treatment_manager', 'closed'],
  ['an action that does not exist is refused', 'draft', 'approve', 'treatment_manager', 'unknown_transition'],
];
for (const [rule, from, transition, role, expected] of samples) {
  test(rule, () => {
    const outcome = go(from, transition, role, 'A reason.');
    assert.equal(outcome.ok ? outcome.status : outcome.refusal, expected);
  });
}

test('completion and deselection are made only by the completion record: never offered as referral actions, allowed when it makes them', () => {
  const offered = availableTransitions('on_programme', 'treatment_manager').map((t) => t.id);
  assert.ok(!offered.includes('complete_programme') && !offered.includes('deselect'), offered.join());
  assert.ok(offered.includes('withdraw'), 'other actions are still offered');
  assert.equal(recordsCompletionFrom('on_programme', 'treatment_manager'), true);
  assert.equal(recordsCompletionFrom('allocated', 'treatment_manager'), false);
  assert.equal(recordsCompletionFrom('on_programme', 'facilitator'), false);
  assert.equal(movesTo(go('on_programme', 'complete_programme', 'treatment_manager', undefined, undefined, true)), 'programme_complete');
  assert.equal(movesTo(go('on_programme', 'deselect', 'treatment_manager', 'Disruptive', undefined, true)), 'deselected');
});

test('administrators, facilitators, auditors and researchers make no referral transition at all', () => {
  for (const role of ['administrator', 'facilitator', 'auditor', 'researcher'] as const) {
    for (const s of referralStatuses) assert.deepEqual(availableTransitions(s.id, role), [], `${role} from ${s.id}`);
  }
});

test('a reason is required to record not eligible, not suitable, suitable not ready, to remove from a group, to deselect, to put on hold and to withdraw — and only then', () => {
  const needingReason = referralTransitions
    .filter((t) => t.reasonRequired)
    .map((t) => t.id)
    .sort();
  assert.deepEqual(needingReason, [
    'deselect',
    'put_on_hold',
    'record_not_eligible',
    'record_not_suitable',
    'record_suitable_not_ready',
    'remove_from_group',
    'withdraw',
  ]);
  for (const t of referralTransitions.filter((x) => x.reasonRequired)) {
    assert.equal(refusedWith(go(t.from[0], t.id, 'treatment_manager', undefined, undefined, true)), 'reason_required', t.id);
    assert.equal(refusedWith(go(t.from[0], t.id, 'treatment_manager', '   ', undefined, true)), 'reason_required', `${t.id} with a blank reason`);
  }
});

test('the closed statuses are not eligible, not suitable, programme complete, deselected and withdrawn, and have no way out', () => {
  const closed = referralStatuses
    .filter((s) => !s.open)
    .map((s) => s.id)
    .sort();
  assert.deepEqual(closed, ['deselected', 'not_eligible', 'not_suitable', 'programme_complete', 'withdrawn']);
  for (const status of closed) {
    assert.deepEqual(
      referralTransitions.filter((t) => (t.from as readonly string[]).includes(status)),
      [],
      status,
    );
    assert.equal(refusedWith(go(status, 'withdraw', 'treatment_manager', 'A reason.')), 'closed');
  }
});

test('a referral can be withdrawn from every open status', () => {
  const open: ReferralStatusId[] = [
    'draft',
    'submitted',
    'awaiting_assessment',
    'assessment_started',
    'suitable_not_ready',
    'assessed_suitable',
    'awaiting_allocation',
    'allocated',
    'on_programme',
    'on_hold',
  ];
  assert.deepEqual(
    referralStatuses
      .filter((s) => s.open)
      .map((s) => s.id)
      .sort(),
    [...open].sort(),
  );
  for (const status of open) assert.equal(movesTo(go(status, 'withdraw', 'treatment_manager', 'Transferred to another prison.')), 'withdrawn');
});

test('a referral put on hold returns to the status it came from, taken from its history', () => {
  const history: ReferralStatusId[] = ['draft', 'submitted', 'awaiting_assessment', 'assessment_started', 'assessed_suitable', 'awaiting_allocation'];
  const held = movesTo(go('awaiting_allocation', 'put_on_hold', 'treatment_manager', 'In hospital.'));
  assert.equal(held, 'on_hold');
  history.push(held);
  assert.equal(statusBeforeHold(history), 'awaiting_allocation');
  assert.equal(movesTo(go('on_hold', 'resume', 'treatment_manager', undefined, statusBeforeHold(history))), 'awaiting_allocation');
});

test('taking a referral off hold back onto the waitlist starts his waiting again; back to assessment it does not', () => {
  const resumed = (before: ReferralStatusId) => {
    const outcome = go('on_hold', 'resume', 'treatment_manager', undefined, before);
    assert.ok(outcome.ok);
    return outcome.effects;
  };
  assert.deepEqual(resumed('awaiting_allocation'), ['starts_waiting']);
  assert.deepEqual(resumed('allocated'), ['starts_waiting'], 'held while in a group, he returns to the waitlist');
  assert.deepEqual(resumed('awaiting_assessment'), []);
});

test('taking a referral off hold needs the status before the hold', () => {
  assert.equal(refusedWith(go('on_hold', 'resume', 'treatment_manager')), 'previous_status_required');
  assert.equal(refusedWith(go('on_hold', 'resume', 'treatment_manager', undefined, 'programme_complete')), 'previous_status_required');
});

test('the status before the latest hold is found when a referral was held twice', () => {
  assert.equal(statusBeforeHold(['submitted', 'on_hold', 'submitted', 'awaiting_assessment', 'on_hold']), 'awaiting_assessment');
  assert.equal(statusBeforeHold(['draft', 'submitted']), undefined);
});

test('the whole way through: draft to programme complete', () => {
  const steps: [string, Role, ReferralStatusId][] = [
    ['submit', 'treatment_manager', 'submitted'],
    ['accept_for_assessment', 'treatment_manager', 'awaiting_assessment'],
    ['start_assessment', 'assessor', 'assessment_started'],
    ['record_suitable', 'assessor', 'assessed_suitable'],
    ['add_to_waitlist', 'treatment_manager', 'awaiting_allocation'],
    ['allocate', 'treatment_manager', 'allocated'],
    ['start_programme', 'treatment_manager', 'on_programme'],
    ['complete_programme', 'treatment_manager', 'programme_complete'],
  ];
  let status: ReferralStatusId = 'draft';
  for (const [transition, role, expected] of steps) {
    status = movesTo(go(status, transition, role, undefined, undefined, transition === 'complete_programme'));
    assert.equal(status, expected);
  }
});

test('statuses have snake_case ids, sentence-case labels and a GOV.UK tag colour', () => {
  assert.equal(new Set(referralStatuses.map((s) => s.id)).size, referralStatuses.length);
  for (const s of referralStatuses) {
    assert.match(s.id, /^[a-z]+(_[a-z]+)*$/);
    assert.match(s.label, /^[A-Z][a-z ]*$/, s.label);
    assert.match(s.tag, /^govuk-tag--(grey|green|turquoise|blue|light-blue|purple|pink|red|orange|yellow)$/);
  }
});

test('every transition has a button label and a confirmation question', () => {
  assert.equal(new Set(referralTransitions.map((t) => t.id)).size, referralTransitions.length);
  for (const t of referralTransitions) {
    assert.ok(t.label.length > 0);
    assert.match(t.confirmation, /\?/);
  }
});

test('an assessor sees start assessment, and nothing to do with the waitlist', () => {
  assert.deepEqual(
    availableTransitions('awaiting_assessment', 'assessor').map((t) => t.id),
    ['start_assessment'],
  );
  assert.deepEqual(
    availableTransitions('awaiting_allocation', 'assessor').map((t) => t.id),
    [],
  );
  assert.deepEqual(
    availableTransitions('awaiting_allocation', 'treatment_manager').map((t) => t.id),
    ['allocate', 'put_on_hold', 'withdraw'],
  );
});

const existing: ReferralSummary[] = [
  { id: 'r1', personId: 'p1', programmeId: 'core-sotp', status: 'withdrawn' },
  { id: 'r2', personId: 'p1', programmeId: 'core-sotp', status: 'awaiting_assessment' },
  { id: 'r3', personId: 'p2', programmeId: 'core-sotp', status: 'programme_complete' },
  { id: 'r4', personId: 'p3', programmeId: 'other', status: 'submitted' },
];
test('a second open referral of the same man to the same programme is refused, naming the open one', () => {
  assert.equal(conflictingReferral(existing, { personId: 'p1', programmeId: 'core-sotp' })?.id, 'r2');
});
test('a man whose earlier referrals are closed may be referred again', () => {
  assert.equal(conflictingReferral(existing, { personId: 'p2', programmeId: 'core-sotp' }), undefined);
});
test('an open referral to another programme does not block a referral to this one', () => {
  assert.equal(conflictingReferral(existing, { personId: 'p3', programmeId: 'core-sotp' }), undefined);
});
test('a referral does not conflict with itself', () => {
  assert.equal(conflictingReferral(existing, { id: 'r2', personId: 'p1', programmeId: 'core-sotp' }), undefined);
});

// ---- group membership (issue 8): the rule is in the table's effects, checked here from the wording.

test('the statuses that need a current group membership are allocated and on programme', () => {
  assert.deepEqual([...inGroupStatuses].sort(), ['allocated', 'on_programme']);
});

test('the only way into an allocated status is allocation to a named group', () => {
  const into = referralTransitions.filter(
    (t) => t.to !== 'status_before_hold' && inGroupStatuses.includes(t.to) && !t.from.every((f) => inGroupStatuses.includes(f)),
  );
  assert.deepEqual(
    into.map((t) => t.id),
    ['allocate'],
  );
  assert.ok((into[0].effects as readonly string[]).includes('joins_group'));
});

test('every transition out of an allocated status ends the group membership', () => {
  for (const t of referralTransitions) {
    const leavesGroupStatus = t.from.some((f) => inGroupStatuses.includes(f)) && (t.to === 'status_before_hold' || !inGroupStatuses.includes(t.to));
    if (!leavesGroupStatus) continue;
    assert.ok((t.effects as readonly string[]).includes('leaves_group'), `${t.id} must end the membership`);
  }
  const staying = referralTransitions.filter(
    (t) => t.to !== 'status_before_hold' && inGroupStatuses.includes(t.to) && t.from.every((f) => inGroupStatuses.includes(f)),
  );
  assert.deepEqual(
    staying.map((t) => t.id),
    ['start_programme'],
    'starting the programme keeps him in his group',
  );
});

test('a treatment manager removes a man from his group: the referral goes back to awaiting allocation', () => {
  assert.equal(movesTo(go('allocated', 'remove_from_group', 'treatment_manager', 'Moved wings.')), 'awaiting_allocation');
  assert.equal(movesTo(go('on_programme', 'remove_from_group', 'treatment_manager', 'Moved wings.')), 'awaiting_allocation');
  assert.equal(refusedWith(go('on_programme', 'remove_from_group', 'facilitator', 'Moved wings.')), 'not_allowed_for_role');
});

test('taking a referral off hold never lands in an allocated status: a man held while in a group returns to awaiting allocation', () => {
  assert.equal(resumeStatus('allocated'), 'awaiting_allocation');
  assert.equal(resumeStatus('on_programme'), 'awaiting_allocation');
  assert.equal(resumeStatus('assessed_suitable'), 'assessed_suitable');
  assert.equal(movesTo(go('on_hold', 'resume', 'treatment_manager', undefined, 'on_programme')), 'awaiting_allocation');
});

test('moving to the waitlist or into a group needs eligibility; nothing else does', () => {
  const gated = referralTransitions.filter((t) => (t.effects as readonly string[]).includes('requires_eligibility')).map((t) => t.id);
  assert.deepEqual(gated, ['add_to_waitlist', 'allocate']);
});

test('the consistency check finds a referral allocated to no group, a member whose referral is not allocated, and a group of another programme', () => {
  const found = findMembershipDisagreements([
    { referralId: 4, status: 'allocated', programmeId: 'core-sotp', groups: [] },
    { referralId: 2, status: 'awaiting_allocation', programmeId: 'core-sotp', groups: [{ groupId: 9, programmeId: 'core-sotp' }] },
    { referralId: 3, status: 'on_programme', programmeId: 'core-sotp', groups: [{ groupId: 7, programmeId: 'other' }] },
    { referralId: 5, status: 'on_programme', programmeId: 'core-sotp', groups: [{ groupId: 9, programmeId: 'core-sotp' }] },
    { referralId: 6, status: 'programme_complete', programmeId: 'core-sotp', groups: [] },
    {
      referralId: 8,
      status: 'allocated',
      programmeId: 'core-sotp',
      groups: [
        { groupId: 9, programmeId: 'core-sotp' },
        { groupId: 10, programmeId: 'core-sotp' },
      ],
    },
  ]);
  assert.deepEqual(
    found.map((d) => d.referralId),
    [2, 3, 4, 8],
  );
  assert.match(found.find((d) => d.referralId === 4)!.problem, /no group/);
  assert.match(found.find((d) => d.referralId === 2)!.problem, /group 9/);
  assert.match(found.find((d) => d.referralId === 3)!.problem, /another programme/);
});
