// Rating an audit (issue 13): the auditor rates the quality of delivery and of treatment management on the
// programme's four-point scale, each with evidence that cites the sampled recordings watched and the checklist
// items examined. Both are rated together, which moves the audit from in progress to rated. Nothing is saved
// before the programme's minimum number of sampled recordings has been watched (domain/qa/sample.ts).
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../../db/connection.js';
import { auditChecklistItems, auditRatings } from '../../db/schema.js';
import { isChecklistItem, type ChecklistItemId } from '../../domain/qa/checklist.js';
import { levelRank, ratingCriteria, ratingScale, type RatingCriterionId, type RatingLevel } from '../../domain/qa/ratings.js';
import { minimumAuditRecordings } from '../../domain/qa/sample.js';
import { authorise, type Actor } from '../access.js';
import { appendAudit } from '../audit.js';
import { ValidationFailed, type FieldError } from '../errors.js';
import { requiredText, versionField } from '../input-fields.js';
import { currentProgramme } from '../programme-lookup.js';
import { validate } from '../validate.js';
import { lockAuditForMove, moveAudit, readAudit } from './audit-lock.js';
import { watchedRecordings } from './recording-reviews.js';

/** What a rating's evidence rests on. */
export interface RatingCites {
  recordings: number[];
  checklist: ChecklistItemId[];
}

export interface StoredRating {
  criterion: RatingCriterionId;
  criterionLabel: string;
  level: string;
  levelLabel: string;
  levelRank: number;
  evidence: string;
  cites: RatingCites;
  ratedBy: number;
  ratedAt: Date;
}

const lower = (label: string) => label.charAt(0).toLowerCase() + label.slice(1);
const asList = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

function criterionFields(criterion: (typeof ratingCriteria)[number]) {
  const name = lower(criterion.label);
  return {
    [`level_${criterion.id}`]: z
      .string({ error: `Choose a rating for ${name}` })
      .trim()
      .min(1, `Choose a rating for ${name}`),
    [`evidence_${criterion.id}`]: requiredText(`the evidence for the rating of ${name}`, 10000),
    [`cites_${criterion.id}`]: z.preprocess(
      asList,
      z
        .array(z.string().regex(/^(recording:\d{1,9}|checklist:[a-z_]+)$/, `Cite the sampled recordings and checklist items listed for ${name}`))
        .min(1, `Cite at least one sampled recording or checklist item the rating of ${name} rests on`),
    ),
  };
}

export const rateAuditInput = z.object({ version: versionField, ...Object.assign({}, ...ratingCriteria.map(criterionFields)) });

export interface RatingRules {
  scale: readonly RatingLevel[];
  minimum: number;
  /** The sampled recordings watched (with notes), which the evidence may cite. */
  watched: number[];
  /** The checklist items examined, which the evidence may cite. */
  examined: ChecklistItemId[];
}

async function examinedItems(ex: Executor, auditId: number): Promise<ChecklistItemId[]> {
  const rows = await ex.select({ item: auditChecklistItems.item }).from(auditChecklistItems).where(eq(auditChecklistItems.auditId, auditId));
  return rows.map((r) => r.item).filter(isChecklistItem);
}

async function rulesOf(ex: Executor, audit: { id: number; programmeId: string }): Promise<RatingRules> {
  const programme = await currentProgramme(ex, audit.programmeId);
  return {
    scale: ratingScale(programme),
    minimum: minimumAuditRecordings(programme),
    watched: await watchedRecordings(ex, audit.id),
    examined: await examinedItems(ex, audit.id),
  };
}

/** What the ratings form needs: the programme's scale, its minimum, and what the evidence may cite. */
export async function ratingRules(db: Db, actor: Actor, auditId: number): Promise<RatingRules> {
  authorise(actor, 'audit.read');
  const audit = await readAudit(db, auditId);
  authorise(actor, 'audit.read', audit.siteId);
  return rulesOf(db, audit);
}

/** An audit's ratings, in the criteria's order. */
export async function storedRatings(ex: Executor, auditId: number): Promise<StoredRating[]> {
  const rows = await ex.select().from(auditRatings).where(eq(auditRatings.auditId, auditId));
  return ratingCriteria.flatMap((c) =>
    rows
      .filter((r) => r.criterion === c.id)
      .map((r) => ({
        criterion: c.id,
        criterionLabel: c.label,
        level: r.level,
        levelLabel: r.levelLabel,
        levelRank: r.levelRank,
        evidence: r.evidence,
        cites: r.cites as RatingCites,
        ratedBy: r.ratedBy,
        ratedAt: r.createdAt,
      })),
  );
}

/** Splits a criterion's cited ids into recordings and checklist items, refusing any the evidence may not cite. */
function readCites(field: string, cited: string[], rules: RatingRules, name: string): { cites: RatingCites; errors: FieldError[] } {
  const cites: RatingCites = { recordings: [], checklist: [] };
  const errors: FieldError[] = [];
  for (const id of new Set(cited)) {
    const [kind, value] = id.split(':');
    if (kind === 'recording' && rules.watched.includes(Number(value))) cites.recordings.push(Number(value));
    else if (kind === 'checklist' && isChecklistItem(value) && rules.examined.includes(value)) cites.checklist.push(value);
    else errors.push({ field, message: `The evidence for ${name} may cite only sampled recordings watched and checklist items examined` });
  }
  return { cites, errors };
}

/**
 * Rates both criteria and so moves the audit to rated. Refused, naming the rule and saving nothing: before the
 * programme's minimum of sampled recordings has been watched; a level not on the programme's scale; evidence that
 * is missing or cites what was not watched or examined.
 */
export async function rateAudit(db: Db, actor: Actor, auditId: number, input: unknown): Promise<void> {
  authorise(actor, 'audit.rate');
  const values = validate(rateAuditInput, input) as Record<string, unknown> & { version: number };
  await db.transaction(async (tx) => {
    const { audit, move } = await lockAuditForMove(tx, actor, auditId, values.version, 'rate');
    const rules = await rulesOf(tx, audit);
    if (rules.watched.length < rules.minimum) {
      throw ValidationFailed.one(
        'watched',
        `Watch at least ${rules.minimum} of the sampled recordings, with notes on each, before rating: ${rules.watched.length} watched so far`,
      );
    }
    const errors: FieldError[] = [];
    const rows = ratingCriteria.map((c) => {
      const name = lower(c.label);
      const level = values[`level_${c.id}`] as string;
      const rank = levelRank(rules.scale, level);
      if (rank === null) errors.push({ field: `level_${c.id}`, message: `Choose one of the four ratings on the scale for ${name}` });
      const read = readCites(`cites_${c.id}`, values[`cites_${c.id}`] as string[], rules, name);
      errors.push(...read.errors);
      return {
        auditId,
        criterion: c.id,
        level,
        levelLabel: rank === null ? '' : rules.scale[rank - 1].label,
        levelRank: rank ?? 0,
        evidence: values[`evidence_${c.id}`] as string,
        cites: read.cites,
        ratedBy: actor.userId!,
      };
    });
    if (errors.length) throw new ValidationFailed(errors);
    await tx.insert(auditRatings).values(rows);
    await moveAudit(tx, auditId, move.status);
    await appendAudit(tx, actor, {
      action: 'audit.rated',
      subjectType: 'audit',
      subjectId: auditId,
      siteId: audit.siteId,
      details: { ratings: Object.fromEntries(rows.map((r) => [r.criterion, r.level])), from: audit.status, to: move.status },
    });
  });
}
