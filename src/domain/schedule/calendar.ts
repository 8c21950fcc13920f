// England and Wales bank holidays by rule (plus the one-off changes), ISO weeks and date arithmetic.
// Dates are 'YYYY-MM-DD' strings or day numbers (days since 1970-01-01, UTC) so local time never leaks in.
// The one-off changes are data (bank-holiday-changes.json), so a new proclamation needs no code.
import { z } from 'zod';
import bankHolidayChanges from './bank-holiday-changes.json' with { type: 'json' };

export type IsoDate = string;
export type DayNumber = number;

export const weekdayNames = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekdayName = (typeof weekdayNames)[number];

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const msPerDay = 86_400_000;

/** True for a real calendar date written YYYY-MM-DD (rejects 2027-02-30). */
export function isIsoDate(value: string): boolean {
  const match = isoDatePattern.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function dayNumber(date: IsoDate): DayNumber {
  if (!isIsoDate(date)) throw new RangeError(`not a date in the form YYYY-MM-DD: "${date}"`);
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / msPerDay;
}

export function isoDate(day: DayNumber): IsoDate {
  return new Date(day * msPerDay).toISOString().slice(0, 10);
}

function dayOf(year: number, month: number, date: number): DayNumber {
  return Date.UTC(year, month - 1, date) / msPerDay;
}

/** ISO weekday: 1 Monday … 7 Sunday. Day 0 (1970-01-01) was a Thursday. */
export function isoWeekday(day: DayNumber): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

export function weekdayName(day: DayNumber): WeekdayName {
  return weekdayNames[isoWeekday(day) - 1];
}

/** The Monday starting the ISO week of the day: two days share an ISO week exactly when this matches. */
export function weekStart(day: DayNumber): DayNumber {
  return day - (isoWeekday(day) - 1);
}

/** ISO 8601 week-numbering year and week (the week belongs to the year of its Thursday). */
export function isoWeek(day: DayNumber): { year: number; week: number } {
  const thursday = weekStart(day) + 3;
  const year = new Date(thursday * msPerDay).getUTCFullYear();
  return { year, week: Math.floor((thursday - dayOf(year, 1, 1)) / 7) + 1 };
}

/** ISO weeks touched from the first to the last day inclusive (a Monday-to-Friday run is 1). */
export function weeksSpanned(first: DayNumber, last: DayNumber): number {
  return (weekStart(last) - weekStart(first)) / 7 + 1;
}

export interface BankHoliday {
  date: IsoDate;
  title: string;
}

/** Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher). */
export function easterSunday(year: number): DayNumber {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const date = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(year, month, date);
}

function firstMonday(year: number, month: number): DayNumber {
  const first = dayOf(year, month, 1);
  return first + ((8 - isoWeekday(first)) % 7);
}

function lastMonday(year: number, month: number): DayNumber {
  const last = dayOf(year, month + 1, 1) - 1;
  return last - (isoWeekday(last) - 1);
}

function nextMondayIfWeekend(day: DayNumber): DayNumber {
  const weekday = isoWeekday(day);
  return weekday >= 6 ? day + (8 - weekday) : day;
}

function substitute(title: string, actual: DayNumber, observed: DayNumber): [DayNumber, string] {
  return [observed, observed === actual ? title : `${title} (substitute day)`];
}

/** Christmas and Boxing Day push each other: Christmas on Sunday gives Boxing Day the Monday and Christmas the Tuesday. */
function christmasHolidays(year: number): Array<[DayNumber, string]> {
  const christmas = dayOf(year, 12, 25);
  const boxing = christmas + 1;
  switch (isoWeekday(christmas)) {
    case 5: // Friday: Boxing Day on Saturday moves to Monday 28th.
      return [substitute('Christmas Day', christmas, christmas), substitute('Boxing Day', boxing, christmas + 3)];
    case 6: // Saturday: Monday 27th and Tuesday 28th.
      return [substitute('Christmas Day', christmas, christmas + 2), substitute('Boxing Day', boxing, christmas + 3)];
    case 7: // Sunday: Boxing Day stays Monday 26th, Christmas moves to Tuesday 27th.
      return [substitute('Boxing Day', boxing, boxing), substitute('Christmas Day', christmas, christmas + 2)];
    default:
      return [substitute('Christmas Day', christmas, christmas), substitute('Boxing Day', boxing, boxing)];
  }
}

const ruleTitles = [
  "New Year's Day",
  'Good Friday',
  'Easter Monday',
  'Early May bank holiday',
  'Spring bank holiday',
  'Summer bank holiday',
  'Christmas Day',
  'Boxing Day',
] as const;

const oneOffChange = z.strictObject({
  date: z.string().refine(isIsoDate, 'must be a real date in the form YYYY-MM-DD'),
  title: z.string().min(1, 'must not be empty'),
  /** The rule-based holiday it moves, by title; absent for an extra day. */
  replaces: z.enum(ruleTitles, { error: `must be one of the holidays set by rule: ${ruleTitles.join(', ')}` }).optional(),
});
export type OneOffChange = z.infer<typeof oneOffChange>;

export class BankHolidayChangesError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`bank-holiday-changes.json: ${field}: ${reason}`);
    this.name = 'BankHolidayChangesError';
  }
}

