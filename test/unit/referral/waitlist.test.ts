import { test } from 'node:test';
import assert from 'node:assert/strict';
import { earliestGroupEnd, orderWaitlist, type WaitlistCandidate } from '../../../src/domain/referral/waitlist.js';

const core = { id: 'core-sotp', totalSessions: 84, maxSessionsPerWeek: 5 };
const today = '2026-01-05';
const here = { siteId: 'hmp-a', programme: core };

function man(referralId: string, changes: Partial<WaitlistCandidate> = {}): WaitlistCandidate {
  return {
    referralId,
    siteId: 'hmp-a',
    programmeId: 'core-sotp',
    status: 'awaiting_allocation',
    riskCategory: 'medium',
    earliestReleaseDate: '2030-01-01',
    enteredWaitlistOn: '2025-12-01',
    ...changes,
  };
}

test('84 sessions at 5 a week: a group starting 5 January 2026 ends 17 weeks later at the earliest, 4 May 2026', () => {
  assert.equal(earliestGroupEnd(today, core), '2026-05-04');
});

test('an even split needs no extra week: 10 sessions at 5 a week take 2 weeks', () => {
  assert.equal(earliestGroupEnd(today, { totalSessions: 10, maxSessionsPerWeek: 5 }), '2026-01-19');
});

test('the waitlist is ordered by risk, highest first, then the soonest release date, with none recorded last', () => {
  const rows = orderWaitlist(
    [
      man('medium-2028', { earliestReleaseDate: '2028-01-01' }),
      man('high-none', { riskCategory: 'high', earliestReleaseDate: undefined }),
      man('very-high', { riskCategory: 'very_high' }),
      man('high-2027', { riskCategory: 'high', earliestReleaseDate: '2027-06-01' }),
      man('unscored', { riskCategory: undefined, earliestReleaseDate: '2026-02-01' }),
      man('low', { riskCategory: 'low' }),
      man('high-2026', { riskCategory: 'high', earliestReleaseDate: '2026-12-01' }),
    ],
    here,
    today,
  );
  assert.deepEqual(
    rows.map((r) => [r.position, r.referralId]),
    [
      [1, 'very-high'],
      [2, 'high-2026'],
      [3, 'high-2027'],
      [4, 'high-none'],
      [5, 'medium-2028'],
      [6, 'low'],
      [7, 'unscored'],
    ],
  );
});

test('with equal risk and release date, the man who has waited longest comes first', () => {
  const rows = orderWaitlist([man('newer', { enteredWaitlistOn: '2025-12-10' }), man('older', { enteredWaitlistOn: '2025-11-01' })], here, today);
  assert.deepEqual(
    rows.map((r) => r.referralId),
    ['older', 'newer'],
  );
});

test('days waiting count from the day he entered awaiting allocation to today', () => {
  const [row] = orderWaitlist([man('a', { enteredWaitlistOn: '2025-12-01' })], here, today);
  assert.equal(row.daysWaiting, 35);
  const [same] = orderWaitlist([man('b', { enteredWaitlistOn: today })], here, today);
  assert.equal(same.daysWaiting, 0);
});

const warningTable: [string | undefined, boolean][] = [
  ['2026-05-03', true],
  ['2026-05-04', false],
  ['2026-01-06', true],
  ['2027-01-01', false],
  [undefined, false],
];
for (const [release, warned] of warningTable) {
  test(`release on ${release ?? 'no recorded date'} ${warned ? 'is' : 'is not'} flagged: a group starting today ends 2026-05-04 at the earliest`, () => {
    const [row] = orderWaitlist([man('a', { earliestReleaseDate: release })], here, today);
    assert.equal(row.releaseBeforeGroupEnds, warned);
  });
}

test('only men awaiting allocation for this programme at this site are on its waitlist', () => {
  const rows = orderWaitlist(
    [
      man('here'),
      man('other-site', { siteId: 'hmp-b' }),
      man('other-programme', { programmeId: 'other' }),
      man('allocated', { status: 'allocated' }),
      man('suitable', { status: 'assessed_suitable' }),
    ],
    here,
    today,
  );
  assert.deepEqual(
    rows.map((r) => r.referralId),
    ['here'],
  );
});
