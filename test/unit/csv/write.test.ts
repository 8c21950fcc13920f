import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { csvText } from '../../../src/domain/csv/write.js';
import { synthCohort, synthCsv } from '../../../src/domain/evaluation/synth.js';

const formulas = ['=HYPERLINK("http://evil.example","click")', '+1', '-1+2', '@SUM(A1)', '\t=1', '\r=1'];

const cells = (text: string): string[][] => parse(text, { relax_quotes: true });

test('cells sotp writes to CSV are data, never formulas: the shared writer quotes text starting with = + - @ tab or CR', () => {
  const text = csvText(
    formulas.map((f) => ({ person_ref: f, note: 'plain' })),
    ['person_ref', 'note'],
  );
  const [header, ...rows] = cells(text);
  assert.deepEqual(header, ['person_ref', 'note']);
  assert.deepEqual(
    rows.map((r) => r[0]),
    formulas.map((f) => `'${f}`),
  );
  assert.deepEqual(
    rows.map((r) => r[1]),
    formulas.map(() => 'plain'),
  );
});

test('cells sotp writes to CSV are data, never formulas: genuine numbers stay numbers, text that looks like one does not', () => {
  const text = csvText([{ x: -0.5, y: '-0.5', z: 3 }], ['x', 'y', 'z']);
  assert.equal(text, "x,y,z\n-0.5,'-0.5,3\n");
});

test('cells sotp writes to CSV are data, never formulas: a synthetic cohort file neutralises a text cell like any other', () => {
  const cohort = synthCohort({ preset: 'mews2017', seed: 3, rows: 50 });
  formulas.slice(0, 4).forEach((f, i) => (cohort.personRef[i] = f));
  const [header, ...rows] = cells(synthCsv(cohort));
  const ref = header.indexOf('person_ref');
  assert.deepEqual(
    rows.slice(0, 4).map((r) => r[ref]),
    formulas.slice(0, 4).map((f) => `'${f}`),
  );
  assert.equal(rows[4][ref], cohort.personRef[4], 'an ordinary pseudonym is unchanged');
});
