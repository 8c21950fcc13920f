// The audit log's hash chain: each entry's hash covers its canonical form and the previous hash,
// so editing, deleting or reordering any entry breaks every hash after it.
import { createHash } from 'node:crypto';

export const genesisHash = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  occurredAt: Date;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  siteId: number | null;
  details: Record<string, unknown>;
}

/** JSON with object keys sorted at every depth, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function entryHash(entry: AuditEntry, prevHash: string): string {
  return createHash('sha256')
    .update(canonicalJson({ ...entry, prevHash }))
    .digest('hex');
}

export interface StoredAuditEntry extends AuditEntry {
  prevHash: string;
  hash: string;
}

export type ChainVerdict = { intact: true; entries: number } | { intact: false; entries: number; brokenAt: number; reason: string };

/** Checks entries in seq order: contiguous numbering from 1, each linked to the one before, each hash right. */
export function verifyChain(entries: Iterable<StoredAuditEntry>): ChainVerdict {
  let expectedSeq = 1;
  let prevHash = genesisHash;
  let count = 0;
  for (const entry of entries) {
    count++;
    if (entry.seq !== expectedSeq) {
      return { intact: false, entries: count, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing (next entry found is ${entry.seq})` };
    }
    if (entry.prevHash !== prevHash) {
      return { intact: false, entries: count, brokenAt: entry.seq, reason: `entry ${entry.seq} does not link to the entry before it` };
    }
    const { prevHash: _p, hash, ...content } = entry;
    if (entryHash(content, prevHash) !== hash) {
      return { intact: false, entries: count, brokenAt: entry.seq, reason: `entry ${entry.seq} has been altered (its hash does not match its content)` };
    }
    prevHash = hash;
    expectedSeq++;
  }
  return { intact: true, entries: count };
}
