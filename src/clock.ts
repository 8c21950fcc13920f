// Today's calendar day where the programme runs. Times are stored in UTC; calendar days (session dates, release
// dates, "today" in a rule) are the day in Europe/London, whatever the server's own time zone.
const londonDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today in Europe/London as YYYY-MM-DD. */
export function londonToday(now = new Date()): string {
  return londonDay.format(now);
}
