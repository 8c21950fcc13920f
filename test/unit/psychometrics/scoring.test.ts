// Scoring an administration: reverse-keyed items turned round, and the prorating rule at and over its limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instrumentDefinitionSchema, type InstrumentDefinition } from '../../../src/domain/psychometrics/instrument.js';
import { scoreAdministration } from '../../../src/domain/psychometrics/scoring.js';

// Five items answered 1–5; item c is reverse-keyed; the scale allows 1 missing item.
const instrument: InstrumentDefinition = instrumentDefinitionSchema.parse({
  id: 'test-scale',
  version: 1,
  name: 'Test scale',
  illustrative: true,
  notice: 'For tests only.',
  responseScale: { min: 1, max: 5, anchors: '1 = never … 5 = always' },
  items: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, text: `Item ${id}`, reverseKeyed: id === 'c' })),
  scales: [
    {
      id: 'total',
      name: 'Total',
      domain: 'self_regulation_deficits',
      items: ['a', 'b', 'c', 'd', 'e'],
      better: 'lower',
      maxMissingItems: 1,
      norms: { dysfunctional: { mean: 18, sd: 4 }, functional: { mean: 11, sd: 3 }, testRetestReliability: 0.8, source: 'test' },
    },
  ],
});

test('a reverse-keyed answer scores as (min + max) − answer: answering 5 to item c scores 1', () => {
  const [score] = scoreAdministration(instrument, { a: 4, b: 4, c: 5, d: 4, e: 4 });
  // 4 + 4 + (1 + 5 − 5) + 4 + 4 = 17
  assert.deepEqual(score, { scaleId: 'total', status: 'scored', score: 17, missingItems: 0, prorated: false });
});

test('missing items at the prorating limit: the score is the mean of the answered items times the number of items', () => {
  // One missing (e), the limit: keyed 4 + 3 + (6 − 2) + 5 = 16 over 4 items, × 5 = 20.
  const [atLimit] = scoreAdministration(instrument, { a: 4, b: 3, c: 2, d: 5, e: null });
  assert.deepEqual(atLimit, { scaleId: 'total', status: 'scored', score: 20, missingItems: 1, prorated: true });
  // Not a whole number: keyed 4 + 3 + 4 + 4 = 15 over 4, × 5 = 18.75.
  const [fractional] = scoreAdministration(instrument, { a: 4, b: 3, c: 2, e: 4 });
  assert.equal(fractional.status === 'scored' && fractional.score, 18.75);
});

test('missing items over the prorating limit: the scale is not scored, and the reason says how many were missing', () => {
  const [score] = scoreAdministration(instrument, { a: 4, b: 3, c: 2 });
  assert.equal(score.status, 'not_scored');
  assert.equal(score.missingItems, 2);
  assert.match(score.status === 'not_scored' ? score.reason : '', /2 of 5 items not answered.*1 or fewer/);
});
