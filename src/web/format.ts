// How dates, times and figures read on the pages: dates GOV.UK style, in UK time.
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

/** A figure to a fixed number of decimals; 'n/a' when the data could not give one (stored runs keep NaN as null). */
export function formatFixed(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}
