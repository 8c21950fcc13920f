import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionConflicts, supervisionStatus, type StaffingFacts } from '../../../src/domain/schedule/staffing.js';

const facts = (over: Partial<StaffingFacts> = {}): StaffingFacts => ({
  closures: new Set(),
  unavailable: new Map(),
  accreditations: new Map([
    ['frankie', { accreditedOn: '2025-01-01', supervisionCurrentUntil: '2027-06-01' }],
    ['kit', { accreditedOn: '2025-01-01', supervisionCurrentUntil: '2029-12-31' }],
  ]),
  ...over,
});

test('a planned session after a facilitator’s supervision lapsed is flagged; one on its last day is not', () => {
  assert.deepEqual(sessionConflicts({ date: '2027-06-01', facilitators: ['frankie', 'kit'] }, facts()), []);
  assert.deepEqual(sessionConflicts({ date: '2027-06-02', facilitators: ['frankie', 'kit'] }, facts()), [
    { kind: 'supervision-lapsed', facilitator: 'frankie', until: '2027-06-01' },
  ]);
});

test('a planned session on a closure day, or with a facilitator unavailable or unaccredited that day, is flagged', () => {
  const conflicts = sessionConflicts(
    { date: '2027-03-03', facilitators: ['kit', 'robin'] },
    facts({ closures: new Set(['2027-03-03']), unavailable: new Map([['kit', new Set(['2027-03-03'])]]) }),
  );
  assert.deepEqual(conflicts, [{ kind: 'closure' }, { kind: 'unavailable', facilitator: 'kit' }, { kind: 'not-accredited', facilitator: 'robin' }]);
});

test('supervision is due from 14 days before it ends and lapsed the day after', () => {
  assert.equal(supervisionStatus('2027-06-01', '2027-05-17'), 'current');
  assert.equal(supervisionStatus('2027-06-01', '2027-05-18'), 'due');
  assert.equal(supervisionStatus('2027-06-01', '2027-06-01'), 'due');
  assert.equal(supervisionStatus('2027-06-01', '2027-06-02'), 'lapsed');
});
