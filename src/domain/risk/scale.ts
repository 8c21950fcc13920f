// Shared by the risk instruments: score tables written as data (a range of a count or age → points)
// and the words used for risk categories in explanations.
import type { RiskCategory } from '../programme/definition.js';

/** One row of a table: values from `from` up to `to` (inclusive; no `to` = "and over"). */
export interface Range {
  readonly from: number;
  readonly to?: number;
}

/** A score table row: values in the range score `points`. */
export interface ScaleRow extends Range {
  readonly points: number;
}

/** The row a value falls in. A value outside every row is a programming error (inputs are validated first). */
export function rowFor<R extends Range>(scale: readonly R[], value: number): R {
  const row = scale.find((r) => value >= r.from && (r.to === undefined || value <= r.to));
  if (!row) throw new RangeError(`no score is defined for ${value}`);
  return row;
}

/** " (18–24)", " (5 or more)", or nothing for a one-value row: how a row's range reads in an explanation. */
export function rangeNote(row: Range): string {
  if (row.to === undefined) return ` (${row.from} or more)`;
  return row.from === row.to ? '' : ` (${row.from}–${row.to})`;
}

export const categoryWords: Record<RiskCategory, string> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  very_high: 'very high',
};

/** Why an instrument could not score a man: the field at fault and a sentence saying why. */
export interface ScoringRefusal {
  readonly ok: false;
  readonly field: string;
  readonly message: string;
}

/** "1 point", "3 points". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "1 sanction scores", "2 sanctions score". */
export function scoresWord(n: number): string {
  return n === 1 ? 'scores' : 'score';
}
