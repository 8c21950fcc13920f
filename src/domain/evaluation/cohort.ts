// Reads a cohort file (CSV, one man a row) into typed columns for the evaluation, refusing the whole file
// when any row is bad and naming every bad row, so that an analyst can fix the extract in one pass.
import { parse } from 'csv-parse/sync';
import { nulProblems, syntaxProblem } from './csv-problems.js';

export const RISK_BANDS = ['low', 'medium', 'high', 'very_high'] as const;
export type RiskBand = (typeof RISK_BANDS)[number];

export interface CohortProblem {
  /** 1-based line number in the file (1 is the header). */
  line: number;
  field: string;
  reason: string;
}

export class CohortError extends Error {
  constructor(readonly problems: CohortProblem[]) {
    super(`cohort file refused: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    this.name = 'CohortError';
  }
}

export interface CohortRequest {
  covariates: string[];
  outcome: string;
}

export interface Cohort {
  rows: number;
  personRef: string[];
  treated: Uint8Array;
  /** Days from release to the event, or to the end of follow-up when there was none in follow-up. */
  time: Float64Array;
  event: Uint8Array;
  /** Days from release to the end of follow-up. */
  followup: Float64Array;
  /** Release date as days since 1970-01-01 (the harm monitor cuts follow-up at calendar looks). */
  releaseDay: Float64Array;
  /** Index into RISK_BANDS, or −1 when the file has no band for the man. */
  riskBand: Int8Array;
  covariateNames: string[];
  covariates: Float64Array[];
}

const REQUIRED = ['person_ref', 'treated', 'release_date', 'end_of_followup'] as const;

/** Day number since 1970-01-01 of a YYYY-MM-DD date, or NaN when it is not a real calendar date. */
export function parseIsoDay(text: string): number {
  if (text.length !== 10 || text[4] !== '-' || text[7] !== '-') return NaN;
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 7);
  const d = digits(text, 8, 10);
  if (Number.isNaN(y) || Number.isNaN(m) || Number.isNaN(d) || m < 1 || m > 12 || d < 1) return NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  if (d > monthDays) return NaN;
  // Days from civil (H. Hinnant): exact integer arithmetic, no Date objects in the per-row loop.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** Upper bound on the number of data rows: newlines in the text (quoted newlines only overestimate). */
function rowCapacity(input: string | Buffer): number {
  let lines = 1;
  if (typeof input === 'string') {
    for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n', i + 1)) lines++;
  } else {
    for (let i = input.indexOf(10); i >= 0; i = input.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/**
 * Parses and validates the cohort; throws CohortError listing every problem found. Records are turned into
 * typed columns as csv-parse produces them (on_record) rather than kept as a million string arrays, which
 * would spend most of the time in the garbage collector.
 */
export function parseCohort(input: string | Buffer, request: CohortRequest): Cohort {
  const problems: CohortProblem[] = [];
  const eventColumn = `${request.outcome}_reoffence_date`;
  const capacity = rowCapacity(input);
  const personRef: string[] = [];
  const treated = new Uint8Array(capacity);
  const time = new Float64Array(capacity);
  const event = new Uint8Array(capacity);
  const followup = new Float64Array(capacity);
  const releaseDay = new Float64Array(capacity);
  const riskBand = new Int8Array(capacity).fill(-1);
  const covariates = request.covariates.map(() => new Float64Array(capacity));
  const seen = new Map<string, number>();
  const bandIndex = new Map<string, number>(RISK_BANDS.map((b, i) => [b, i]));
  let header: string[] | null = null;
  let headerOk = false;
  let cRef = 0;
  let cTreated = 0;
  let cRelease = 0;
  let cEnd = 0;
  let cEvent = 0;
  let cBand: number | undefined;
  let cCov: number[] = [];
  let rows = 0;

  const readHeader = (record: string[]) => {
    header = record;
    const column = new Map(record.map((name, i) => [name, i]));
    for (const name of [...REQUIRED, eventColumn, ...request.covariates]) {
      if (!column.has(name)) problems.push({ line: 1, field: name, reason: 'missing column' });
    }
    headerOk = problems.length === 0;
    cRef = column.get('person_ref')!;
    cTreated = column.get('treated')!;
    cRelease = column.get('release_date')!;
    cEnd = column.get('end_of_followup')!;
    cEvent = column.get(eventColumn)!;
    cBand = column.get('risk_band');
    cCov = request.covariates.map((name) => column.get(name)!);
  };

  const readRow = (record: string[], line: number) => {
    const r = rows++;
    const bad = (field: string, reason: string) => problems.push({ line, field, reason });
    if (record.length !== header!.length) {
      bad('row', `has ${record.length} fields, the header has ${header!.length}`);
      return;
    }
    const ref = record[cRef];
    if (ref === '') bad('person_ref', 'empty');
    else if (seen.has(ref)) bad('person_ref', `duplicate of line ${seen.get(ref)}`);
    else seen.set(ref, line);
    personRef.push(ref);

    const t = record[cTreated];
    if (t === '1') treated[r] = 1;
    else if (t !== '0') bad('treated', `must be 0 or 1, got "${t}"`);

    const release = parseIsoDay(record[cRelease]);
    if (Number.isNaN(release)) bad('release_date', `not a valid YYYY-MM-DD date: "${record[cRelease]}"`);
    const end = parseIsoDay(record[cEnd]);
    if (Number.isNaN(end)) bad('end_of_followup', `not a valid YYYY-MM-DD date: "${record[cEnd]}"`);
    else if (end < release) bad('end_of_followup', 'before release_date');
    const eventText = record[cEvent];
    const eventDay = eventText === '' ? NaN : parseIsoDay(eventText);
    if (eventText !== '' && Number.isNaN(eventDay)) bad(eventColumn, `not a valid YYYY-MM-DD date: "${eventText}"`);
    else if (eventDay < release) bad(eventColumn, 'before release_date');
    followup[r] = end - release;
    releaseDay[r] = release;
    // An event after the end of follow-up was not observed within it: censored at the end.
    if (eventDay <= end) {
      event[r] = 1;
      time[r] = eventDay - release;
    } else {
      time[r] = end - release;
    }

    if (cBand !== undefined && record[cBand] !== '') {
      const b = bandIndex.get(record[cBand]);
      if (b === undefined) bad('risk_band', `must be one of ${RISK_BANDS.join(', ')}, got "${record[cBand]}"`);
      else riskBand[r] = b;
    }
    for (let k = 0; k < cCov.length; k++) {
      const text = record[cCov[k]];
      const v = text === '' ? NaN : Number(text);
      if (!Number.isFinite(v)) bad(request.covariates[k], `not a number: "${text}"`);
      covariates[k][r] = v;
    }
  };

  const text = typeof input === 'string' ? input : input.toString('latin1'); // latin1 keeps every byte, so line numbers hold
  const unstorable = nulProblems(text);
  if (unstorable.length) throw new CohortError(unstorable);
  try {
    parse(input, {
      bom: true,
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], context) => {
        if (header === null) readHeader(record);
        else if (headerOk) readRow(record, context.lines);
        return null;
      },
    });
  } catch (error) {
    const problem = syntaxProblem(error, text);
    if (!problem) throw error;
    throw new CohortError([...problems, problem]);
  }
  if (header === null) problems.push({ line: 1, field: 'header', reason: 'the file is empty' });
  else if (headerOk && rows === 0) problems.push({ line: 2, field: 'row', reason: 'the file has no rows' });
  if (problems.length) throw new CohortError(problems);
  return {
    rows,
    personRef,
    treated: treated.slice(0, rows),
    time: time.slice(0, rows),
    event: event.slice(0, rows),
    followup: followup.slice(0, rows),
    releaseDay: releaseDay.slice(0, rows),
    riskBand: riskBand.slice(0, rows),
    covariateNames: [...request.covariates],
    covariates: covariates.map((c) => c.slice(0, rows)),
  };
}
