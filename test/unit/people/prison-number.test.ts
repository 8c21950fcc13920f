import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikePrisonNumber, normalisedPrisonNumber } from '../../../src/domain/people/prison-number.js';

test('a prison number padded, in lower case or in full-width letters is still a prison number', () => {
  for (const text of ['A1234BC', 'A1234BC ', ' a1234bc', 'A1234 BC', 'A1234BC\u00A0', '\u200BA1234BC', 'Ａ１２３４ＢＣ', '"A1234BC\t'.slice(1)]) {
    assert.equal(looksLikePrisonNumber(text), true, JSON.stringify(text));
  }
});

test('pseudonyms and other text are not prison numbers', () => {
  for (const text of ['P0001', 'Pabc123def', 'A123BC', 'A12345BC', '1234ABC', '', ' ']) {
    assert.equal(looksLikePrisonNumber(text), false, JSON.stringify(text));
  }
});

test('a prison number is compared in one normal form: no spaces, upper case', () => {
  assert.equal(normalisedPrisonNumber(' b2222bb '), 'B2222BB');
});
