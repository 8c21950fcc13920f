// Programme eligibility: checks what is known about a man against a programme definition's criteria,
// giving each criterion met / not met / unknown with a sentence, and an overall result a treatment manager may override.
import { z } from 'zod';
import {
  convictionCategories,
  riskCategories,
  type ConvictionCategory,
  type EligibilityCriterion,
  type ProgrammeDefinition,
  type RiskCategory,
} from '../programme/definition.js';
import { can } from '../permissions.js';
import { instrumentName } from '../risk/instruments.js';
import type { Role } from '../roles.js';

/**
 * What is known about a man. Every field may be missing; a criterion that needs a missing field is `unknown`.
 * An attempted offence is recorded under the category of the offence attempted, with `attempt: true`
 * (an attempted rape is `{ category: 'sexual_contact', attempt: true }`); a `conviction` criterion with
 * includeAttempts counts it, one without does not.
 */
export const eligibilityFactsSchema = z.strictObject({
  sex: z.enum(['male', 'female']).optional(),
  age: z.number().int().min(0).optional(),
  convictions: z.array(z.strictObject({ category: z.enum(convictionCategories), attempt: z.boolean() })).optional(),
  /** Latest category per risk instrument id, e.g. `{ "rm2000s": "medium" }`. */
  riskCategories: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a risk instrument id'), z.enum(riskCategories)).optional(),
  iq: z.number().min(0).optional(),
  sexualMurder: z.boolean().optional(),
});
export type EligibilityFacts = z.infer<typeof eligibilityFactsSchema>;

export type CriterionStatus = 'met' | 'not_met' | 'unknown';
export type EligibilityResult = 'eligible' | 'not_eligible' | 'undetermined';

export interface CriterionOutcome {
  id: string;
  status: CriterionStatus;
  reason: string;
}

export interface EligibilityAssessment {
  programme: { id: string; version: number };
  result: EligibilityResult;
  criteria: CriterionOutcome[];
}

const categoryWords: Record<ConvictionCategory | RiskCategory, string> = {
  sexual_contact: 'contact sexual',
  sexual_non_contact: 'non-contact sexual',
  violent: 'violent',
  burglary: 'burglary',
  other: 'other',
  low: 'low',
  medium: 'medium',
  high: 'high',
  very_high: 'very high',
};

function words(ids: readonly (ConvictionCategory | RiskCategory)[]): string {
  const list = ids.map((id) => categoryWords[id]);
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

type Outcome = Omit<CriterionOutcome, 'id'>;
const met = (reason: string): Outcome => ({ status: 'met', reason });
const notMet = (reason: string): Outcome => ({ status: 'not_met', reason });
const unknown = (reason: string): Outcome => ({ status: 'unknown', reason });

// One evaluator per criterion kind; the mapped type makes a new kind in the definition a compile error here.
const evaluators: { [K in EligibilityCriterion['kind']]: (c: Extract<EligibilityCriterion, { kind: K }>, f: EligibilityFacts) => Outcome } = {
  sex: (c, f) => {
    if (f.sex === undefined) return unknown('His sex is not recorded.');
    return f.sex === c.sex
      ? met(`Sex is ${f.sex}, as the programme requires.`)
      : notMet(`The programme is for ${c.sex === 'male' ? 'men' : 'women'} only; sex is ${f.sex}.`);
  },
  minimum_age: (c, f) => {
    if (f.age === undefined) return unknown('His age is not recorded.');
    return f.age >= c.years ? met(`Aged ${f.age}: ${c.years} or over.`) : notMet(`Aged ${f.age}: under ${c.years}.`);
  },
  conviction: (c, f) => {
    if (f.convictions === undefined) return unknown('His convictions are not recorded.');
    const inCategory = f.convictions.filter((v) => c.categories.includes(v.category));
    const wanted = `a ${words(c.categories)} offence`;
    if (inCategory.some((v) => !v.attempt)) return met(`Convicted of ${wanted}.`);
    if (inCategory.length > 0) {
      return c.includeAttempts
        ? met(`Convicted of an attempted ${words(c.categories)} offence, which counts.`)
        : notMet(`Convicted only of an attempted ${words(c.categories)} offence; attempts do not count for this programme.`);
    }
    return notMet(`No conviction for ${wanted}${c.includeAttempts ? ' or an attempt at one' : ''}.`);
  },
  risk_category: (c, f) => {
    const category = f.riskCategories?.[c.instrument];
    const name = instrumentName(c.instrument);
    if (category === undefined) return unknown(`No ${name} risk category is recorded.`);
    if (c.categories.includes(category)) return met(`${name} category is ${categoryWords[category]}: ${words(c.categories)} is required.`);
    const exception = c.exception;
    if (exception && exception.categories.includes(category)) {
      if (f[exception.flag] === true) return met(`${name} category is ${categoryWords[category]}, but the exception applies: ${exception.description}`);
      if (f[exception.flag] === undefined) {
        return unknown(`${name} category is ${categoryWords[category]}; whether the exception applies is not recorded (${exception.description})`);
      }
    }
    return notMet(`${name} category is ${categoryWords[category]}: ${words(c.categories)} is required.`);
  },
  iq_above: (c, f) => {
    if (f.iq === undefined) return unknown('His IQ is not recorded.');
    return f.iq > c.threshold ? met(`IQ ${f.iq} is over ${c.threshold}.`) : notMet(`IQ ${f.iq} is not over ${c.threshold}.`);
  },
};

export function evaluateCriterion(criterion: EligibilityCriterion, facts: EligibilityFacts): CriterionOutcome {
  const evaluate = evaluators[criterion.kind] as (c: EligibilityCriterion, f: EligibilityFacts) => Outcome;
  return { id: criterion.id, ...evaluate(criterion, facts) };
}

/** Eligible when every criterion is met, not eligible when any is not met, otherwise undetermined. */
export function assessEligibility(programme: Pick<ProgrammeDefinition, 'id' | 'version' | 'eligibility'>, facts: EligibilityFacts): EligibilityAssessment {
  const criteria = programme.eligibility.criteria.map((c) => evaluateCriterion(c, facts));
  const result: EligibilityResult = criteria.some((c) => c.status === 'not_met')
    ? 'not_eligible'
    : criteria.every((c) => c.status === 'met')
      ? 'eligible'
      : 'undetermined';
  return { programme: { id: programme.id, version: programme.version }, result, criteria };
}

/** A treatment manager's decision that replaces the computed result; `by` is who made it. */
export interface EligibilityOverride {
  result: EligibilityResult;
  reason: string;
  by: { userId: string; role: Role };
}

export type OverriddenEligibility =
  | { ok: true; computed: EligibilityAssessment; override: EligibilityOverride; result: EligibilityResult }
  | { ok: false; refusal: 'not_allowed_for_role' | 'reason_required'; message: string };

/** Applies an override on top of the computed assessment, keeping both so the record shows what was overridden. */
export function overrideEligibility(computed: EligibilityAssessment, override: EligibilityOverride): OverriddenEligibility {
  if (!can(override.by.role, 'eligibility.override')) {
    return { ok: false, refusal: 'not_allowed_for_role', message: 'Only a treatment manager may override an eligibility result.' };
  }
  if (override.reason.trim() === '') {
    return { ok: false, refusal: 'reason_required', message: 'Give a reason for overriding the eligibility result.' };
  }
  return { ok: true, computed, override, result: override.result };
}
