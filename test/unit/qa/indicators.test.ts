import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assessedBeforeAllocation,
  cancelledForResources,
  defaultIndicatorStandards as standards,
  groupsStartedOnTime,
  logsOnTime,
  registersOnTime,
  reportsOnTime,
  supervisionActionsDone,
  supervisionAtInterval,
  treatmentManagerNamed,
  type Indicator,
} from '../../../src/domain/qa/indicators.js';

const at = (label: string) => ({ label, href: `/x/${label}` });
const judged = (i: Indicator) => i.records.map((r) => [r.label, r.meets]);

test('each indicator’s figure counts exactly the records it lists that meet its standard', () => {
  const i = registersOnTime(
    [
      { ...at('s1'), from: '2027-03-01', recordedOn: '2027-03-01' },
      { ...at('s2'), from: '2027-03-01', recordedOn: '2027-03-04' },
      { ...at('s3'), from: '2027-03-01', recordedOn: null },
    ],
    standards,
  );
  assert.deepEqual([i.meeting, i.of], [1, 3]);
  assert.equal(i.meeting, i.records.filter((r) => r.meets).length);
  assert.equal(i.meetsStandard, false, 'the default target is every record');
});

test('a register is on time on the second day after its session and late on the third; a log on the seventh and the eighth', () => {
  const days = (d: number) => `2027-03-${String(1 + d).padStart(2, '0')}`;
  assert.deepEqual(
    judged(
      registersOnTime(
        [2, 3].map((d) => ({ ...at(`+${d}`), from: '2027-03-01', recordedOn: days(d) })),
        standards,
      ),
    ),
    [
      ['+2', true],
      ['+3', false],
    ],
  );
  assert.deepEqual(
    judged(
      logsOnTime(
        [7, 8].map((d) => ({ ...at(`+${d}`), from: '2027-03-01', recordedOn: days(d) })),
        standards,
      ),
    ),
    [
      ['+7', true],
      ['+8', false],
    ],
  );
});

test('an end-of-treatment report is on time 28 days after a man’s last session, not 29, and missing is not on time', () => {
  const i = reportsOnTime(
    [
      { ...at('on time'), from: '2027-03-01', recordedOn: '2027-03-29' },
      { ...at('late'), from: '2027-03-01', recordedOn: '2027-03-30' },
      { ...at('missing'), from: '2027-03-01', recordedOn: null },
    ],
    standards,
  );
  assert.deepEqual(judged(i), [
    ['on time', true],
    ['late', false],
    ['missing', false],
  ]);
  assert.equal(i.records[2].detail, 'Not recorded');
});

test('a group meets the start standard when its first session is within 28 days of its earliest start; groups not started are not judged', () => {
  const i = groupsStartedOnTime(
    [
      { ...at('g28'), treatmentManager: 'M', earliestStart: '2027-01-04', firstSession: '2027-02-01' },
      { ...at('g29'), treatmentManager: 'M', earliestStart: '2027-01-04', firstSession: '2027-02-02' },
      { ...at('waiting'), treatmentManager: 'M', earliestStart: '2027-01-04', firstSession: null },
    ],
    28,
    1,
  );
  assert.deepEqual(judged(i), [
    ['g28', true],
    ['g29', false],
  ]);
});

test('every group needs a named treatment manager', () => {
  const groups = [
    { ...at('named'), treatmentManager: 'Morgan', earliestStart: '2027-01-04', firstSession: null },
    { ...at('none'), treatmentManager: null, earliestStart: '2027-01-04', firstSession: null },
  ];
  assert.deepEqual(judged(treatmentManagerNamed(groups, 1)), [
    ['named', true],
    ['none', false],
  ]);
});

test('supervision at the interval: the longest stretch from the last supervision before the period, through each in it, to its end', () => {
  const i = supervisionAtInterval(
    [
      // 1 Jan → 12 Feb (42 days) → 26 Mar (42) → 31 Mar (5): meets.
      { ...at('regular'), since: '2027-01-01', supervisedOn: ['2027-02-12', '2027-03-26'] },
      // 1 Jan → 31 Mar without one: 89 days.
      { ...at('none'), since: '2027-01-01', supervisedOn: [] },
      // 1 Jan → 13 Feb is 43 days: one day too long.
      { ...at('a day late'), since: '2027-01-01', supervisedOn: ['2027-02-13', '2027-03-20'] },
    ],
    '2027-03-31',
    42,
    1,
  );
  assert.deepEqual(judged(i), [
    ['regular', true],
    ['none', false],
    ['a day late', false],
  ]);
  assert.equal(i.records[1].detail, 'Longest stretch without supervision: 89 days');
});

test('a facilitator has an overdue supervision action when one due in the period was done after its due date or not at all', () => {
  const i = supervisionActionsDone(
    [
      { ...at('on time'), actions: [{ description: 'Read', dueOn: '2027-03-10', completedOn: '2027-03-10' }] },
      { ...at('late'), actions: [{ description: 'Plan', dueOn: '2027-03-10', completedOn: '2027-03-11' }] },
      { ...at('open'), actions: [{ description: 'Watch', dueOn: '2027-03-10', completedOn: null }] },
      { ...at('none agreed'), actions: [] },
    ],
    1,
  );
  assert.deepEqual(judged(i), [
    ['on time', true],
    ['late', false],
    ['open', false],
    ['none agreed', true],
  ]);
});

test('a man is assessed before allocation when his risk score was recorded on or before the day he joined', () => {
  const i = assessedBeforeAllocation(
    [
      { ...at('same day'), allocatedOn: '2027-01-04', riskScoredOn: '2027-01-04' },
      { ...at('after'), allocatedOn: '2027-01-04', riskScoredOn: '2027-01-05' },
      { ...at('never'), allocatedOn: '2027-01-04', riskScoredOn: null },
    ],
    1,
  );
  assert.deepEqual(judged(i), [
    ['same day', true],
    ['after', false],
    ['never', false],
  ]);
});

test('an indicator with nothing to judge meets its standard; a target below every record is met by enough of them', () => {
  assert.equal(registersOnTime([], standards).meetsStandard, true);
  const most = registersOnTime(
    [
      { ...at('a'), from: '2027-03-01', recordedOn: '2027-03-01' },
      { ...at('b'), from: '2027-03-01', recordedOn: '2027-03-01' },
      { ...at('c'), from: '2027-03-01', recordedOn: '2027-03-01' },
      { ...at('d'), from: '2027-03-01', recordedOn: null },
    ],
    { ...standards, target: 0.75 },
  );
  assert.equal(most.meetsStandard, true);
});

test('a session cancelled for want of facilitators or a room counts against the resources standard; one cancelled for the regime, or before causes were kept, does not', () => {
  const i = cancelledForResources(
    [
      { ...at('staff'), cause: 'staff', reason: 'Two off sick' },
      { ...at('room'), cause: 'room', reason: 'Room used for visits' },
      { ...at('lockdown'), cause: 'regime', reason: 'Lockdown' },
      { ...at('old'), cause: null, reason: 'Cancelled last year' },
    ],
    1,
  );
  assert.deepEqual(judged(i), [
    ['staff', false],
    ['room', false],
    ['lockdown', true],
    ['old', true],
  ]);
  assert.equal(i.records[0].detail, 'Facilitators were not available: Two off sick');
});
