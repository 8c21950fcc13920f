// Change statistics against values worked from the published formulas (Jacobson & Truax 1991), not from the code:
// S_diff = √2 · SD · √(1 − r), RCI = (post − pre) / S_diff, reliable when |RCI| > 1.96 (strictly),
// c = (SD_dysf · M_func + SD_func · M_dysf) / (SD_dysf + SD_func), recovered = reliable improvement crossing c.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { changeInputProblem, reliableChange, summariseByDomain, type ChangeInput } from '../../../src/domain/psychometrics/change.js';

const close = (actual: number | null, expected: number, what: string) => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
};

interface Case {
  rule: string;
  input: ChangeInput;
  sDiff: number;
  rci: number;
  reliableChange: 'improved' | 'deteriorated' | 'no_reliable_change';
  cutoff: number | null;
  clinicallySignificant: boolean | null;
}

const issueNorms = { dysfunctionalMean: 60, functionalMean: 45, functionalSd: 9 };

const cases: Case[] = [
  {
    rule: 'the issue’s example: 62 → 48, lower better, is a reliable improvement that crosses c = 990/19, so he has recovered',
    input: { pre: 62, post: 48, sd: 10, reliability: 0.85, better: 'lower', norms: issueNorms },
    // √2 · 10 · √0.15 = 10 · √0.3 = 5.4772255750516611…
    sDiff: 5.477225575051661,
    rci: -14 / 5.477225575051661,
    reliableChange: 'improved',
    cutoff: (10 * 45 + 9 * 60) / (10 + 9),
    clinicallySignificant: true,
  },
  {
    rule: 'RCI exactly +1.96 is not reliable: 100 → 149 with S_diff = 25 (SD 25, r = 0.5) is no reliable change, not deterioration',
    input: { pre: 100, post: 149, sd: 25, reliability: 0.5, better: 'lower' },
    sDiff: 25,
    rci: 1.96,
    reliableChange: 'no_reliable_change',
    cutoff: null,
    clinicallySignificant: null,
  },
  {
    rule: 'RCI exactly −1.96 is not reliable: 100 → 51 with S_diff = 25 is no reliable change, not improvement, and so not recovered',
    input: { pre: 100, post: 51, sd: 25, reliability: 0.5, better: 'lower', norms: { dysfunctionalMean: 100, functionalMean: 50, functionalSd: 25 } },
    sDiff: 25,
    rci: -1.96,
    reliableChange: 'no_reliable_change',
    // (25 · 50 + 25 · 100) / 50 = 75: he crossed it, but the change is not reliable.
    cutoff: 75,
    clinicallySignificant: false,
  },
  {
    rule: 'just beyond the threshold, RCI −2 with lower better is a reliable improvement',
    input: { pre: 100, post: 50, sd: 25, reliability: 0.5, better: 'lower' },
    sDiff: 25,
    rci: -2,
    reliableChange: 'improved',
    cutoff: null,
    clinicallySignificant: null,
  },
  {
    rule: 'the sign is read with the direction: RCI +2 with higher better is a reliable improvement',
    input: { pre: 100, post: 150, sd: 25, reliability: 0.5, better: 'higher' },
    sDiff: 25,
    rci: 2,
    reliableChange: 'improved',
    cutoff: null,
    clinicallySignificant: null,
  },
  {
    rule: 'reliability 0: S_diff = √2 · SD, so a rise of 28 with SD 10 (RCI 1.9799) is reliable and, higher better, an improvement',
    input: { pre: 30, post: 58, sd: 10, reliability: 0, better: 'higher' },
    sDiff: 14.142135623730951,
    rci: 28 / 14.142135623730951,
    reliableChange: 'improved',
    cutoff: null,
    clinicallySignificant: null,
  },
  {
    rule: 'reliability 0: a rise of 27 with SD 10 (RCI 1.909) is not reliable',
    input: { pre: 30, post: 57, sd: 10, reliability: 0, better: 'higher' },
    sDiff: 14.142135623730951,
    rci: 27 / 14.142135623730951,
    reliableChange: 'no_reliable_change',
    cutoff: null,
    clinicallySignificant: null,
  },
  {
    rule: 'higher better: 40 → 60 is reliable and crosses c = 716/14 upwards, so he has recovered',
    input: { pre: 40, post: 60, sd: 8, reliability: 0.8, better: 'higher', norms: { dysfunctionalMean: 42, functionalMean: 58, functionalSd: 6 } },
    // √2 · 8 · √0.2 = 8 · √0.4
    sDiff: 8 * 0.6324555320336759,
    rci: 20 / (8 * 0.6324555320336759),
    reliableChange: 'improved',
    cutoff: (8 * 58 + 6 * 42) / (8 + 6),
    clinicallySignificant: true,
  },
  {
    rule: 'a reliable improvement that ends on the dysfunctional side of c is not recovery',
    input: { pre: 70, post: 56, sd: 10, reliability: 0.85, better: 'lower', norms: issueNorms },
    sDiff: 5.477225575051661,
    rci: -14 / 5.477225575051661,
    reliableChange: 'improved',
    cutoff: 990 / 19,
    clinicallySignificant: false,
  },
  {
    rule: 'lower better: a reliable rise is deterioration, never recovery',
    input: { pre: 40, post: 60, sd: 10, reliability: 0.85, better: 'lower', norms: issueNorms },
    sDiff: 5.477225575051661,
    rci: 20 / 5.477225575051661,
    reliableChange: 'deteriorated',
    cutoff: 990 / 19,
    clinicallySignificant: false,
  },
];

