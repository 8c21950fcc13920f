// What makes a CSV file unreadable, said as line-numbered problems like every other bad row: a NUL character
// (a database cannot store it) or broken quoting. The parser's own messages quote cell values, so the reasons
// here are our own words.
import { CsvError } from 'csv-parse/sync';
import type { CohortProblem } from './cohort.js';

/** One problem for each line (1-based) holding a NUL character. */
export function nulProblems(text: string): CohortProblem[] {
  const problems: CohortProblem[] = [];
  let line = 1;
  let reported = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 0 && reported !== line) {
      problems.push({ line, field: 'file', reason: 'holds a NUL character, which cannot be stored: remove it' });
      reported = line;
    }
  }
  return problems;
}

/** The line on which a quoted cell opens and is never closed, if any: "" inside quotes is an escaped quote. */
function unclosedQuoteLine(text: string): number | undefined {
  let line = 1;
  let openedOn: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '"') openedOn = openedOn === undefined ? line : undefined;
  }
  return openedOn;
}

const reasons: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell starts here and is never closed',
  INVALID_OPENING_QUOTE: 'a quote appears in the middle of a cell: put the whole cell in quotes and double the quote ("")',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell has text after its closing quote: double any quote inside the cell ("")',
};

/** The parser's error as a line-numbered problem, or undefined when it is not a CSV syntax error. */
export function syntaxProblem(error: unknown, text: string): CohortProblem | undefined {
  if (!(error instanceof CsvError)) return undefined;
  const parserLine = Number((error as { lines?: unknown }).lines) || 1;
  const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? (unclosedQuoteLine(text) ?? parserLine) : parserLine;
  return { line, field: 'file', reason: reasons[error.code] ?? 'the file is not valid CSV here' };
}
