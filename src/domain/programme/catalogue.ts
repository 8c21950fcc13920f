// The public catalogue's taxonomy: the facets the source document files a programme under, and filtering by them.
import type { ProgrammeDefinition } from './definition.js';

export const catalogueFacets = [
  { id: 'targetGroup', label: 'Target group' },
  { id: 'levelOfPrevention', label: 'Level of prevention' },
  { id: 'ageGroup', label: 'Age group' },
  { id: 'gender', label: 'Gender' },
  { id: 'setting', label: 'Setting' },
  { id: 'language', label: 'Language' },
  { id: 'rating', label: 'Rating' },
] as const;

export type FacetId = (typeof catalogueFacets)[number]['id'];
export type CatalogueFilter = Partial<Record<FacetId, string>>;

function facetValues(def: ProgrammeDefinition, facet: FacetId): string[] {
  if (facet === 'rating') return [def.catalogue.rating];
  return def.catalogue.targetGroups.map((g) => g[facet]);
}

/** Each facet with the values that occur in the catalogue, for the filter form. */
export function facetOptions(defs: ProgrammeDefinition[]): Array<{ id: FacetId; label: string; values: string[] }> {
  return catalogueFacets.map((f) => ({
    id: f.id,
    label: f.label,
    values: [...new Set(defs.flatMap((d) => facetValues(d, f.id)))].sort(),
  }));
}

/** The latest version of each programme that matches every chosen facet value. */
export function filterCatalogue(defs: ProgrammeDefinition[], filter: CatalogueFilter): ProgrammeDefinition[] {
  const latest = new Map<string, ProgrammeDefinition>();
  for (const d of defs) if ((latest.get(d.id)?.version ?? 0) < d.version) latest.set(d.id, d);
  return [...latest.values()]
    .filter((d) => catalogueFacets.every((f) => !filter[f.id] || facetValues(d, f.id).includes(filter[f.id]!)))
    .sort((a, b) => a.name.localeCompare(b.name));
}
