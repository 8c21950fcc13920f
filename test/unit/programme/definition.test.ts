import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseProgrammeDefinition, ProgrammeDefinitionError, sessionBlocks } from '../../../src/domain/programme/definition.js';
import { loadProgrammeDefinitions } from '../../../src/programme-files.js';

const coreFile = new URL('../../../programmes/core-sotp.v1.json', import.meta.url);
const raw = () => JSON.parse(readFileSync(coreFile, 'utf8'));

test('Core SOTP v1 has 84 sessions of 150 minutes in 20 blocks, up to 5 a week, 9 men, 2 facilitators', () => {
  const [core] = loadProgrammeDefinitions().filter((d) => d.id === 'core-sotp');
  assert.equal(core.blocks.length, 20);
  assert.equal(
    core.blocks.reduce((n, b) => n + b.sessions, 0),
    84,
  );
  assert.equal(core.sessionMinutes, 150);
  assert.equal(core.maxSessionsPerWeek, 5);
  assert.equal(core.groupCapacity, 9);
  assert.equal(core.facilitatorsPerSession, 2);
  assert.deepEqual(
    core.riskDomains.map((d) => d.id),
    ['sexual_interests', 'offence_supportive_attitudes', 'interpersonal_deficits', 'self_regulation_deficits'],
  );
});

test('blocks 10 to 13 share one principal target, as the source document says', () => {
  const core = parseProgrammeDefinition(raw(), 'core');
  const targets = new Set(core.blocks.filter((b) => b.number >= 10 && b.number <= 13).map((b) => b.principalTarget));
  assert.equal(targets.size, 1);
});

test('session numbers map to blocks in manual order', () => {
  const blocks = sessionBlocks(parseProgrammeDefinition(raw(), 'core'));
  assert.equal(blocks.length, 84);
  assert.equal(blocks[0], 1);
  assert.equal(blocks[83], 20);
  for (let i = 1; i < blocks.length; i++) assert.ok(blocks[i] >= blocks[i - 1]);
});

function rejects(mutate: (d: any) => void, field: string) {
  const d = raw();
  mutate(d);
  assert.throws(
    () => parseProgrammeDefinition(d, 'broken.json'),
    (e: unknown) => e instanceof ProgrammeDefinitionError && e.field === field,
  );
}

test('a definition whose block session counts do not add up to the total is refused, naming blocks', () => {
  rejects((d) => (d.blocks[0].sessions += 1), 'blocks');
});

test('blocks out of order are refused, naming the block number', () => {
  rejects((d) => ([d.blocks[0], d.blocks[1]] = [d.blocks[1], d.blocks[0]]), 'blocks[0].number');
});

test('a Core SOTP definition with sessions other than 150 minutes is refused', () => {
  rejects((d) => (d.sessionMinutes = 120), 'sessionMinutes');
});

test('a Core SOTP definition allowing 6 sessions a week is refused', () => {
  rejects((d) => (d.maxSessionsPerWeek = 6), 'maxSessionsPerWeek');
});

test('a definition missing its catalogue rating is refused, naming the field', () => {
  rejects((d) => delete d.catalogue.rating, 'catalogue.rating');
});

test('an unknown eligibility criterion kind is refused', () => {
  rejects((d) => (d.eligibility.criteria[0].kind = 'shoe_size'), 'eligibility.criteria[0].kind');
});

test('a definition with a NUL character in any text is refused naming the field: the database cannot store it', () => {
  const d = raw();
  d.blocks[2].title = 'Positive\u0000coping';
  assert.throws(
    () => parseProgrammeDefinition(d, 'core-sotp.v2.json'),
    (e: unknown) => e instanceof ProgrammeDefinitionError && e.field === 'blocks[2].title',
  );
});

test('the Core SOTP file holds its audit data: at least three recordings, the indicators’ standards and a four-point rating scale', () => {
  const core = parseProgrammeDefinition(raw(), 'core');
  assert.equal(core.audit?.minimumRecordings, 3);
  assert.deepEqual(core.audit?.standards, { registerWithinDays: 2, logWithinDays: 7, reportWithinDays: 28, groupStartWithinDays: 28, target: 1 });
  assert.deepEqual(
    core.audit?.ratingScale?.map((l) => l.label),
    ['Exceeds the standard', 'Meets the standard', 'Partly meets the standard', 'Does not meet the standard'],
  );
});

test('a rating scale without exactly four levels, or a level without a descriptor for a criterion, is refused naming the field', () => {
  rejects((d) => d.audit.ratingScale.pop(), 'audit.ratingScale');
  rejects((d) => delete d.audit.ratingScale[1].descriptors.treatment_management, 'audit.ratingScale[1].descriptors.treatment_management');
  rejects((d) => (d.audit.ratingScale[2].id = d.audit.ratingScale[0].id), 'audit.ratingScale');
  rejects((d) => (d.audit.standards.target = 1.5), 'audit.standards.target');
});
