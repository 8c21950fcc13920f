// The one CSV writer of sotp: every file it writes goes through here, so that a cell a spreadsheet would
// run as a formula (OWASP "CSV injection") is always written as data.
import { stringify } from 'csv-stringify/sync';

/** What a spreadsheet reads as the start of a formula: = + - @, and tab or carriage return (OWASP). */
const formulaStart = /^[=+\-@\t\r]/;

/** A text cell as data: one starting like a formula gets a leading single quote, so it is shown, never run. */
export function cellAsData(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
}

export type CsvCell = string | number | null | undefined;

/**
 * CSV text with a header row of `columns`. Only text cells are neutralised: a genuine number (typeof number,
 * such as a negative covariate −0.5) is written as it is, because the files sotp writes are read back as
 * numbers (by sotp's own cohort reader and by R) and a quoted `'-0.5` would no longer be one; a number cannot
 * carry a formula. Text that merely looks numeric ("-1", "+1") is neutralised like any other text.
 */
export function csvText(records: readonly Record<string, CsvCell>[], columns: readonly string[]): string {
  return stringify(records as Record<string, CsvCell>[], { header: true, columns: [...columns], cast: { string: cellAsData } });
}