/** Validates the one-off changes (the data file's shape); throws naming the first bad field. A date may change only once. */
export function parseBankHolidayChanges(raw: unknown): Map<number, OneOffChange[]> {
  const parsed = z.strictObject({ $comment: z.string().optional(), changes: z.array(oneOffChange) }).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BankHolidayChangesError(
      issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, ''),
      issue.message,
    );
  }
  const byYear = new Map<number, OneOffChange[]>();
  const seen = new Set<string>();
  parsed.data.changes.forEach((change, i) => {
    if (seen.has(change.date)) throw new BankHolidayChangesError(`changes[${i}].date`, `${change.date} is changed twice`);
    seen.add(change.date);
    const year = Number(change.date.slice(0, 4));
    byYear.set(year, [...(byYear.get(year) ?? []), change]);
  });
  return byYear;
}

/** Changes made by proclamation, which no rule predicts: data, read and checked once when this module loads. */
const oneOffChanges = parseBankHolidayChanges(bankHolidayChanges);

/** The year's England and Wales bank holidays in date order, as GOV.UK titles them. */
export function bankHolidays(year: number): BankHoliday[] {
  const newYear = dayOf(year, 1, 1);
  const easter = easterSunday(year);
  const byRule: Array<[DayNumber, string]> = [
    substitute("New Year's Day", newYear, nextMondayIfWeekend(newYear)),
    [easter - 2, 'Good Friday'],
    [easter + 1, 'Easter Monday'],
    [firstMonday(year, 5), 'Early May bank holiday'],
    [lastMonday(year, 5), 'Spring bank holiday'],
    [lastMonday(year, 8), 'Summer bank holiday'],
    ...christmasHolidays(year),
  ];
  let holidays: BankHoliday[] = byRule.map(([day, title]) => ({ date: isoDate(day), title }));
  for (const change of oneOffChanges.get(year) ?? []) {
    if (change.replaces) holidays = holidays.filter((h) => h.title.replace(/ \(substitute day\)$/, '') !== change.replaces);
    holidays.push({ date: change.date, title: change.title });
  }
  return holidays.sort((a, b) => a.date.localeCompare(b.date));
}

const holidayDaysByYear = new Map<number, Set<DayNumber>>();

export function isBankHoliday(day: DayNumber): boolean {
  const year = new Date(day * msPerDay).getUTCFullYear();
  let days = holidayDaysByYear.get(year);
  if (!days) {
    days = new Set(bankHolidays(year).map((h) => dayNumber(h.date)));
    holidayDaysByYear.set(year, days);
  }
  return days.has(day);
}

/** Minutes after midnight of an 'HH:MM' time; undefined when it is not a real time. */
export function minutesOfTime(time: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export function timeOfMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
