// What is still to record for a session once it has taken place: the one list the facilitator's home page shows.
import type { Executor } from '../../db/connection.js';
import { logProblem } from '../../domain/delivery/session-log.js';
import { sessionsWithLogs } from './session-logs.js';

export interface OutstandingSession {
  id: number;
  groupId: number;
  sessionDate: string;
  status: string;
}

export interface OutstandingRecord {
  kind: 'log';
  text: string;
  href: string;
}

/** For each session, the records still to make (none before the session has taken place, or if it was cancelled). */
export async function outstandingRecords(ex: Executor, sessions: OutstandingSession[], today: string): Promise<Map<number, OutstandingRecord[]>> {
  const due = sessions.filter((s) => logProblem(s, today) === null);
  const logged = await sessionsWithLogs(
    ex,
    due.map((s) => s.id),
  );
  const result = new Map<number, OutstandingRecord[]>(sessions.map((s) => [s.id, []]));
  for (const s of due) {
    if (!logged.has(s.id)) result.get(s.id)!.push({ kind: 'log', text: 'Session log', href: `/groups/${s.groupId}/sessions/${s.id}/log` });
  }
  return result;
}
