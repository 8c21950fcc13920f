import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assessEligibility,
  evaluateCriterion,
  overrideEligibility,
  type CriterionStatus,
  type EligibilityFacts,
} from '../../../src/domain/eligibility/eligibility.js';
import type { EligibilityCriterion } from '../../../src/domain/programme/definition.js';
import { findProgrammeDefinition } from '../../../src/programme-files.js';

const core = findProgrammeDefinition('core-sotp')!;

const eligibleMan: EligibilityFacts = {
  sex: 'male',
  age: 30,
  convictions: [{ category: 'sexual_contact', attempt: false }],
  riskCategories: { rm2000s: 'medium' },
  iq: 95,
  sexualMurder: false,
};

function statusOf(criterionId: string, changes: Partial<EligibilityFacts>, drop: (keyof EligibilityFacts)[] = []): CriterionStatus {
  const facts: EligibilityFacts = { ...eligibleMan, ...changes };
  for (const field of drop) delete facts[field];
  const outcome = assessEligibility(core, facts).criteria.find((c) => c.id === criterionId);
  assert.ok(outcome, `Core SOTP has a criterion ${criterionId}`);
  assert.ok(outcome.reason.length > 0);
  return outcome.status;
}

test('Core SOTP: a man of 30 convicted of a contact sexual offence, RM2000/S medium, IQ 95 is eligible', () => {
  const assessment = assessEligibility(core, eligibleMan);
  assert.equal(assessment.result, 'eligible');
  assert.deepEqual(
    assessment.criteria.map((c) => [c.id, c.status]),
    [
      ['male', 'met'],
      ['adult', 'met'],
      ['contact_sexual_conviction', 'met'],
      ['risk', 'met'],
      ['iq', 'met'],
    ],
  );
});

// [rule, criterion, changed facts, dropped facts, expected status]
const criterionTable: [string, string, Partial<EligibilityFacts>, (keyof EligibilityFacts)[], CriterionStatus][] = [
  ['a woman is not eligible: the programme is for men', 'male', { sex: 'female' }, [], 'not_met'],
  ['sex not recorded is unknown', 'male', {}, ['sex'], 'unknown'],
  ['a man aged 17 is under age', 'adult', { age: 17 }, [], 'not_met'],
  ['a man aged 18 is old enough', 'adult', { age: 18 }, [], 'met'],
  ['age not recorded is unknown', 'adult', {}, ['age'], 'unknown'],
  ['an attempted contact sexual offence counts', 'contact_sexual_conviction', { convictions: [{ category: 'sexual_contact', attempt: true }] }, [], 'met'],
  [
    'a non-contact sexual offence alone does not count',
    'contact_sexual_conviction',
    { convictions: [{ category: 'sexual_non_contact', attempt: false }] },
    [],
    'not_met',
  ],
  ['a violent offence alone does not count', 'contact_sexual_conviction', { convictions: [{ category: 'violent', attempt: false }] }, [], 'not_met'],
  [
    'an attempted non-contact offence does not count',
    'contact_sexual_conviction',
    { convictions: [{ category: 'sexual_non_contact', attempt: true }] },
    [],
    'not_met',
  ],
  [
    'one contact sexual offence among others counts',
    'contact_sexual_conviction',
    {
      convictions: [
        { category: 'burglary', attempt: false },
        { category: 'sexual_contact', attempt: false },
      ],
    },
    [],
    'met',
  ],
  ['no convictions at all is not met', 'contact_sexual_conviction', { convictions: [] }, [], 'not_met'],
  ['convictions not recorded is unknown', 'contact_sexual_conviction', {}, ['convictions'], 'unknown'],
  ['RM2000/S medium is eligible', 'risk', { riskCategories: { rm2000s: 'medium' } }, [], 'met'],
  ['RM2000/S high is eligible', 'risk', { riskCategories: { rm2000s: 'high' } }, [], 'met'],
  ['RM2000/S very high is eligible', 'risk', { riskCategories: { rm2000s: 'very_high' } }, [], 'met'],
  ['RM2000/S low is not eligible', 'risk', { riskCategories: { rm2000s: 'low' } }, [], 'not_met'],
  ['RM2000/S low is eligible for a man convicted of a sexual murder', 'risk', { riskCategories: { rm2000s: 'low' }, sexualMurder: true }, [], 'met'],
  ['RM2000/S low with the sexual-murder flag not recorded is unknown', 'risk', { riskCategories: { rm2000s: 'low' } }, ['sexualMurder'], 'unknown'],
  ['RM2000/S high is eligible whether or not the sexual-murder flag is recorded', 'risk', { riskCategories: { rm2000s: 'high' } }, ['sexualMurder'], 'met'],
  ['a category from another instrument does not stand in for RM2000/S', 'risk', { riskCategories: { osp_dc: 'high' } }, [], 'unknown'],
  ['RM2000/S not recorded is unknown', 'risk', {}, ['riskCategories'], 'unknown'],
  ['IQ 80 is not over 80', 'iq', { iq: 80 }, [], 'not_met'],
  ['IQ 80.5 is over 80', 'iq', { iq: 80.5 }, [], 'met'],
  ['IQ 81 is over 80', 'iq', { iq: 81 }, [], 'met'],
  ['IQ not recorded is unknown', 'iq', {}, ['iq'], 'unknown'],
];
for (const [rule, criterion, changes, drop, status] of criterionTable) {
  test(`Core SOTP: ${rule} (${criterion}: ${status})`, () => {
    assert.equal(statusOf(criterion, changes, drop), status);
  });
}

