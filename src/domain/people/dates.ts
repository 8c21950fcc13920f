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
