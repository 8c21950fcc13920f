import { test } from 'node:test';
import assert from 'node:assert/strict';
import { productType } from '../../../src/domain/delivery/products.js';
import { isLogLocked, logPrefill, logProblem } from '../../../src/domain/delivery/session-log.js';
import { loadProgrammeDefinitions } from '../../../src/programme-files.js';

const coreSotp = loadProgrammeDefinitions().find((d) => d.id === 'core-sotp')!;

test('a session log is open to its facilitators through the programme’s days after the session and locked from the day after', () => {
  assert.equal(isLogLocked('2027-01-04', '2027-01-11', 7), false);
  assert.equal(isLogLocked('2027-01-04', '2027-01-12', 7), true);
  assert.equal(isLogLocked('2027-01-04', '2027-01-05', 1), false);
  assert.equal(isLogLocked('2027-01-04', '2027-01-06', 1), true);
});

test('a log is written once the session has taken place, and never for a cancelled one', () => {
  assert.equal(logProblem({ sessionDate: '2027-01-04', status: 'scheduled' }, '2027-01-04'), null);
  assert.match(logProblem({ sessionDate: '2027-01-05', status: 'scheduled' }, '2027-01-04') ?? '', /once the session has taken place/);
  assert.match(logProblem({ sessionDate: '2027-01-04', status: 'cancelled' }, '2027-01-10') ?? '', /cancelled/);
});

test('a new log starts from its block and the block’s principal target in the programme', () => {
  const last = coreSotp.blocks.at(-1)!;
  assert.deepEqual(logPrefill(coreSotp, last.number), { blocksCovered: [last.number], targetsCovered: last.principalTarget });
});

test('a product is kept by the type its bytes show; a Word 97–2003 container only when named .doc', () => {
  assert.deepEqual(productType({ ext: 'pdf', mime: 'application/pdf' }, 'anything.exe'), { contentType: 'application/pdf', label: 'PDF' });
  assert.equal((productType({ ext: 'cfb', mime: 'application/x-cfb' }, 'essay.doc') as { contentType: string }).contentType, 'application/msword');
  assert.ok('refused' in productType({ ext: 'cfb', mime: 'application/x-cfb' }, 'budget.xls'));
  assert.ok('refused' in productType({ ext: 'exe', mime: 'application/x-msdownload' }, 'homework.pdf'));
  assert.ok('refused' in productType(undefined, 'notes.pdf'));
});
