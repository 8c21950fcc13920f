// How dates and times read on the pages: GOV.UK style, in UK time.
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'Europe/London' });

/** Accepts a Date or a calendar day 'YYYY-MM-DD' (which is shown as that day, whatever the zone). */
export function formatDate(value: Date | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string') {
    const [y, m, d] = value.split('-').map(Number);
    return dateFormat.format(new Date(Date.UTC(y, m - 1, d, 12)));
  }
  return dateFormat.format(value);
}

export function formatDateTime(value: Date | null | undefined): string {
  if (!value) return '';
  return `${formatDate(value)} at ${timeFormat.format(value).replace(' ', '').toLowerCase()}`;
}
