import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionConflicts, type StaffingFacts } from '../../../src/domain/schedule/staffing.js';

const facts = (over: Partial<StaffingFacts> = {}): StaffingFacts => ({
  closures: new Set(),
  unavailable: new Map(),
  accreditations: new Map([
    ['frankie', { accreditedOn: '2025-01-01', deliversUntil: '2027-06-01', endedBy: 'supervision' as const }],
    ['kit', { accreditedOn: '2025-01-01', deliversUntil: '9999-12-31', endedBy: null }],
    ['lee', { accreditedOn: '2025-01-01', deliversUntil: '2027-02-28', endedBy: 'suspension' as const }],
  ]),
  ...over,
});

test('a planned session after a facilitator’s accreditation lapsed for want of supervision is flagged; one on its last day is not', () => {
  assert.deepEqual(sessionConflicts({ date: '2027-06-01', facilitators: ['frankie', 'kit'] }, facts()), []);
  assert.deepEqual(sessionConflicts({ date: '2027-06-02', facilitators: ['frankie', 'kit'] }, facts()), [
    { kind: 'supervision-lapsed', facilitator: 'frankie', until: '2027-06-01' },
  ]);
});

test('a planned session from the day an accreditation is suspended is flagged as not accredited', () => {
  assert.deepEqual(sessionConflicts({ date: '2027-02-28', facilitators: ['lee', 'kit'] }, facts()), []);
  assert.deepEqual(sessionConflicts({ date: '2027-03-01', facilitators: ['lee', 'kit'] }, facts()), [{ kind: 'not-accredited', facilitator: 'lee' }]);
});

test('a planned session on a closure day, or with a facilitator unavailable or unaccredited that day, is flagged', () => {
  const conflicts = sessionConflicts(
    { date: '2027-03-03', facilitators: ['kit', 'robin'] },
    facts({ closures: new Set(['2027-03-03']), unavailable: new Map([['kit', new Set(['2027-03-03'])]]) }),
  );
  assert.deepEqual(conflicts, [{ kind: 'closure' }, { kind: 'unavailable', facilitator: 'kit' }, { kind: 'not-accredited', facilitator: 'robin' }]);
});
