// Which sessions are history rather than plan: re-planning holds them where they are, with their facilitators.
import type { IsoDate } from './calendar.js';

export interface SessionFacts {
  date: IsoDate;
  /** A register, a log, participants' work or a recording has been recorded for it. */
  recorded: boolean;
}

/** A session has happened once its day is past or anything has been recorded for it; it never moves again. */
export function sessionHasHappened(session: SessionFacts, today: IsoDate): boolean {
  return session.date < today || session.recorded;
}
