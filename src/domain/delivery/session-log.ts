// The rules of a session's log: what it starts from (the programme's block for that session) and how long its
// facilitators may change it (the programme's sessionLogOpenDays) before only the treatment manager may.
import type { ProgrammeDefinition } from '../programme/definition.js';
import { dayNumber, isoDate } from '../schedule/calendar.js';

/** What a programme version recorded before the setting existed leaves its logs open for. */
export const defaultSessionLogOpenDays = 7;

export interface LogContent {
  blocksCovered: number[];
  targetsCovered: string;
}

/** A new log starts from the session's block and that block's principal target, as the manual plans it. */
export function logPrefill(programme: Pick<ProgrammeDefinition, 'blocks'>, block: number): LogContent {
  const planned = programme.blocks.find((b) => b.number === block);
  return { blocksCovered: [block], targetsCovered: planned?.principalTarget ?? '' };
}

export function sessionLogOpenDays(programme: Partial<Pick<ProgrammeDefinition, 'sessionLogOpenDays'>>): number {
  return programme.sessionLogOpenDays ?? defaultSessionLogOpenDays;
}

/** The last day a session's facilitators may change its log: the session's day plus the days it stays open. */
export function logOpenUntil(sessionDate: string, openDays: number): string {
  return isoDate(dayNumber(sessionDate) + openDays);
}

export function isLogLocked(sessionDate: string, today: string, openDays: number): boolean {
  return today > logOpenUntil(sessionDate, openDays);
}

/** Whether a session can have a log yet: it has taken place (today or before) and was not cancelled. */
export function logProblem(session: { sessionDate: string; status: string }, today: string): string | null {
  if (session.status === 'cancelled') return 'This session was cancelled: there is nothing to log';
  if (session.sessionDate > today) return 'You can write the log once the session has taken place';
  return null;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Why a facilitator may no longer change the log, in words. */
export function lockedText(sessionDate: string, openDays: number): string {
  const until = dayFormat.format(new Date(`${logOpenUntil(sessionDate, openDays)}T00:00:00Z`));
  return `This session log closed to facilitators after ${until}, ${openDays} days after the session. Ask the treatment manager to make the change.`;
}
