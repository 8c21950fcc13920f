import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CohortError, parseCohort, parseIsoDay, type CohortProblem } from '../../../src/domain/evaluation/cohort.js';

const header = 'person_ref,treated,release_date,end_of_followup,risk_band,age,sexual_reoffence_date';
const good = ['A1,1,2010-01-01,2012-01-01,low,30,2011-01-01', 'A2,0,2010-01-01,2012-01-01,medium,40,', 'A3,0,2010-06-01,2011-01-01,,50,2011-06-01'];
const request = { covariates: ['age'], outcome: 'sexual' };
const csv = (...rows: string[]) => [header, ...rows].join('\n') + '\n';

function problems(text: string, req = request): CohortProblem[] {
  try {
    parseCohort(text, req);
  } catch (error) {
    assert.ok(error instanceof CohortError);
    return error.problems;
  }
  assert.fail('the file was accepted');
}

test('a good file gives days from release, with an event after the end of follow-up counted as censored at the end', () => {
  const c = parseCohort(csv(...good), request);
  assert.equal(c.rows, 3);
  assert.deepEqual(Array.from(c.treated), [1, 0, 0]);
  assert.deepEqual(Array.from(c.event), [1, 0, 0]);
  // 2010-01-01 → 2011-01-01 is 365 days; 2010-01-01 → 2012-01-01 is 730; 2010-06-01 → 2011-01-01 is 214.
  assert.deepEqual(Array.from(c.time), [365, 730, 214]);
  assert.deepEqual(Array.from(c.followup), [730, 730, 214]);
  assert.deepEqual(Array.from(c.riskBand), [0, 1, -1]);
  assert.deepEqual(Array.from(c.covariates[0]), [30, 40, 50]);
});

test('calendar dates are checked: 2012-02-29 exists, 2011-02-29 and 2010-13-01 do not', () => {
  assert.equal(parseIsoDay('1970-01-01'), 0);
  assert.equal(parseIsoDay('2012-02-29') - parseIsoDay('2012-02-28'), 1);
  assert.ok(Number.isNaN(parseIsoDay('2011-02-29')));
  assert.ok(Number.isNaN(parseIsoDay('2010-13-01')));
  assert.ok(Number.isNaN(parseIsoDay('01/02/2010')));
});

test('a missing required, covariate or outcome column is refused on line 1, naming the column', () => {
  const noEnd = 'person_ref,treated,release_date,risk_band,age,sexual_reoffence_date\nA1,1,2010-01-01,low,30,\n';
  assert.deepEqual(problems(noEnd), [{ line: 1, field: 'end_of_followup', reason: 'missing column' }]);
  assert.deepEqual(problems(csv(...good), { covariates: ['age', 'iq'], outcome: 'sexual' }), [{ line: 1, field: 'iq', reason: 'missing column' }]);
  assert.deepEqual(problems(csv(...good), { covariates: ['age'], outcome: 'violent' }), [
    { line: 1, field: 'violent_reoffence_date', reason: 'missing column' },
  ]);
});

test('every bad row is reported with its line number and field, and the whole file is refused', () => {
  const found = problems(
    csv(
      good[0],
      'A1,0,2010-01-01,2012-01-01,low,30,', // duplicate person_ref (line 3)
      'A4,2,2010-01-01,2012-01-01,low,30,', // treated not 0/1 (line 4)
      'A5,1,2010-02-30,2012-01-01,low,30,', // impossible date (line 5)
      'A6,1,2010-01-01,2009-01-01,low,30,', // end before release (line 6)
      'A7,1,2010-01-01,2012-01-01,low,30,2009-12-31', // event before release (line 7)
      'A8,1,2010-01-01,2012-01-01,low,thirty,', // non-numeric covariate (line 8)
      'A9,1,2010-01-01,2012-01-01,extreme,30,', // unknown risk band (line 9)
      'A10,1,2010-01-01,2012-01-01,low,30,yesterday', // unparsable event date (line 10)
    ),
  );
  assert.deepEqual(
    found.map((p) => [p.line, p.field]),
    [
      [3, 'person_ref'],
      [4, 'treated'],
      [5, 'release_date'],
      [6, 'end_of_followup'],
      [7, 'sexual_reoffence_date'],
      [8, 'age'],
      [9, 'risk_band'],
      [10, 'sexual_reoffence_date'],
    ],
  );
  assert.match(found[0].reason, /duplicate of line 2/);
});

test('a row with the wrong number of fields is refused, and a covariate not requested is not checked', () => {
  const found = problems(csv(good[0], 'A2,0,2010-01-01'));
  assert.deepEqual(
    found.map((p) => [p.line, p.field]),
    [[3, 'row']],
  );
  const lenient = parseCohort(csv(good[0], 'A2,0,2010-01-01,2012-01-01,low,n/a,'), { covariates: [], outcome: 'sexual' });
  assert.equal(lenient.rows, 2);
});

test('a file with a header and no rows is refused', () => {
  assert.deepEqual(
    problems(`${header}\n`).map((p) => p.reason),
    ['the file has no rows'],
  );
});
