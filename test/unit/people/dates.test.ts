import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convictionDateProblem, dateOfBirthProblem } from '../../../src/domain/people/dates.js';

const today = '2026-12-01';

test('a date of birth is in the past: today or tomorrow is refused', () => {
  assert.match(dateOfBirthProblem('2026-12-01', today) ?? '', /in the past/);
  assert.match(dateOfBirthProblem('2031-05-05', today) ?? '', /in the past/);
  assert.equal(dateOfBirthProblem('1980-05-17', today), null);
});

test('a date of birth gives an age under 110', () => {
  assert.equal(dateOfBirthProblem('1916-12-02', today), null, 'aged 109 the day before his birthday');
  assert.match(dateOfBirthProblem('1916-12-01', today) ?? '', /under 110/, 'aged 110 on his birthday');
  assert.match(dateOfBirthProblem('1890-01-01', today) ?? '', /under 110/);
});

test('a conviction date is not after today', () => {
  assert.match(convictionDateProblem('2031-01-01', '1980-05-17', today) ?? '', /today or in the past/);
  assert.match(convictionDateProblem('2026-12-02', '1980-05-17', today) ?? '', /today or in the past/);
  assert.equal(convictionDateProblem('2026-12-01', '1980-05-17', today), null);
});

test('a conviction date is not before his date of birth', () => {
  assert.match(convictionDateProblem('1980-05-16', '1980-05-17', today) ?? '', /date of birth/);
  assert.equal(convictionDateProblem('1980-05-17', '1980-05-17', today), null);
});
