// Every date a page asks for is a GOV.UK date input: day, month and year boxes named `<field>-day`,
// `<field>-month` and `<field>-year`. This turns them into the YYYY-MM-DD the services validate, words what
// cannot be read the GOV.UK way ("Date of birth must include a month", "… must be a real date"), and points
// the error summary at the box to correct.
import { isCalendarDate } from '../domain/people/dates.js';
import type { ValidationFailed } from '../services/errors.js';
import { errorView } from './forms.js';

type Part = 'day' | 'month' | 'year';
const parts: readonly Part[] = ['day', 'month', 'year'];

export type DateParts = Record<Part, string>;

/** A date that could not be read: the message and the boxes to highlight (the first is linked to). */
export interface DateProblem {
  message: string;
  parts: Part[];
}

function listed(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** What is wrong with a typed date, or undefined when it is a real date or left blank (the service decides if it is needed). */
export function dateProblem(label: string, typed: DateParts): DateProblem | undefined {
  const missing = parts.filter((p) => typed[p] === '');
  if (missing.length === 3) return undefined;
  if (missing.length) return { message: `${label} must include a ${listed(missing)}`, parts: missing };
  const notNumbers = parts.filter((p) => !/^\d+$/.test(typed[p]));
  if (notNumbers.length) return { message: `${label} must be a real date`, parts: notNumbers };
  if (typed.year.length !== 4) return { message: `${label} must include a year with 4 numbers`, parts: ['year'] };
  const month = Number(typed.month);
  if (month < 1 || month > 12) return { message: `${label} must be a real date`, parts: ['month'] };
  if (!isCalendarDate(isoOf(typed))) return { message: `${label} must be a real date`, parts: ['day'] };
  return undefined;
}

function isoOf(typed: DateParts): string {
  return `${typed.year}-${typed.month.padStart(2, '0')}-${typed.day.padStart(2, '0')}`;
}

function partsOfIso(value: unknown): DateParts {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  return match ? { year: match[1], month: String(Number(match[2])), day: String(Number(match[3])) } : { day: '', month: '', year: '' };
}

/**
 * The date inputs of one form. Built from what was submitted (`fromForm`) or from a stored record
 * (`fromRecord`); `input` is what the service is given: each date as YYYY-MM-DD, '' when left blank, or the
 * typed text when it cannot be a date, so the service refuses it and nothing is saved.
 */
export class DateInputs {
  readonly input: Record<string, unknown>;
  private readonly typed = new Map<string, DateParts>();
  private readonly problems = new Map<string, DateProblem>();
  /** Date fields the last explained failure named, with the boxes to highlight. */
  private failed = new Map<string, Part[]>();

  private constructor(
    source: Record<string, unknown>,
    private readonly labels: Readonly<Record<string, string>>,
    fromForm: boolean,
  ) {
    const input: Record<string, unknown> = { ...source };
    for (const [name, label] of Object.entries(labels)) {
      const submitted = parts.some((p) => `${name}-${p}` in source);
      const typed =
        fromForm && submitted
          ? (Object.fromEntries(parts.map((p) => [p, String(source[`${name}-${p}`] ?? '').trim()])) as DateParts)
          : partsOfIso(source[name]);
      for (const p of parts) delete input[`${name}-${p}`];
      this.typed.set(name, typed);
      if (!fromForm || !submitted) continue;
      const problem = dateProblem(label, typed);
      if (problem) this.problems.set(name, problem);
      input[name] = parts.every((p) => typed[p] === '') ? '' : problem ? `${typed.year}-${typed.month}-${typed.day}` : isoOf(typed);
    }
    this.input = input;
  }

  /** From a submitted form (a POST body, or a GET query for a date picker). */
  static fromForm(body: Record<string, unknown>, labels: Readonly<Record<string, string>>): DateInputs {
    return new DateInputs(body, labels, true);
  }

  /** From stored values (YYYY-MM-DD), to fill an edit form. */
  static fromRecord(values: Record<string, unknown>, labels: Readonly<Record<string, string>>): DateInputs {
    return new DateInputs(values, labels, false);
  }

  /** The first date this form could not read, if any (for GET forms, which call no service). */
  firstProblem(): { field: string; problem: DateProblem } | undefined {
    const [entry] = this.problems;
    return entry ? { field: entry[0], problem: entry[1] } : undefined;
  }

  /**
   * The failure as the page shows it: a date that could not be read gets the GOV.UK wording instead of the
   * service's, and the summary links to the box to correct (the day box when the whole date is wrong).
   */
  view(failure: ValidationFailed, prefix = '') {
    this.failed = new Map();
    const anchors: Record<string, string> = {};
    const seen = new Set<string>();
    const errors = failure.errors.flatMap((e) => {
      if (!(e.field in this.labels)) return [e];
      if (seen.has(e.field)) return [];
      seen.add(e.field);
      const problem = this.problems.get(e.field);
      const boxes = problem?.parts ?? [...parts];
      this.failed.set(e.field, boxes);
      anchors[e.field] = `${prefix}${e.field}-${boxes[0]}`;
      return [{ field: e.field, message: problem?.message ?? e.message }];
    });
    return errorView({ errors } as ValidationFailed, { anchors, prefix });
  }

  /** The items of govukDateInput for one field: what was typed (or stored), with the wrong boxes highlighted. */
  items(name: string) {
    const typed = this.typed.get(name) ?? { day: '', month: '', year: '' };
    const wrong = new Set(this.failed.get(name) ?? []);
    const classes = (p: Part, width: number) => `govuk-input--width-${width}${wrong.has(p) ? ' govuk-input--error' : ''}`;
    return [
      { name: 'day', label: 'Day', value: typed.day, classes: classes('day', 2), inputmode: 'numeric' },
      { name: 'month', label: 'Month', value: typed.month, classes: classes('month', 2), inputmode: 'numeric' },
      { name: 'year', label: 'Year', value: typed.year, classes: classes('year', 4), inputmode: 'numeric' },
    ];
  }

  /** Items for every field, keyed by field name, for templates with several dates. */
  allItems(): Record<string, ReturnType<DateInputs['items']>> {
    return Object.fromEntries(Object.keys(this.labels).map((name) => [name, this.items(name)]));
  }
}

/** A day as a date input's hint gives it ("For example, 27 3 2027"). */
export function dateInputExample(iso: string): string {
  const { day, month, year } = partsOfIso(iso);
  return `${day} ${month} ${year}`;
}
