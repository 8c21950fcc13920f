// The waitlist for a programme at a site: men awaiting allocation, highest risk first, then soonest release,
// with how long each has waited and a warning when he may be released before a group starting now could end.
import { riskCategories, type ProgrammeDefinition, type RiskCategory } from '../programme/definition.js';
import type { ReferralStatusId } from './workflow.js';

/** Dates are calendar dates, YYYY-MM-DD. */
export interface WaitlistCandidate {
  referralId: string;
  siteId: string;
  programmeId: string;
  status: ReferralStatusId;
  riskCategory?: RiskCategory;
  earliestReleaseDate?: string;
  /** When the referral entered awaiting_allocation (the latest time, if it came back). */
  enteredWaitlistOn: string;
}

export interface WaitlistRow extends WaitlistCandidate {
  position: number;
  daysWaiting: number;
  /** The earliest release date falls before the earliest possible end of a group starting today. */
  releaseBeforeGroupEnds: boolean;
}

const dayMs = 24 * 60 * 60 * 1000;

function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / dayMs;
}

function dateFromDayNumber(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

/**
 * The earliest a group starting today could end: today + ceil(totalSessions / maxSessionsPerWeek) weeks
 * (84 sessions at 5 a week: 17 weeks). A deliberate approximation ignoring holidays and staffing;
 * the scheduling engine builds real calendars.
 */
export function earliestGroupEnd(today: string, programme: Pick<ProgrammeDefinition, 'totalSessions' | 'maxSessionsPerWeek'>): string {
  const weeks = Math.ceil(programme.totalSessions / programme.maxSessionsPerWeek);
  return dateFromDayNumber(dayNumber(today) + weeks * 7);
}

// Risk rank: very high first; an unrecorded category after every recorded one.
const riskRank = (c?: RiskCategory): number => (c === undefined ? -1 : riskCategories.indexOf(c));

/**
 * The ordered waitlist for one site and programme: highest risk first, then the soonest earliest release date
 * (none recorded last), then the longest wait, then referral id so that the order is always the same.
 */
export function orderWaitlist(
  candidates: readonly WaitlistCandidate[],
  where: { siteId: string; programme: Pick<ProgrammeDefinition, 'id' | 'totalSessions' | 'maxSessionsPerWeek'> },
  today: string,
): WaitlistRow[] {
  const groupEnd = dayNumber(earliestGroupEnd(today, where.programme));
  const release = (c: WaitlistCandidate) => (c.earliestReleaseDate === undefined ? Infinity : dayNumber(c.earliestReleaseDate));
  return candidates
    .filter((c) => c.siteId === where.siteId && c.programmeId === where.programme.id && c.status === 'awaiting_allocation')
    .sort(
      (a, b) =>
        riskRank(b.riskCategory) - riskRank(a.riskCategory) ||
        compare(release(a), release(b)) ||
        compare(dayNumber(a.enteredWaitlistOn), dayNumber(b.enteredWaitlistOn)) ||
        compare(a.referralId, b.referralId),
    )
    .map((c, i) => ({
      ...c,
      position: i + 1,
      daysWaiting: dayNumber(today) - dayNumber(c.enteredWaitlistOn),
      releaseBeforeGroupEnds: release(c) < groupEnd,
    }));
}

// Infinity - Infinity is NaN, so compare rather than subtract.
function compare<T extends number | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
