// The operational audit's indicators as a CSV file (issue 13, item 7): one row per indicator, by area in the source
// document's order, with the auditor's comment. The file is written by domain/csv/write.ts, which keeps text cells
// from being run as formulas.
import { csvText, type CsvCell } from '../csv/write.js';
import { indicatorAreas, type Indicator } from './indicators.js';

export const indicatorCsvColumns = ['area', 'indicator', 'standard', 'meeting', 'of', 'meets_standard', 'comment'] as const;

type IndicatorCsvRow = Record<(typeof indicatorCsvColumns)[number], CsvCell>;

/** The rows: `comments` by indicator id (an indicator without one has an empty comment). */
export function indicatorCsvRows(indicators: readonly Indicator[], comments: ReadonlyMap<string, string>): IndicatorCsvRow[] {
  return indicatorAreas.flatMap((area) =>
    indicators
      .filter((i) => i.area === area.id)
      .map((i) => ({
        area: area.heading,
        indicator: i.label,
        standard: i.standard,
        meeting: i.meeting,
        of: i.of,
        meets_standard: i.meetsStandard ? 'yes' : 'no',
        comment: comments.get(i.id) ?? '',
      })),
  );
}

export function indicatorCsv(indicators: readonly Indicator[], comments: ReadonlyMap<string, string>): string {
  return csvText(indicatorCsvRows(indicators, comments), indicatorCsvColumns);
}
