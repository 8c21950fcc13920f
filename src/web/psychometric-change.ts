// A man's psychometric change per scale as his page and his end-of-treatment report show it (the table itself is
// the changeTable macro in views/psychometric-change.njk): each scale's risk domain by name, and how its
// reliable change reads.
import type { ProgrammeDefinition } from '../domain/programme/definition.js';
import type { ScaleChange } from '../services/psychometrics.js';

const verdicts = {
  improved: { text: 'Reliably improved', classes: 'govuk-tag--green' },
  deteriorated: { text: 'Reliably deteriorated', classes: 'govuk-tag--red' },
  no_reliable_change: { text: 'No reliable change', classes: 'govuk-tag--grey' },
} as const;

/** The reliable change as a tag, and whether he has recovered; null when the change could not be computed. */
function changeVerdict(c: ScaleChange): { tag: { text: string; classes: string }; recovered: string } | null {
  if (!c.change) return null;
  const recovered = c.change.clinicallySignificant ? 'Yes: crossed the cut-off' : 'No';
  return { tag: verdicts[c.change.reliableChange], recovered };
}

export interface ChangeView {
  rows: Array<ScaleChange & { domainName: string; verdict: ReturnType<typeof changeVerdict> }>;
  /** Some scale comes from an illustrative instrument (made-up items and norms): the table says so. */
  illustrative: boolean;
}

export function changeView(changes: readonly ScaleChange[], programmes: readonly ProgrammeDefinition[]): ChangeView {
  const domainNames = new Map(programmes.flatMap((p) => p.riskDomains.map((d) => [d.id, d.name] as const)));
  return {
    rows: changes.map((c) => ({ ...c, domainName: domainNames.get(c.domain) ?? c.domain, verdict: changeVerdict(c) })),
    illustrative: changes.some((c) => c.illustrative),
  };
}
