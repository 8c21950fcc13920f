import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultIndicatorStandards, indicatorStandards, registersOnTime } from '../../../src/domain/qa/indicators.js';
import { defaultRatingScale, levelRank, ratingCriteria, ratingScale, type RatingLevel } from '../../../src/domain/qa/ratings.js';

const level = (id: string): RatingLevel => ({ id, label: id, descriptors: { delivery: `${id} d`, treatment_management: `${id} tm` } });

test('the two criteria are the source document’s: quality of delivery and quality of treatment management', () => {
  assert.deepEqual(
    ratingCriteria.map((c) => c.label),
    ['Quality of delivery', 'Quality of treatment management'],
  );
});

test('a programme’s rating scale is its file’s, best level first, ranked 1 to 4; a level not on it has no rank', () => {
  const scale = [level('a'), level('b'), level('c'), level('d')];
  assert.equal(ratingScale({ audit: { minimumRecordings: 3, ratingScale: scale } }), scale);
  assert.deepEqual(
    scale.map((l) => levelRank(scale, l.id)),
    [1, 2, 3, 4],
  );
  assert.equal(levelRank(scale, 'outstanding'), null);
});

test('a programme file without audit data is rated on four levels with a descriptor for each criterion', () => {
  assert.equal(ratingScale({}), defaultRatingScale);
  assert.equal(defaultRatingScale.length, 4);
  for (const l of defaultRatingScale) for (const c of ratingCriteria) assert.ok(l.descriptors[c.id].length > 0);
});

test('the indicators’ standards are the programme file’s: a register recorded three days after its session meets a three-day standard, not the default two-day one', () => {
  const late = [{ label: 's1', href: '/s1', from: '2027-03-01', recordedOn: '2027-03-04' }];
  assert.equal(indicatorStandards({}), defaultIndicatorStandards);
  assert.equal(registersOnTime(late, indicatorStandards({})).meeting, 0);
  const looser = { ...defaultIndicatorStandards, registerWithinDays: 3 };
  assert.equal(registersOnTime(late, indicatorStandards({ audit: { minimumRecordings: 3, standards: looser } })).meeting, 1);
});
