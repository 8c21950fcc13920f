import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { riskCategories, type RiskCategory } from '../../../src/domain/programme/definition.js';
import { scoreRm2000, type Rm2000Input, type Rm2000Score } from '../../../src/domain/risk/rm2000.js';

// A man who scores nothing: 40 years old, one sexual appearance (also his only criminal appearance), no factors.
const base: Rm2000Input = {
  ageAtCommencementOfRisk: 40,
  sexualAppearances: 1,
  criminalAppearances: 1,
  maleVictim: false,
  strangerVictim: false,
  singleNeverMarried: false,
  nonContactSexualOffence: false,
};

function scored(changes: Partial<Rm2000Input>): Rm2000Score {
  const outcome = scoreRm2000({ ...base, ...changes });
  assert.ok(outcome.ok, `expected a score for ${JSON.stringify(changes)}, got ${JSON.stringify(outcome)}`);
  return outcome.score;
}

function refusal(changes: Partial<Rm2000Input>) {
  const outcome = scoreRm2000({ ...base, ...changes });
  assert.equal(outcome.ok, false);
  return outcome as Extract<typeof outcome, { ok: false }>;
}

const ageTable: [number, number][] = [
  [18, 2],
  [24, 2],
  [25, 1],
  [34, 1],
  [35, 0],
  [70, 0],
];
for (const [age, points] of ageTable) {
  test(`age at commencement of risk ${age} scores ${points} in step 1`, () => {
    const score = scored({ ageAtCommencementOfRisk: age });
    assert.equal(score.points.ageAtCommencementOfRisk, points);
    assert.equal(score.step1Points, points);
  });
}

test('a man aged 17 cannot be scored: RM2000 applies from 18', () => {
  const refused = refusal({ ageAtCommencementOfRisk: 17 });
  assert.equal(refused.field, 'ageAtCommencementOfRisk');
  assert.match(refused.message, /18/);
});

const sexualTable: [number, number][] = [
  [1, 0],
  [2, 1],
  [3, 2],
  [4, 2],
  [5, 3],
  [9, 3],
];
for (const [appearances, points] of sexualTable) {
  test(`${appearances} sexual appearance(s) score ${points}`, () => {
    assert.equal(scored({ sexualAppearances: appearances, criminalAppearances: appearances }).points.sexualAppearances, points);
  });
}

test('a man with no sexual appearance cannot be scored', () => {
  assert.equal(refusal({ sexualAppearances: 0, criminalAppearances: 3 }).field, 'sexualAppearances');
});

const criminalTable: [number, number][] = [
  [1, 0],
  [2, 0],
  [3, 0],
  [4, 0],
  [5, 1],
  [6, 1],
];
for (const [appearances, points] of criminalTable) {
  test(`${appearances} criminal appearance(s) score ${points}`, () => {
    assert.equal(scored({ criminalAppearances: appearances }).points.criminalAppearances, points);
  });
}

test('criminal appearances include sexual ones, so fewer criminal than sexual appearances are refused', () => {
  assert.equal(refusal({ sexualAppearances: 3, criminalAppearances: 2 }).field, 'criminalAppearances');
  assert.equal(refusal({ sexualAppearances: 1, criminalAppearances: 0 }).field, 'criminalAppearances');
});

// [age, sexual, criminal, step 1 total, category]: totals worked out from the tables above.
const step1Table: [number, number, number, number, RiskCategory][] = [
  [40, 1, 1, 0, 'low'],
  [30, 1, 1, 1, 'medium'],
  [20, 1, 1, 2, 'medium'],
  [20, 2, 2, 3, 'high'],
  [20, 3, 3, 4, 'high'],
  [20, 3, 5, 5, 'very_high'],
  [20, 5, 5, 6, 'very_high'],
];
for (const [age, sexual, criminal, total, category] of step1Table) {
  test(`step 1 total ${total} is ${category}`, () => {
    const score = scored({ ageAtCommencementOfRisk: age, sexualAppearances: sexual, criminalAppearances: criminal });
    assert.equal(score.step1Points, total);
    assert.equal(score.step1Category, category);
    assert.equal(score.category, category, 'no aggravating factors: step 2 leaves the category alone');
  });
}

