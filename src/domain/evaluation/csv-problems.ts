// What makes a CSV file unreadable, said as line-numbered problems like every other bad row: a NUL character
// (a database cannot store it) or broken quoting. The parser's own messages quote cell values, so the reasons
// here are our own words.
import { CsvError } from 'csv-parse/sync';
import type { CohortProblem } from './cohort.js';

/**
 * Follows CSV text piece by piece (a streamed file arrives in pieces) for what the parser's errors do not
 * say: each line holding a NUL character, and the line on which a quoted cell opened that is never closed
 * ("" inside quotes is an escaped quote, so toggling on every quote is exact).
 */
export class CsvTextScan {
  readonly nulProblems: CohortProblem[] = [];
  private line = 1;
  private openedOn: number | undefined;

  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      else if (c === 34) this.openedOn = this.openedOn === undefined ? this.line : undefined;
      else if (c === 0 && this.nulProblems.at(-1)?.line !== this.line) {
        this.nulProblems.push({ line: this.line, field: 'file', reason: 'holds a NUL character, which cannot be stored: remove it' });
      }
    }
  }

  get unclosedQuoteLine(): number | undefined {
    return this.openedOn;
  }
}

function scanned(text: string): CsvTextScan {
  const scan = new CsvTextScan();
  scan.feed(text);
  return scan;
}

/** One problem for each line (1-based) holding a NUL character. */
export function nulProblems(text: string): CohortProblem[] {
  return scanned(text).nulProblems;
}

const reasons: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell starts here and is never closed',
  INVALID_OPENING_QUOTE: 'a quote appears in the middle of a cell: put the whole cell in quotes and double the quote ("")',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell has text after its closing quote: double any quote inside the cell ("")',
};

/** The parser's error as a line-numbered problem, or undefined when it is not a CSV syntax error. */
export function syntaxProblem(error: unknown, text: string | CsvTextScan): CohortProblem | undefined {
  if (!(error instanceof CsvError)) return undefined;
  const parserLine = Number((error as { lines?: unknown }).lines) || 1;
  const scan = () => (typeof text === 'string' ? scanned(text) : text);
  const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? (scan().unclosedQuoteLine ?? parserLine) : parserLine;
  return { line, field: 'file', reason: reasons[error.code] ?? 'the file is not valid CSV here' };
}
