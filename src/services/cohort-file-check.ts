// The checks of a cohort file, made in one streamed pass: its SHA-256, its CSV syntax, every row of every
// outcome, pseudonyms only. This is the CPU-heavy part of an import (a 50 MB file is about a million rows and
// their garbage), so imports run it on a worker thread (cohort-file-check-worker.ts) and the server's own
// thread stays free to answer requests.
import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { CohortRowReader, type CohortProblem } from '../domain/evaluation/cohort.js';
import { CsvTextScan, syntaxProblem } from '../domain/evaluation/csv-problems.js';
import { looksLikePrisonNumber } from '../domain/people/prison-number.js';
import type { FieldError } from './errors.js';

const fixedColumns = new Set(['person_ref', 'treated', 'release_date', 'end_of_followup', 'risk_band']);
const outcomeSuffix = '_reoffence_date';
const shownProblems = 20;

/** The outcomes a cohort file records: one `<outcome>_reoffence_date` column each. */
export function outcomesOf(columns: readonly string[]): string[] {
  return columns.filter((c) => c.endsWith(outcomeSuffix)).map((c) => c.slice(0, -outcomeSuffix.length));
}

/** The numeric covariate columns of a cohort file: everything that is not a fixed or outcome column. */
export function covariatesOf(columns: readonly string[]): string[] {
  return columns.filter((c) => !fixedColumns.has(c) && !c.endsWith(outcomeSuffix));
}

/** At most 20 problems as field errors on `file`, so a page stays readable; the count says how many more. */
export function problemsAsFieldErrors(problems: readonly CohortProblem[], total = problems.length): FieldError[] {
  const shown = problems.slice(0, shownProblems).map((p) => ({ field: 'file', message: `Line ${p.line}, ${p.field}: ${p.reason}` }));
  const hidden = total - shown.length;
  return hidden > 0 ? [...shown, { field: 'file', message: `… and ${hidden} more problems` }] : shown;
}

export interface FileCheck {
  sha256: string;
  columns: string[];
  rows: number;
  errors: FieldError[];
}

/**
 * Every check of a cohort file, all rows, all outcomes, in one streamed pass: csv-parse is fed a piece at a
 * time and each record is checked as it is parsed, so only the pseudonyms seen (for duplicates) and the
 * first problems are kept. `onRows` hears how many rows have been read.
 */
export async function checkCohortText(kind: 'comparison' | 'cohort', pieces: AsyncIterable<string>, onRows: (rows: number) => void): Promise<FileCheck> {
  const hash = createHash('sha256');
  const scan = new CsvTextScan();
  const shown: CohortProblem[] = [];
  let problemCount = 0;
  const take = (problems: CohortProblem[]) => {
    for (const p of problems) if (problemCount++ < shownProblems) shown.push(p);
    problems.length = 0;
  };
  let columns: string[] | undefined;
  let reader: CohortRowReader | undefined;
  let rowsToRead = false;
  const parser = parse({
    bom: true,
    trim: true,
    relax_column_count: true,
    skip_empty_lines: true,
    on_record: (record: string[], context) => {
      if (columns === undefined) {
        columns = record;
        reader = new CohortRowReader({ covariates: covariatesOf(record), outcomes: outcomesOf(record) });
        rowsToRead = outcomesOf(record).length > 0 && reader.header(record);
      } else if (rowsToRead) {
        const r = reader!;
        r.row(record, context.lines);
        if (record.length === columns.length) {
          const bad = (field: string, reason: string) => r.problems.push({ line: context.lines, field, reason });
          if (looksLikePrisonNumber(r.ref)) bad('person_ref', 'looks like a prison number: cohort files must hold pseudonyms only');
          else if (kind === 'comparison' && r.treated !== 0) bad('treated', 'a comparison pool holds untreated men only (treated = 0)');
        }
      }
      if (reader) take(reader.problems);
      return null;
    },
  });
  let parseError: unknown;
  parser.on('error', (error) => (parseError ??= error));
  parser.resume();
  for await (const piece of pieces) {
    hash.update(piece);
    scan.feed(piece);
    // After a syntax error the parser has stopped; the rest is still scanned for NUL characters.
    if (parseError === undefined) parser.write(piece);
    onRows(reader?.rows ?? 0);
  }
  if (parseError === undefined) {
    parser.end();
    await finished(parser).catch((error: unknown) => (parseError ??= error));
  }
  const result = { sha256: hash.digest('hex'), columns: columns ?? [], rows: reader?.rows ?? 0 };
  // A NUL is reported alone: it is why the parser's view of the line cannot be trusted.
  if (scan.nulProblems.length) return { ...result, errors: problemsAsFieldErrors(scan.nulProblems) };
  if (parseError !== undefined) {
    const problem = syntaxProblem(parseError, scan);
    if (!problem) throw parseError;
    take([problem]);
  } else if (columns === undefined) {
    return { ...result, errors: [{ field: 'file', message: 'The file is empty' }] };
  } else if (outcomesOf(columns).length === 0) {
    return {
      ...result,
      errors: [{ field: 'file', message: 'The file has no outcome column: name each one <outcome>_reoffence_date, e.g. sexual_reoffence_date' }],
    };
  } else {
    reader!.finish(true);
    take(reader!.problems);
  }
  return { ...result, errors: problemsAsFieldErrors(shown, problemCount) };
}
