// A programme definition (the programme manual as data) and the rules a definition must obey.
// Definitions are versioned files (programmes/<id>.v<N>.json, or uploaded by an administrator); a broken one
// must stop start-up, or be refused at upload, naming the field.
import { fieldName } from '../field-path.js';
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date in the form YYYY-MM-DD');
const slugPattern = /^[a-z0-9][a-z0-9_-]*$/;
const slug = z.string().regex(slugPattern, 'must be lower-case letters, digits, hyphens or underscores');

/** True when the text could be a programme's id (lower-case letters, digits, hyphens or underscores). */
export const isProgrammeId = (text: string): boolean => slugPattern.test(text);

export const riskCategories = ['low', 'medium', 'high', 'very_high'] as const;
export type RiskCategory = (typeof riskCategories)[number];

export const convictionCategories = ['sexual_contact', 'sexual_non_contact', 'violent', 'burglary', 'other'] as const;
export type ConvictionCategory = (typeof convictionCategories)[number];

const block = z.strictObject({
  number: z.number().int().min(1),
  title: z.string().min(1),
  principalTarget: z.string().min(1),
  sessions: z.number().int().min(1),
  sharedTargetWith: z.array(z.number().int().min(1)).optional(),
});

const criterionBase = { id: slug, description: z.string().min(1) };
const eligibilityCriterion = z.discriminatedUnion('kind', [
  z.strictObject({ ...criterionBase, kind: z.literal('sex'), sex: z.enum(['male', 'female']) }),
  z.strictObject({ ...criterionBase, kind: z.literal('minimum_age'), years: z.number().int().min(0) }),
  z.strictObject({
    ...criterionBase,
    kind: z.literal('conviction'),
    categories: z.array(z.enum(convictionCategories)).min(1),
    includeAttempts: z.boolean(),
  }),
  z.strictObject({
    ...criterionBase,
    kind: z.literal('risk_category'),
    instrument: slug,
    categories: z.array(z.enum(riskCategories)).min(1),
    exception: z
      .strictObject({
        flag: z.enum(['sexualMurder']),
        categories: z.array(z.enum(riskCategories)).min(1),
        description: z.string().min(1),
      })
      .optional(),
  }),
  z.strictObject({ ...criterionBase, kind: z.literal('iq_above'), threshold: z.number() }),
]);
export type EligibilityCriterion = z.infer<typeof eligibilityCriterion>;

const targetGroup = z.strictObject({
  targetGroup: z.string().min(1),
  levelOfPrevention: z.string().min(1),
  ageGroup: z.string().min(1),
  gender: z.string().min(1),
  setting: z.string().min(1),
  language: z.string().min(1),
});

const catalogue = z.strictObject({
  summary: z.string().min(1),
  typeOfIntervention: z.string().min(1),
  targetGroups: z.array(targetGroup).min(1),
  targetPopulation: z.string().min(1),
  deliveryOrganisation: z.string().min(1),
  modeOfDelivery: z.array(z.string().min(1)).min(1),
  staffExpertise: z.array(z.string().min(1)).min(1),
  intensity: z.string().min(1),
  description: z.array(z.string().min(1)).min(1),
  evidence: z.array(z.string().min(1)).min(1),
  references: z.array(z.string().min(1)),
  contact: z.strictObject({
    organisation: z.string().min(1),
    address: z.array(z.string().min(1)),
    telephone: z.string().min(1),
    telephoneLabel: z.string().min(1),
  }),
  rating: z.string().min(1),
});

