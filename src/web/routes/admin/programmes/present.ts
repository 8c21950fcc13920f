// Turns a comparison of two programme versions into what the page shows: values in words, sections in order.
import type { FieldChange, FieldValue, ItemChange, ProgrammeComparison } from '../../../../domain/programme/compare.js';
import type { ProgrammeVersions } from '../../../../services/programmes.js';
import { formatDate } from '../../../format.js';

/** A field's value as the page shows it. */
export function shown(value: FieldValue): string {
  if (value === undefined) return 'Not set';
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'None';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}

const fieldRows = (fields: FieldChange[]) => fields.map((f) => ({ label: f.label, path: f.path, was: shown(f.was), now: shown(f.now) }));

const changeTags: Record<ItemChange['change'], { text: string; classes: string }> = {
  added: { text: 'Added', classes: 'govuk-tag--green' },
  removed: { text: 'Removed', classes: 'govuk-tag--red' },
  changed: { text: 'Changed', classes: 'govuk-tag--blue' },
};

const itemSection = (id: string, title: string, items: ItemChange[]) => ({
  id,
  title,
  items: items.map((item) => ({ label: item.label, key: item.key, tag: changeTags[item.change], rows: fieldRows(item.fields) })),
});

export function comparisonView(comparison: ProgrammeComparison) {
  const block = (n: number | undefined) => (n === undefined ? 'None (no such session)' : `Block ${n}`);
  return {
    comparison,
    settings: fieldRows(comparison.settings),
    itemSections: [
      itemSection('blocks', 'Blocks', comparison.blocks),
      itemSection('eligibility', 'Eligibility criteria', comparison.eligibilityCriteria),
      itemSection('risk-domains', 'Risk domains', comparison.riskDomains),
      itemSection('outcome-measures', 'Outcome measures', comparison.outcomeMeasures),
    ],
    sessionMoves: comparison.sessionMoves.map((m) => ({
      sessions: m.first === m.last ? `Session ${m.first}` : `Sessions ${m.first} to ${m.last}`,
      was: block(m.wasBlock),
      now: block(m.nowBlock),
    })),
    catalogue: fieldRows(comparison.catalogue),
  };
}

/** The versions of a programme as choices, newest first, with one chosen. */
export function versionItems(programme: ProgrammeVersions, chosen: unknown) {
  return programme.versions.map((v) => ({
    value: String(v.version),
    text: `Version ${v.version} (in effect from ${formatDate(v.effectiveFrom)})`,
    selected: String(chosen) === String(v.version),
  }));
}
