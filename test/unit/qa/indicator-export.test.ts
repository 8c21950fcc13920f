// The indicators CSV (issue 13, item 7): one row per indicator in the source document's order of areas, the header
// exactly as documented, comments as data even when they start like a formula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { indicatorCsv } from '../../../src/domain/qa/indicator-export.js';
import { logsOnTime, supervisionActionsDone, treatmentManagerNamed, defaultIndicatorStandards } from '../../../src/domain/qa/indicators.js';

const indicators = [
  logsOnTime([{ label: 'Session 1', href: '/s/1', from: '2027-01-04', recordedOn: '2027-01-20' }], defaultIndicatorStandards),
  supervisionActionsDone([], 1),
  treatmentManagerNamed([{ label: 'Group 1', href: '/g/1', treatmentManager: 'Tam', earliestStart: '2027-01-04', firstSession: null }], 1),
];

test('one row per indicator, by area in the source document’s order, with its figure, standard and whether it meets it', () => {
  const csv = indicatorCsv(indicators, new Map());
  assert.equal(csv.split('\n')[0], 'area,indicator,standard,meeting,of,meets_standard,comment');
  const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(
    rows.map((r) => [r.area, r.indicator, r.meeting, r.of, r.meets_standard]),
    [
      ['Management support', 'Groups with a named treatment manager', '1', '1', 'yes'],
      ['Staff support', supervisionActionsDone([], 1).label, '0', '0', 'yes'],
      ['Assessments and paperwork', 'Session logs written on time', '0', '1', 'no'],
    ],
  );
});

test('a comment starting like a formula is written as data, and commas and quotes survive', () => {
  const csv = indicatorCsv(indicators, new Map([['logs_on_time', '=SUM(A1:A9), "late"']]));
  const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
  assert.equal(rows.find((r) => r.indicator === 'Session logs written on time')!.comment, `'=SUM(A1:A9), "late"`);
  assert.equal(rows.find((r) => r.area === 'Management support')!.comment, '');
});
