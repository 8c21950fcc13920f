// Calendar-day arithmetic for people's records (dates of birth, convictions, release): pure, no clock.
// Dates are calendar days written YYYY-MM-DD.

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when the text is a real calendar day in the form YYYY-MM-DD (2023-02-30 is not). */
export function isCalendarDate(text: string): boolean {
  const match = isoPattern.exec(text);
  if (!match) return false;
  const [y, m, d] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Whole years from `from` to `to` (a birthday on the day counts): age on a date, or years since an event. */
export function wholeYearsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  let years = ty - fy;
  if (tm < fm || (tm === fm && td < fd)) years -= 1;
  return years;
}

/** The calendar day (UTC) of an instant, YYYY-MM-DD. */
export function calendarDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** The oldest age a recorded date of birth may give: older is a typing mistake (a year wrong by a century). */
export const maximumAge = 110;

/** Why a date of birth cannot be right on `today`, or null: it is in the past and gives an age under 110. */
export function dateOfBirthProblem(dateOfBirth: string, today: string): string | null {
  if (dateOfBirth >= today) return 'Date of birth must be in the past';
  if (wholeYearsBetween(dateOfBirth, today) >= maximumAge) return `Date of birth must give an age under ${maximumAge}`;
  return null;
}

/** Why a conviction date cannot be right for a man born on `dateOfBirth`, on `today`, or null. */
export function convictionDateProblem(convictionDate: string, dateOfBirth: string, today: string): string | null {
  if (convictionDate > today) return 'Conviction date must be today or in the past';
  if (convictionDate < dateOfBirth) return 'Conviction date must be on or after his date of birth';
  return null;
}
