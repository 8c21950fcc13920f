// Appends to and verifies the tamper-evident audit log. Appends run inside the caller's transaction,
// so an entry exists exactly when the change it records was committed.
import { asc, desc, gt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/connection.js';
import { auditLog } from '../db/schema.js';
import { entryHash, genesisHash, verifyChain, type ChainVerdict, type StoredAuditEntry } from '../domain/audit/chain.js';
import type { Actor } from './access.js';

export interface AuditEvent {
  action: string;
  subjectType: string;
  subjectId?: string | number | null;
  siteId?: number | null;
  /** Identifiers and counts only: never names, prison numbers or other personal values. */
  details?: Record<string, unknown>;
}

// Any constant will do: it serialises appenders so seq stays contiguous and the chain linear.
const auditLockKey = 741_852_963;

export async function appendAudit(tx: Tx, actor: Actor, event: AuditEvent): Promise<void> {
  // The lock is taken before the chain's head is read, in its own statement: in one statement the planner
  // may read the head first. It is held until commit, serialising every writer of the chain.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${auditLockKey})`);
  const [last] = await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
  const entry = {
    seq: (last?.seq ?? 0) + 1,
    // Millisecond precision: what JavaScript dates hold, so the stored time hashes the same when read back.
    occurredAt: new Date(Date.now()),
    actor: actor.username,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId === undefined || event.subjectId === null ? null : String(event.subjectId),
    siteId: event.siteId ?? null,
    details: event.details ?? {},
  };
  const prevHash = last?.hash ?? genesisHash;
  await tx.insert(auditLog).values({ ...entry, prevHash, hash: entryHash(entry, prevHash) });
}

async function* entriesInOrder(db: Db, pageSize = 5000): AsyncGenerator<StoredAuditEntry> {
  let after = 0;
  for (;;) {
    const page = await db.select().from(auditLog).where(gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(pageSize);
    for (const row of page) yield row;
    if (page.length < pageSize) return;
    after = page[page.length - 1].seq;
  }
}

export async function verifyAuditLog(db: Db): Promise<ChainVerdict> {
  const entries: StoredAuditEntry[] = [];
  for await (const entry of entriesInOrder(db)) entries.push(entry);
  return verifyChain(entries);
}
