import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accreditationStanding, openEnded, type AccreditationRecord } from '../../../src/domain/staff/supervision.js';

const rules = { intervalDays: 42, graceDays: 14 };
const accredited: AccreditationRecord = { accreditedOn: '2027-01-04', suspendedFrom: null, withdrawnFrom: null };
// Last supervised on Monday 1 March 2027: due 42 days on (12 April), grace to 26 April.
const on = (today: string, record = accredited, last: string | null = '2027-03-01') => accreditationStanding(record, last, rules, today);

test('supervision is due the interval after the last supervision, and told from 14 days before', () => {
  assert.equal(on('2027-03-28').supervision, 'current');
  assert.equal(on('2027-03-29').supervision, 'due');
  assert.equal(on('2027-04-12').supervision, 'due');
  assert.equal(on('2027-04-12').supervisionDueOn, '2027-04-12');
});

test('overdue supervision leaves the accreditation standing through the grace period; the day after, it has lapsed from the grace date', () => {
  const overdue = on('2027-04-13');
  assert.equal(overdue.supervision, 'overdue');
  assert.equal(overdue.deliversUntil, openEnded);
  assert.equal(on('2027-04-26').supervision, 'overdue');
  const lapsed = on('2027-04-27');
  assert.equal(lapsed.supervision, 'lapsed');
  assert.equal(lapsed.graceEndsOn, '2027-04-26');
  assert.equal(lapsed.deliversUntil, '2027-04-26');
  assert.equal(lapsed.endedBy, 'supervision');
});

test('while supervision is not overdue beyond grace, the accreditation stands for every later session', () => {
  assert.equal(on('2027-03-02').deliversUntil, openEnded);
  assert.equal(on('2027-03-02').endedBy, null);
});

test('before the first supervision the interval runs from the day of accreditation; a supervision during training does not count', () => {
  assert.equal(on('2027-01-05', accredited, null).supervisionDueOn, '2027-02-15');
  assert.equal(on('2027-01-05', accredited, '2026-12-01').supervisionDueOn, '2027-02-15');
  assert.equal(on('2027-03-02', accredited, null).supervision, 'lapsed');
});

test('a suspension or withdrawal ends the accreditation the day before it starts, whichever comes first', () => {
  const suspended = on('2027-03-02', { ...accredited, suspendedFrom: '2027-03-10' });
  assert.deepEqual([suspended.deliversUntil, suspended.endedBy], ['2027-03-09', 'suspension']);
  const both = on('2027-03-02', { ...accredited, suspendedFrom: '2027-03-10', withdrawnFrom: '2027-03-05' });
  assert.deepEqual([both.deliversUntil, both.endedBy], ['2027-03-04', 'withdrawal']);
  const lapsedFirst = on('2027-05-01', { ...accredited, withdrawnFrom: '2027-06-01' });
  assert.deepEqual([lapsedFirst.deliversUntil, lapsedFirst.endedBy], ['2027-04-26', 'supervision']);
});