describe('reliable change and clinical significance (Jacobson & Truax 1991)', () => {
  for (const c of cases) {
    test(c.rule, () => {
      const result = reliableChange(c.input);
      assert.equal(result.change, c.input.post - c.input.pre);
      close(result.sDiff, c.sDiff, 'S_diff');
      close(result.rci, c.rci, 'RCI');
      assert.equal(result.reliableChange, c.reliableChange);
      if (c.cutoff === null) assert.equal(result.cutoff, null);
      else close(result.cutoff, c.cutoff, 'cut-off');
      assert.equal(result.clinicallySignificant, c.clinicallySignificant);
    });
  }

  test('the edge cases really sit on the threshold: RCI is exactly ±1.96, not a rounding of it', () => {
    assert.equal(reliableChange(cases[1].input).rci, 1.96);
    assert.equal(reliableChange(cases[2].input).rci, -1.96);
  });
});

describe('change inputs are refused naming the field', () => {
  const base: ChangeInput = { pre: 62, post: 48, sd: 10, reliability: 0.85, better: 'lower' };
  const refused: Array<[string, ChangeInput, string]> = [
    ['an SD of 0', { ...base, sd: 0 }, 'sd'],
    ['a negative SD', { ...base, sd: -1 }, 'sd'],
    ['a reliability of 1 (S_diff would be 0)', { ...base, reliability: 1 }, 'reliability'],
    ['a negative reliability', { ...base, reliability: -0.1 }, 'reliability'],
    ['a score that is not a number', { ...base, pre: Number.NaN }, 'pre'],
    ['a functional SD of 0', { ...base, norms: { ...issueNorms, functionalSd: 0 } }, 'functionalSd'],
  ];
  for (const [what, input, field] of refused) {
    test(`${what} is refused on ${field}`, () => assert.equal(changeInputProblem(input)?.field, field));
  }
  test('reliability 0 and a positive SD are accepted', () => assert.equal(changeInputProblem({ ...base, reliability: 0 }), null));
});

test('a domain summary counts improved, unchanged and deteriorated once each, and recovered among the improved', () => {
  const results = [cases[0], cases[1], cases[8], cases[9]].map((c) => ({ domain: 'sexual_interests', change: reliableChange(c.input) }));
  results.push({ domain: 'interpersonal_deficits', change: reliableChange(cases[7].input) });
  assert.deepEqual(summariseByDomain(results, ['sexual_interests', 'interpersonal_deficits', 'self_regulation_deficits']), [
    { domain: 'sexual_interests', n: 4, improved: 2, unchanged: 1, deteriorated: 1, recovered: 1 },
    { domain: 'interpersonal_deficits', n: 1, improved: 1, unchanged: 0, deteriorated: 0, recovered: 1 },
    { domain: 'self_regulation_deficits', n: 0, improved: 0, unchanged: 0, deteriorated: 0, recovered: 0 },
  ]);
});
