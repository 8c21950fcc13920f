import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, entryHash, genesisHash, verifyChain, type StoredAuditEntry } from '../../../src/domain/audit/chain.js';

function chain(n: number): StoredAuditEntry[] {
  const entries: StoredAuditEntry[] = [];
  let prevHash = genesisHash;
  for (let seq = 1; seq <= n; seq++) {
    const entry = {
      seq,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
      actor: 'admin',
      action: 'user.viewed',
      subjectType: 'user',
      subjectId: String(seq),
      siteId: null,
      details: { count: seq },
    };
    const hash = entryHash(entry, prevHash);
    entries.push({ ...entry, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

test('canonical JSON sorts keys at every depth, so key order cannot change a hash', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } }), '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
});

test('an untouched chain is intact and counts its entries', () => {
  assert.deepEqual(verifyChain(chain(5)), { intact: true, entries: 5 });
});

test('an edited entry breaks the chain at that entry', () => {
  const entries = chain(5);
  entries[2] = { ...entries[2], details: { count: 999 } };
  const verdict = verifyChain(entries);
  assert.equal(verdict.intact, false);
  assert.equal(!verdict.intact && verdict.brokenAt, 3);
});

test('an edit that also recomputes its own hash is caught by the next entry', () => {
  const entries = chain(5);
  const edited = { ...entries[1], actor: 'someone-else' };
  const { prevHash, hash: _old, ...content } = edited;
  entries[1] = { ...edited, hash: entryHash(content, prevHash) };
  const verdict = verifyChain(entries);
  assert.equal(!verdict.intact && verdict.brokenAt, 3);
});

test('a deleted entry is reported as missing', () => {
  const entries = chain(5);
  entries.splice(1, 1);
  const verdict = verifyChain(entries);
  assert.equal(!verdict.intact && verdict.brokenAt, 2);
  assert.match(!verdict.intact ? verdict.reason : '', /entry 2 is missing/);
});

test('the first entry must link to the genesis hash', () => {
  const entries = chain(2);
  entries[0] = { ...entries[0], prevHash: 'f'.repeat(64) };
  assert.equal(verifyChain(entries).intact, false);
});