export const programmeDefinitionSchema = z
  .strictObject({
    $comment: z.string().optional(),
    id: slug,
    version: z.number().int().min(1),
    name: z.string().min(1),
    shortName: z.string().min(1),
    effectiveFrom: isoDate,
    sessionsPerBlockSource: z.string().min(1),
    totalSessions: z.number().int().min(1),
    sessionMinutes: z.number().int().min(15).max(480),
    maxSessionsPerWeek: z.number().int().min(1).max(7),
    maxSessionsPerDay: z.number().int().min(1),
    groupCapacity: z.number().int().min(1),
    facilitatorsPerSession: z.number().int().min(1),
    blocks: z.array(block).min(1),
    riskDomains: z.array(z.strictObject({ id: slug, name: z.string().min(1), sourceName: z.string().min(1) })).min(1),
    eligibility: z.strictObject({ criteria: z.array(eligibilityCriterion).min(1) }),
    completionRule: z.strictObject({
      kind: z.literal('every_session_attended_or_caught_up'),
      $comment: z.string().optional(),
      /** Late or leaving early by more than this many minutes is a missed session, to be caught up. */
      minutesMissedAllowed: z.number().int().min(0),
    }),
    deselectionReasons: z.array(z.strictObject({ id: slug, text: z.string().min(1) })).min(1),
    /** Days after a session its log stays open to its facilitators; after that only the treatment manager changes it. */
    sessionLogOpenDays: z.number().int().min(1).max(365).default(7),
    outcomeMeasures: z.array(z.strictObject({ id: slug, name: z.string().min(1) })).min(1),
    /**
     * Facilitators' supervision (domain/staff/supervision.ts): absent in files written before sotp kept supervision
     * records, which then follow defaultSupervisionRules. Optional rather than defaulted, so those files keep their hash.
     */
    supervision: z
      .strictObject({
        $comment: z.string().optional(),
        intervalDays: z.number().int().min(7).max(365),
        graceDays: z.number().int().min(0).max(180),
      })
      .optional(),
    /**
     * Clinical audit (domain/qa): how many session recordings an audit samples at least, the operational
     * indicators' standards and the four-point scale the two clinical criteria are rated on. Each part is optional,
     * for files written before sotp ran audits; the domain's defaults (the source document's figures) stand in.
     */
    audit: z
      .strictObject({
        $comment: z.string().optional(),
        minimumRecordings: z.number().int().min(1).max(100),
        standards: z
          .strictObject({
            $comment: z.string().optional(),
            registerWithinDays: z.number().int().min(0).max(365),
            logWithinDays: z.number().int().min(0).max(365),
            reportWithinDays: z.number().int().min(0).max(365),
            groupStartWithinDays: z.number().int().min(0).max(365),
            /** The share of records (0 to 1) that must meet each standard. */
            target: z.number().min(0).max(1),
          })
          .optional(),
        /** Best first: exactly four levels, each with what it means for each criterion. */
        ratingScale: z
          .array(
            z.strictObject({
              id: slug,
              label: z.string().min(1),
              descriptors: z.strictObject({ delivery: z.string().min(1), treatment_management: z.string().min(1) }),
            }),
          )
          .length(4, 'must have exactly four levels')
          .refine((levels) => new Set(levels.map((l) => l.id)).size === levels.length, 'each level needs its own id')
          .optional(),
      })
      .optional(),
    catalogue,
  })
  .superRefine((def, ctx) => {
    def.blocks.forEach((b, i) => {
      if (b.number !== i + 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['blocks', i, 'number'],
          message: `blocks must be numbered 1, 2, 3 … in order: expected ${i + 1}, found ${b.number}`,
        });
      }
    });
    const sum = def.blocks.reduce((total, b) => total + b.sessions, 0);
    if (sum !== def.totalSessions) {
      ctx.addIssue({
        code: 'custom',
        path: ['blocks'],
        message: `the blocks' session counts add up to ${sum}, but totalSessions is ${def.totalSessions}`,
      });
    }
    if (def.completionRule.minutesMissedAllowed >= def.sessionMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['completionRule', 'minutesMissedAllowed'],
        message: `must be less than the session length (${def.sessionMinutes} minutes)`,
      });
    }
    const reasonIds = new Set<string>();
    def.deselectionReasons.forEach((r, i) => {
      if (reasonIds.has(r.id)) ctx.addIssue({ code: 'custom', path: ['deselectionReasons', i, 'id'], message: `duplicate deselection reason id "${r.id}"` });
      reasonIds.add(r.id);
    });
    const ids = new Set<string>();
    def.eligibility.criteria.forEach((c, i) => {
      if (ids.has(c.id)) {
        ctx.addIssue({ code: 'custom', path: ['eligibility', 'criteria', i, 'id'], message: `duplicate criterion id "${c.id}"` });
      }
      ids.add(c.id);
    });
  });

