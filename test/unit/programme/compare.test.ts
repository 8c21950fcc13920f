import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compareProgrammeVersions } from '../../../src/domain/programme/compare.js';
import { parseProgrammeDefinition, type ProgrammeDefinition } from '../../../src/domain/programme/definition.js';

const coreFile = new URL('../../../programmes/core-sotp.v1.json', import.meta.url);
const v1 = parseProgrammeDefinition(JSON.parse(readFileSync(coreFile, 'utf8')), 'core-sotp.v1.json');
/** A copy of version 1 as version 2 with `change` applied. */
function v2(change: (def: ProgrammeDefinition) => void): ProgrammeDefinition {
  const def = structuredClone(v1);
  def.version = 2;
  change(def);
  return def;
}

test('two versions that differ only in their number compare as unchanged', () => {
  const comparison = compareProgrammeVersions(
    v1,
    v2(() => {}),
  );
  assert.equal(comparison.unchanged, true);
  assert.deepEqual(
    [comparison.settings, comparison.blocks, comparison.eligibilityCriteria, comparison.catalogue, comparison.sessionMoves],
    [[], [], [], [], []],
  );
});

test('a criterion removed and one added are listed with every field; a changed one only with the fields that changed', () => {
  const comparison = compareProgrammeVersions(
    v1,
    v2((def) => {
      def.eligibility.criteria = def.eligibility.criteria.filter((c) => c.id !== 'iq');
      def.eligibility.criteria.push({ id: 'consent', kind: 'minimum_age', years: 21, description: 'Aged 21 or over' });
      const risk = def.eligibility.criteria.find((c) => c.id === 'risk');
      if (risk?.kind === 'risk_category') risk.categories = ['high', 'very_high'];
    }),
  );
  assert.equal(comparison.unchanged, false);
  assert.deepEqual(
    comparison.eligibilityCriteria.map((c) => [c.change, c.key, c.fields.map((f) => [f.path, f.label, f.was, f.now])]),
    [
      ['changed', 'risk', [['eligibility.criteria[3].categories', 'Categories', ['medium', 'high', 'very_high'], ['high', 'very_high']]]],
      [
        'added',
        'consent',
        [
          ['eligibility.criteria[4].id', 'Id', undefined, 'consent'],
          ['eligibility.criteria[4].kind', 'Kind', undefined, 'minimum_age'],
          ['eligibility.criteria[4].years', 'Minimum age (years)', undefined, 21],
          ['eligibility.criteria[4].description', 'Description', undefined, 'Aged 21 or over'],
        ],
      ],
      [
        'removed',
        'iq',
        [
          ['eligibility.criteria[4].id', 'Id', 'iq', undefined],
          ['eligibility.criteria[4].description', 'Description', v1.eligibility.criteria[4].description, undefined],
          ['eligibility.criteria[4].kind', 'Kind', 'iq_above', undefined],
          ['eligibility.criteria[4].threshold', 'IQ above', 80, undefined],
        ],
      ],
    ],
  );
});

test('limits are compared field by field, and sessions that move block are listed as runs', () => {
  const comparison = compareProgrammeVersions(
    v1,
    v2((def) => {
      def.maxSessionsPerDay = 2;
      def.blocks[4].sessions = 7; // block 5: 10 sessions → 7
      def.blocks[5].sessions = 7; // block 6: 4 sessions → 7
      def.blocks[4].title = 'Offence accounts (shorter)';
    }),
  );
  assert.deepEqual(
    comparison.settings.map((f) => [f.path, f.label, f.was, f.now]),
    [['maxSessionsPerDay', 'Most sessions a day', 1, 2]],
  );
  assert.deepEqual(
    comparison.blocks.map((b) => [b.key, b.label, b.fields.map((f) => [f.path, f.was, f.now])]),
    [
      [
        '5',
        'Block 5: Offence accounts (shorter)',
        [
          ['blocks[4].title', 'Offence accounts', 'Offence accounts (shorter)'],
          ['blocks[4].sessions', 10, 7],
        ],
      ],
      ['6', 'Block 6: Sexual fantasy', [['blocks[5].sessions', 4, 7]]],
    ],
  );
  // Blocks 1–4 hold sessions 1–17 in both; block 5 held 18–27 and now 18–24, so 25–27 move to block 6.
  assert.deepEqual(comparison.sessionMoves, [{ first: 25, last: 27, wasBlock: 5, nowBlock: 6 }]);
});
