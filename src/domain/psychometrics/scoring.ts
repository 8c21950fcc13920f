// Scoring one administration of an instrument: reverse-keyed items turned round, and missing items handled by
// each scale's prorating rule (the mean of the answered items times the number of items, when few enough are
// missing), otherwise the scale is not scored and the reason is kept.
import type { InstrumentDefinition, Scale } from './instrument.js';

/** A man's answers, by item id; null (or absent) when he did not answer. */
export type Responses = Readonly<Record<string, number | null | undefined>>;

export type ScaleScore =
  | { scaleId: string; status: 'scored'; score: number; missingItems: number; prorated: boolean }
  | { scaleId: string; status: 'not_scored'; missingItems: number; reason: string };

export function scoreScale(instrument: InstrumentDefinition, scale: Scale, responses: Responses): ScaleScore {
  const { min, max } = instrument.responseScale;
  const reversed = new Set(instrument.items.filter((i) => i.reverseKeyed).map((i) => i.id));
  const keyed = scale.items.flatMap((id) => {
    const r = responses[id];
    if (r === null || r === undefined) return [];
    return [reversed.has(id) ? min + max - r : r];
  });
  const missingItems = scale.items.length - keyed.length;
  if (missingItems > scale.maxMissingItems) {
    return {
      scaleId: scale.id,
      status: 'not_scored',
      missingItems,
      reason: `${missingItems} of ${scale.items.length} items not answered; the score is prorated only with ${scale.maxMissingItems} or fewer missing`,
    };
  }
  const sum = keyed.reduce((a, b) => a + b, 0);
  const score = missingItems === 0 ? sum : (sum / keyed.length) * scale.items.length;
  return { scaleId: scale.id, status: 'scored', score, missingItems, prorated: missingItems > 0 };
}

export function scoreAdministration(instrument: InstrumentDefinition, responses: Responses): ScaleScore[] {
  return instrument.scales.map((s) => scoreScale(instrument, s, responses));
}