export type ProgrammeDefinition = z.infer<typeof programmeDefinitionSchema>;
export type Block = ProgrammeDefinition['blocks'][number];

/** Core SOTP's fixed shape, from the source document: the file may not drift from it. */
export const coreSotpShape = {
  totalSessions: 84,
  blocks: 20,
  sessionMinutes: 150,
  maxSessionsPerWeek: 5,
  groupCapacity: 9,
  facilitatorsPerSession: 2,
  riskDomains: 4,
} as const;

export class ProgrammeDefinitionError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${source}: ${field}: ${reason}`);
    this.name = 'ProgrammeDefinitionError';
  }
}

/** The path of the first string holding a NUL character (which the database cannot store), or undefined. */
function pathWithNul(value: unknown, path: PropertyKey[]): PropertyKey[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value && typeof value === 'object') {
    for (const [key, item] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
      const found = pathWithNul(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Validates raw data as a programme definition; throws naming the first bad field. */
export function parseProgrammeDefinition(raw: unknown, source: string): ProgrammeDefinition {
  const nul = pathWithNul(raw, []);
  if (nul) throw new ProgrammeDefinitionError(source, fieldName(nul), 'holds a NUL character, which cannot be stored');
  const parsed = programmeDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProgrammeDefinitionError(source, fieldName(issue.path), issue.message);
  }
  const def = parsed.data;
  if (def.id === 'core-sotp') {
    const actual = {
      totalSessions: def.totalSessions,
      blocks: def.blocks.length,
      sessionMinutes: def.sessionMinutes,
      maxSessionsPerWeek: def.maxSessionsPerWeek,
      groupCapacity: def.groupCapacity,
      facilitatorsPerSession: def.facilitatorsPerSession,
      riskDomains: def.riskDomains.length,
    };
    for (const [field, expected] of Object.entries(coreSotpShape)) {
      const value = actual[field as keyof typeof actual];
      if (value !== expected) {
        throw new ProgrammeDefinitionError(source, field, `Core SOTP has ${expected} here according to the source document, found ${value}`);
      }
    }
  }
  return def;
}

/** A definition file's name: the programme id and version, like core-sotp.v1.json. */
export const programmeFileName = /^([a-z0-9][a-z0-9_-]*)\.v(\d+)\.json$/;

/**
 * Reads one definition file, folder or upload alike: its name must give the id and version the file holds, its
 * text must be JSON and a valid definition. Throws a ProgrammeDefinitionError naming the first bad field.
 */
export function parseProgrammeFile(name: string, text: string): ProgrammeDefinition {
  const match = programmeFileName.exec(name);
  if (!match) throw new ProgrammeDefinitionError(name, '(file name)', 'must be the programme id and version, like core-sotp.v2.json');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ProgrammeDefinitionError(name, '(file)', `is not valid JSON: ${(error as Error).message}`);
  }
  const def = parseProgrammeDefinition(raw, name);
  if (def.id !== match[1] || def.version !== Number(match[2])) {
    throw new ProgrammeDefinitionError(name, 'id', `the file name says ${match[1]} v${match[2]} but the file says ${def.id} v${def.version}`);
  }
  return def;
}

/** The block each session number (1-based) belongs to, in manual order. */
export function sessionBlocks(def: Pick<ProgrammeDefinition, 'blocks'>): number[] {
  const blocks: number[] = [];
  for (const b of def.blocks) for (let i = 0; i < b.sessions; i++) blocks.push(b.number);
  return blocks;
}
