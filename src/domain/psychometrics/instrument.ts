// A psychometric instrument as data: its items, response scale, scales (with reverse-keyed items, the risk domain
// each measures, which direction is better, the norms the change statistics need, and how many items may be missing).
// Instruments are versioned files (instruments/<id>.v<N>.json); a broken one stops start-up naming the field.
import { fieldName } from '../field-path.js';
import { z } from 'zod';

export const occasions = ['pre', 'post', 'follow_up'] as const;
export type Occasion = (typeof occasions)[number];
export const occasionLabels: Record<Occasion, string> = { pre: 'Before treatment', post: 'After treatment', follow_up: 'Follow-up' };

export const directions = ['lower', 'higher'] as const;
export type Better = (typeof directions)[number];

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, hyphens or underscores');
const sample = z.strictObject({ mean: z.number(), sd: z.number().positive('must be more than 0') });

const item = z.strictObject({
  id: slug,
  text: z.string().min(1),
  /** Scored as (min + max) − response, so agreeing with it counts against the scale's direction. */
  reverseKeyed: z.boolean(),
});

const scale = z.strictObject({
  id: slug,
  name: z.string().min(1),
  /** Only to show that a scale is part of a wider one; each scale is scored from its own items. */
  subscaleOf: slug.optional(),
  domain: slug,
  items: z.array(slug).min(1),
  better: z.enum(directions, { error: 'must be "lower" or "higher"' }),
  /** The prorating rule: with at most this many items missing the score is prorated, with more it is not scored. */
  maxMissingItems: z.number().int().min(0),
  norms: z.strictObject({
    dysfunctional: sample,
    functional: sample,
    testRetestReliability: z.number().min(0, 'must be 0 or more').lt(1, 'must be less than 1'),
    source: z.string().min(1),
  }),
});

export const instrumentDefinitionSchema = z
  .strictObject({
    $comment: z.string().optional(),
    id: slug,
    version: z.number().int().min(1),
    name: z.string().min(1),
    /** Illustrative instruments (made-up items and norms) say so wherever they are shown. */
    illustrative: z.boolean(),
    notice: z.string().min(1).optional(),
    responseScale: z.strictObject({ min: z.number().int(), max: z.number().int(), anchors: z.string().min(1) }),
    items: z.array(item).min(1),
    scales: z.array(scale).min(1),
  })
  .superRefine((def, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (def.responseScale.max <= def.responseScale.min) issue(['responseScale', 'max'], 'must be more than responseScale.min');
    if (def.illustrative && !def.notice) issue(['notice'], 'an illustrative instrument must say so in a notice');
    const itemIds = new Set<string>();
    def.items.forEach((it, i) => {
      if (itemIds.has(it.id)) issue(['items', i, 'id'], `duplicate item id "${it.id}"`);
      itemIds.add(it.id);
    });
    const scaleIds = new Set(def.scales.map((s) => s.id));
    const seen = new Set<string>();
    def.scales.forEach((s, i) => {
      if (seen.has(s.id)) issue(['scales', i, 'id'], `duplicate scale id "${s.id}"`);
      seen.add(s.id);
      if (s.subscaleOf !== undefined && (!scaleIds.has(s.subscaleOf) || s.subscaleOf === s.id)) {
        issue(['scales', i, 'subscaleOf'], `names no other scale of this instrument: "${s.subscaleOf}"`);
      }
      const inScale = new Set<string>();
      s.items.forEach((id, j) => {
        if (!itemIds.has(id)) issue(['scales', i, 'items', j], `names no item of this instrument: "${id}"`);
        if (inScale.has(id)) issue(['scales', i, 'items', j], `item "${id}" is listed twice`);
        inScale.add(id);
      });
      if (s.maxMissingItems >= s.items.length) issue(['scales', i, 'maxMissingItems'], `must be less than the scale's ${s.items.length} items`);
      // The cut-off and "recovered" mean something only when the functional sample is on the better side.
      const { functional, dysfunctional } = s.norms;
      const betterSide = s.better === 'lower' ? functional.mean < dysfunctional.mean : functional.mean > dysfunctional.mean;
      if (!betterSide) {
        issue(['scales', i, 'norms', 'functional', 'mean'], `must be ${s.better} than the dysfunctional mean, since ${s.better} scores are better`);
      }
    });
  });

export type InstrumentDefinition = z.infer<typeof instrumentDefinitionSchema>;
export type Scale = InstrumentDefinition['scales'][number];

export class InstrumentDefinitionError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${source}: ${field}: ${reason}`);
    this.name = 'InstrumentDefinitionError';
  }
}

/** An instrument file's name: its id and version, like illustrative-sexual-interests.v1.json. */
export const instrumentFileName = /^([a-z0-9][a-z0-9_-]*)\.v(\d+)\.json$/;

/**
 * Reads one instrument file: its name gives the id and version it must hold, its text must be JSON and a valid
 * instrument, and each scale's domain one of `domains` (the programmes' risk domains). Throws naming the first bad field.
 */
export function parseInstrumentFile(name: string, text: string, domains: readonly string[]): InstrumentDefinition {
  const match = instrumentFileName.exec(name);
  if (!match) throw new InstrumentDefinitionError(name, '(file name)', 'must be the instrument id and version, like my-scale.v1.json');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InstrumentDefinitionError(name, '(file)', `is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = instrumentDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new InstrumentDefinitionError(name, fieldName(first.path), first.message);
  }
  const def = parsed.data;
  def.scales.forEach((s, i) => {
    if (!domains.includes(s.domain)) {
      throw new InstrumentDefinitionError(name, `scales[${i}].domain`, `"${s.domain}" is not a risk domain of any programme (${domains.join(', ')})`);
    }
  });
  if (def.id !== match[1] || def.version !== Number(match[2])) {
    throw new InstrumentDefinitionError(name, 'id', `the file name says ${match[1]} v${match[2]} but the file says ${def.id} v${def.version}`);
  }
  return def;
}
