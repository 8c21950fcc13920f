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

export interface CohortColumnsRequest {
  covariates: readonly string[];
  /** The outcomes to check: each needs its `<outcome>_reoffence_date` column. */
  outcomes: readonly string[];
}

/**
 * The rules of a cohort file, one record at a time, so that a file can be checked as it streams in as well
 * as read whole. After `row()` the reader's fields hold that row's values (reused for the next row, so a
 * million rows make no million objects); problems accumulate in `problems`, each with its line.
 */
export class CohortRowReader {
  readonly problems: CohortProblem[] = [];
  rows = 0;
  headerOk = false;
  ref = '';
  treated = 0;
  /** Days since 1970-01-01 (NaN when not a valid date). */
  release = NaN;
  end = NaN;
  /** Per outcome: the event day, or NaN when the file records none. */
  readonly eventDay: Float64Array;
  band = -1;
  readonly covariate: Float64Array;
  private fields = 0;
  private cRef = 0;
  private cTreated = 0;
  private cRelease = 0;
  private cEnd = 0;
  private cEvents: number[] = [];
  private cBand: number | undefined;
  private cCov: number[] = [];
  private readonly eventColumns: string[];
  private readonly seen = new Map<string, number>();
  private readonly bandIndex = new Map<string, number>(RISK_BANDS.map((b, i) => [b, i]));

  constructor(private readonly request: CohortColumnsRequest) {
    this.eventColumns = request.outcomes.map((o) => `${o}_reoffence_date`);
    this.eventDay = new Float64Array(request.outcomes.length);
    this.covariate = new Float64Array(request.covariates.length);
  }

  /** Reads the header row; false when a needed column is missing (each is a problem on line 1). */
  header(record: string[]): boolean {
    const column = new Map(record.map((name, i) => [name, i]));
    const before = this.problems.length;
    for (const name of [...REQUIRED, ...this.eventColumns, ...this.request.covariates]) {
      if (!column.has(name)) this.problems.push({ line: 1, field: name, reason: 'missing column' });
    }
    this.headerOk = this.problems.length === before;
    this.fields = record.length;
    this.cRef = column.get('person_ref')!;
    this.cTreated = column.get('treated')!;
    this.cRelease = column.get('release_date')!;
    this.cEnd = column.get('end_of_followup')!;
    this.cEvents = this.eventColumns.map((name) => column.get(name)!);
    this.cBand = column.get('risk_band');
    this.cCov = this.request.covariates.map((name) => column.get(name)!);
    return this.headerOk;
  }

  /** Reads one data row (its line in the file); false when it has a problem. Call only after a good header. */
  row(record: string[], line: number): boolean {
    this.rows++;
    const before = this.problems.length;
    const bad = (field: string, reason: string) => this.problems.push({ line, field, reason });
    if (record.length !== this.fields) {
      bad('row', `has ${record.length} fields, the header has ${this.fields}`);
      return false;
    }
    const ref = record[this.cRef];
    this.ref = ref;
    if (ref === '') bad('person_ref', 'empty');
    else if (this.seen.has(ref)) bad('person_ref', `duplicate of line ${this.seen.get(ref)}`);
    else this.seen.set(ref, line);

    const t = record[this.cTreated];
    this.treated = t === '1' ? 1 : 0;
    if (t !== '1' && t !== '0') bad('treated', `must be 0 or 1, got "${t}"`);

    const release = parseIsoDay(record[this.cRelease]);
    if (Number.isNaN(release)) bad('release_date', `not a valid YYYY-MM-DD date: "${record[this.cRelease]}"`);
    const end = parseIsoDay(record[this.cEnd]);
    if (Number.isNaN(end)) bad('end_of_followup', `not a valid YYYY-MM-DD date: "${record[this.cEnd]}"`);
    else if (end < release) bad('end_of_followup', 'before release_date');
    this.release = release;
    this.end = end;
    for (let k = 0; k < this.cEvents.length; k++) {
      const eventText = record[this.cEvents[k]];
      const eventDay = eventText === '' ? NaN : parseIsoDay(eventText);
      if (eventText !== '' && Number.isNaN(eventDay)) bad(this.eventColumns[k], `not a valid YYYY-MM-DD date: "${eventText}"`);
      else if (eventDay < release) bad(this.eventColumns[k], 'before release_date');
      this.eventDay[k] = eventDay;
    }

    this.band = -1;
    if (this.cBand !== undefined && record[this.cBand] !== '') {
      const b = this.bandIndex.get(record[this.cBand]);
      if (b === undefined) bad('risk_band', `must be one of ${RISK_BANDS.join(', ')}, got "${record[this.cBand]}"`);
      else this.band = b;
    }
    for (let k = 0; k < this.cCov.length; k++) {
      const text = record[this.cCov[k]];
      const v = text === '' ? NaN : Number(text);
      if (!Number.isFinite(v)) bad(this.request.covariates[k], `not a number: "${text}"`);
      this.covariate[k] = v;
    }
    return this.problems.length === before;
  }

  /** The problems of the file as a whole, once every record has been read (`sawHeader`: it had any record). */
  finish(sawHeader: boolean): void {
    if (!sawHeader) this.problems.push({ line: 1, field: 'header', reason: 'the file is empty' });
    else if (this.headerOk && this.rows === 0) this.problems.push({ line: 2, field: 'row', reason: 'the file has no rows' });
  }
}

/**
 * Parses and validates the cohort; throws CohortError listing every problem found. Records are turned into
 * typed columns as csv-parse produces them (on_record) rather than kept as a million string arrays, which
 * would spend most of the time in the garbage collector.
 */
export function parseCohort(input: string | Buffer, request: CohortRequest): Cohort {
  const capacity = rowCapacity(input);
  const personRef: string[] = [];
  const treated = new Uint8Array(capacity);
  const time = new Float64Array(capacity);
  const event = new Uint8Array(capacity);
  const followup = new Float64Array(capacity);
  const releaseDay = new Float64Array(capacity);
  const riskBand = new Int8Array(capacity).fill(-1);
  const covariates = request.covariates.map(() => new Float64Array(capacity));
  const reader = new CohortRowReader({ covariates: request.covariates, outcomes: [request.outcome] });
  let sawHeader = false;

  const keepRow = () => {
    const r = reader.rows - 1;
    personRef.push(reader.ref);
    treated[r] = reader.treated;
    followup[r] = reader.end - reader.release;
    releaseDay[r] = reader.release;
    // An event after the end of follow-up was not observed within it: censored at the end.
    if (reader.eventDay[0] <= reader.end) {
      event[r] = 1;
      time[r] = reader.eventDay[0] - reader.release;
    } else {
      time[r] = reader.end - reader.release;
    }
    riskBand[r] = reader.band;
    for (let k = 0; k < covariates.length; k++) covariates[k][r] = reader.covariate[k];
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
        if (!sawHeader) {
          sawHeader = true;
          reader.header(record);
        } else if (reader.headerOk) {
          reader.row(record, context.lines);
          // A bad row is not kept: the file is refused, and the typed columns need not line up.
          if (reader.problems.length === 0) keepRow();
        }
        return null;
      },
    });
  } catch (error) {
    const problem = syntaxProblem(error, text);
    if (!problem) throw error;
    throw new CohortError([...reader.problems, problem]);
  }
  reader.finish(sawHeader);
  if (reader.problems.length) throw new CohortError(reader.problems);
  const rows = reader.rows;
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
