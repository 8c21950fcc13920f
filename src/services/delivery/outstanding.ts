// What is still to record for a session once it has taken place: the one list the facilitator's home page shows.
import { inArray } from 'drizzle-orm';
import type { Executor } from '../../db/connection.js';
import { recordings, sessionRegisters } from '../../db/schema.js';
import { logProblem } from '../../domain/delivery/session-log.js';
import { sessionsWithLogs } from './session-logs.js';

export interface OutstandingSession {
  id: number;
  groupId: number;
  sessionDate: string;
  status: string;
}

export interface OutstandingRecord {
  kind: 'register' | 'log' | 'recording';
  text: string;
  href: string;
}

/** For each session, the records still to make (none before the session has taken place, or if it was cancelled). */
export async function outstandingRecords(ex: Executor, sessions: OutstandingSession[], today: string): Promise<Map<number, OutstandingRecord[]>> {
  const due = sessions.filter((s) => logProblem(s, today) === null);
  const ids = due.map((s) => s.id);
  const logged = await sessionsWithLogs(ex, ids);
  const registered = new Set(
    ids.length
      ? (await ex.select({ id: sessionRegisters.sessionId }).from(sessionRegisters).where(inArray(sessionRegisters.sessionId, ids))).map((r) => r.id)
      : [],
  );
  // A recording purged under the retention rule was still made: only a session never recorded is outstanding.
  const recorded = new Set(
    ids.length ? (await ex.select({ id: recordings.sessionId }).from(recordings).where(inArray(recordings.sessionId, ids))).map((r) => r.id) : [],
  );
  const result = new Map<number, OutstandingRecord[]>(sessions.map((s) => [s.id, []]));
  for (const s of due) {
    const still = result.get(s.id)!;
    const session = `/groups/${s.groupId}/sessions/${s.id}`;
    if (!registered.has(s.id)) still.push({ kind: 'register', text: 'Register', href: `${session}/register` });
    if (!logged.has(s.id)) still.push({ kind: 'log', text: 'Session log', href: `${session}/log` });
    if (!recorded.has(s.id)) still.push({ kind: 'recording', text: 'Recording', href: `${session}/recordings` });
  }
  return result;
}