const factorFields = ['maleVictim', 'strangerVictim', 'singleNeverMarried', 'nonContactSexualOffence'] as const;
const withFactors = (n: number) => Object.fromEntries(factorFields.slice(0, n).map((f) => [f, true])) as Partial<Rm2000Input>;
// Step 1 inputs giving each category: low 0, medium 1, high 3, very high 5 points.
const step1For: Record<RiskCategory, Partial<Rm2000Input>> = {
  low: {},
  medium: { ageAtCommencementOfRisk: 30 },
  high: { ageAtCommencementOfRisk: 20, sexualAppearances: 2, criminalAppearances: 2 },
  very_high: { ageAtCommencementOfRisk: 20, sexualAppearances: 3, criminalAppearances: 5 },
};
// 0–1 factors: no change; 2–3: one level up; 4: two levels up; never above very high.
const factorTable: [RiskCategory, RiskCategory[]][] = [
  ['low', ['low', 'low', 'medium', 'medium', 'high']],
  ['medium', ['medium', 'medium', 'high', 'high', 'very_high']],
  ['high', ['high', 'high', 'very_high', 'very_high', 'very_high']],
  ['very_high', ['very_high', 'very_high', 'very_high', 'very_high', 'very_high']],
];
for (const [step1, expected] of factorTable) {
  expected.forEach((category, factors) => {
    test(`step 1 ${step1} with ${factors} aggravating factor(s) is ${category}`, () => {
      const score = scored({ ...step1For[step1], ...withFactors(factors) });
      assert.equal(score.step1Category, step1);
      assert.equal(score.aggravatingFactors, factors);
      assert.equal(score.category, category);
    });
  });
}

for (const factor of factorFields) {
  test(`${factor} counts as an aggravating factor`, () => {
    const others = Object.fromEntries(factorFields.filter((f) => f !== factor).map((f) => [f, true]));
    assert.equal(scored(others).category, 'medium', 'the other three raise low one level');
    assert.equal(scored({ ...others, [factor]: true }).category, 'high', 'all four raise low two levels');
  });
}

test('the worked example: aged 27, 2 sexual and 6 criminal appearances, male victim, single: high raised to very high', () => {
  const score = scored({
    ageAtCommencementOfRisk: 27,
    sexualAppearances: 2,
    criminalAppearances: 6,
    maleVictim: true,
    singleNeverMarried: true,
  });
  assert.deepEqual(score.points, { ageAtCommencementOfRisk: 1, sexualAppearances: 1, criminalAppearances: 1 });
  assert.equal(score.step1Points, 3);
  assert.equal(score.step1Category, 'high');
  assert.equal(score.aggravatingFactors, 2);
  assert.equal(score.category, 'very_high');
  assert.equal(score.instrument, 'rm2000s');
  assert.equal(score.explanation.length, 5);
  assert.match(score.explanation[4], /against a male; single, never married/);
});

const rank = (c: RiskCategory) => riskCategories.indexOf(c);
const validInput = fc
  .record({
    ageAtCommencementOfRisk: fc.integer({ min: 18, max: 90 }),
    sexualAppearances: fc.integer({ min: 1, max: 12 }),
    extraCriminalAppearances: fc.integer({ min: 0, max: 12 }),
    maleVictim: fc.boolean(),
    strangerVictim: fc.boolean(),
    singleNeverMarried: fc.boolean(),
    nonContactSexualOffence: fc.boolean(),
  })
  .map(({ extraCriminalAppearances, ...rest }) => ({ ...rest, criminalAppearances: rest.sexualAppearances + extraCriminalAppearances }));

test('another sexual appearance (which is also a criminal appearance) never lowers the category', () => {
  fc.assert(
    fc.property(validInput, (input) => {
      const more = { ...input, sexualAppearances: input.sexualAppearances + 1, criminalAppearances: input.criminalAppearances + 1 };
      return rank(scored(more).category) >= rank(scored(input).category);
    }),
  );
});

test('another criminal appearance never lowers the category', () => {
  fc.assert(
    fc.property(validInput, (input) => rank(scored({ ...input, criminalAppearances: input.criminalAppearances + 1 }).category) >= rank(scored(input).category)),
  );
});

test('adding any aggravating factor never lowers the category', () => {
  fc.assert(
    fc.property(
      validInput,
      fc.constantFrom(...factorFields),
      (input, factor) => rank(scored({ ...input, [factor]: true }).category) >= rank(scored(input).category),
    ),
  );
});

test('step 2 never lowers the step 1 category and raises it at most two levels', () => {
  fc.assert(
    fc.property(validInput, (input) => {
      const s = scored(input);
      const raised = rank(s.category) - rank(s.step1Category);
      return raised >= 0 && raised <= 2 && raised === s.levelsRaised;
    }),
  );
});