test('without includeAttempts, a conviction criterion does not count an attempt', () => {
  const criterion: EligibilityCriterion = {
    id: 'contact',
    kind: 'conviction',
    categories: ['sexual_contact'],
    includeAttempts: false,
    description: 'Convicted of a contact sexual offence.',
  };
  assert.equal(evaluateCriterion(criterion, { convictions: [{ category: 'sexual_contact', attempt: true }] }).status, 'not_met');
  assert.equal(evaluateCriterion(criterion, { convictions: [{ category: 'sexual_contact', attempt: false }] }).status, 'met');
});

const overallTable: [string, EligibilityFacts, string][] = [
  ['any criterion not met makes him not eligible, even with others unknown', { sex: 'male', iq: 70 }, 'not_eligible'],
  ['no criterion failed but some unknown is undetermined', { ...eligibleMan, iq: undefined }, 'undetermined'],
  ['nothing known is undetermined', {}, 'undetermined'],
  ['a low-risk sexual murderer who meets the rest is eligible', { ...eligibleMan, riskCategories: { rm2000s: 'low' }, sexualMurder: true }, 'eligible'],
];
for (const [rule, facts, result] of overallTable) {
  test(`overall: ${rule}`, () => {
    assert.equal(assessEligibility(core, facts).result, result);
  });
}

test('a treatment manager may override the result with a reason, and both results are kept', () => {
  const computed = assessEligibility(core, { ...eligibleMan, iq: 78 });
  assert.equal(computed.result, 'not_eligible');
  const outcome = overrideEligibility(computed, {
    result: 'eligible',
    reason: 'Adapted materials agreed with the psychologist.',
    by: { userId: 'tm-1', role: 'treatment_manager' },
  });
  assert.ok(outcome.ok);
  assert.equal(outcome.result, 'eligible');
  assert.equal(outcome.computed.result, 'not_eligible');
  assert.equal(outcome.override.reason, 'Adapted materials agreed with the psychologist.');
});

test('an assessor may not override an eligibility result', () => {
  const computed = assessEligibility(core, eligibleMan);
  const outcome = overrideEligibility(computed, { result: 'not_eligible', reason: 'Because.', by: { userId: 'a-1', role: 'assessor' } });
  assert.deepEqual(outcome.ok ? null : outcome.refusal, 'not_allowed_for_role');
});

test('an override without a reason is refused', () => {
  const computed = assessEligibility(core, eligibleMan);
  const outcome = overrideEligibility(computed, { result: 'not_eligible', reason: '  ', by: { userId: 'tm-1', role: 'treatment_manager' } });
  assert.deepEqual(outcome.ok ? null : outcome.refusal, 'reason_required');
});
