// Eligibility for a programme from a man's stored record (sex, age today, convictions, latest risk categories,
// IQ, sexual murder), with a reason per criterion, and treatment managers' overrides kept beside the computed result.
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Executor } from '../db/connection.js';
import { eligibilityOverrides, users } from '../db/schema.js';
import {
  assessEligibility,
  overrideEligibility,
  type EligibilityAssessment,
  type EligibilityFacts,
  type EligibilityResult,
} from '../domain/eligibility/eligibility.js';
import { wholeYearsBetween } from '../domain/people/dates.js';
import type { ConvictionCategory, RiskCategory } from '../domain/programme/definition.js';
import { riskCategories } from '../domain/programme/definition.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { AccessDenied, ValidationFailed } from './errors.js';
import { readPersonRecord, type PersonRecord, type Person } from './people.js';
import { currentProgramme } from './programme-lookup.js';
import { validate } from './validate.js';

export interface StoredOverride {
  result: 'eligible' | 'not_eligible';
  computedResult: EligibilityResult;
  reason: string;
  decidedBy: string;
  decidedAt: Date;
}

export interface PersonEligibility {
  programmeId: string;
  computed: EligibilityAssessment;
  override: StoredOverride | null;
  /** The override's result when there is one, else the computed result. */
  result: EligibilityResult;
}

/**
 * The facts the domain needs, from the stored record; the latest score per instrument counts, and only while it is
 * up to date: a score computed from a conviction since removed says nothing reliable, so the risk criterion is
 * unknown until he is scored again (an older score is no better: it was computed from the same record).
 */
export function factsFromRecord(person: Person, record: Pick<PersonRecord, 'convictions' | 'scores'>, today: string): EligibilityFacts {
  const latest: Record<string, RiskCategory> = {};
  const seen = new Set<string>();
  // scores are newest first: the first seen per instrument is the latest.
  for (const s of record.scores) {
    if (seen.has(s.instrument)) continue;
    seen.add(s.instrument);
    if (s.outOfDateSince === null && (riskCategories as readonly string[]).includes(s.category)) latest[s.instrument] = s.category as RiskCategory;
  }
  return {
    sex: person.sex as 'male' | 'female',
    age: wholeYearsBetween(person.dateOfBirth, today),
    convictions: record.convictions.map((c) => ({ category: c.category as ConvictionCategory, attempt: c.attempt })),
    riskCategories: latest,
    ...(person.iqScore === null ? {} : { iq: person.iqScore }),
    sexualMurder: person.sexualMurder,
  };
}

async function latestOverride(ex: Executor, personId: number, programmeId: string): Promise<StoredOverride | null> {
  const [row] = await ex
    .select({ o: eligibilityOverrides, name: users.displayName })
    .from(eligibilityOverrides)
    .innerJoin(users, eq(users.id, eligibilityOverrides.decidedBy))
    .where(and(eq(eligibilityOverrides.personId, personId), eq(eligibilityOverrides.programmeId, programmeId)))
    .orderBy(desc(eligibilityOverrides.createdAt), desc(eligibilityOverrides.id))
    .limit(1);
  if (!row) return null;
  return {
    result: row.o.result as StoredOverride['result'],
    computedResult: row.o.computedResult as EligibilityResult,
    reason: row.o.reason,
    decidedBy: row.name,
    decidedAt: row.o.createdAt,
  };
}

/** Eligibility within a transaction that has already read the person (for the person page). */
export async function eligibilityFor(
  ex: Executor,
  record: Pick<PersonRecord, 'convictions' | 'scores'> & { person: Person },
  programmeId: string,
  today: string,
): Promise<PersonEligibility> {
  const programme = await currentProgramme(ex, programmeId);
  const computed = assessEligibility(programme, factsFromRecord(record.person, record, today));
  const override = await latestOverride(ex, record.person.id, programmeId);
  return { programmeId, computed, override, result: override?.result ?? computed.result };
}

export async function getEligibility(db: Db, actor: Actor, personId: number, programmeId: string, today: string): Promise<PersonEligibility> {
  authorise(actor, 'person.read');
  return db.transaction(async (tx) => {
    const record = await readPersonRecord(tx, actor, personId);
    const eligibility = await eligibilityFor(tx, record, programmeId, today);
    await appendAudit(tx, actor, {
      action: 'eligibility.viewed',
      subjectType: 'person',
      subjectId: personId,
      siteId: record.person.siteId,
      details: { programmeId, result: eligibility.result },
    });
    return eligibility;
  });
}

export const overrideInput = z.object({
  result: z.enum(['eligible', 'not_eligible'], { error: 'Select eligible or not eligible' }),
  reason: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.string({ error: 'Give a reason for overriding the eligibility result' }).max(2000, 'Reason must be 2000 characters or fewer'),
  ),
});

/** A treatment manager overrides the computed result with a reason; both stay on record. */
export async function recordEligibilityOverride(
  db: Db,
  actor: Actor,
  personId: number,
  programmeId: string,
  input: unknown,
  today: string,
): Promise<PersonEligibility> {
  authorise(actor, 'eligibility.override');
  const values = validate(overrideInput, input);
  return db.transaction(async (tx) => {
    const record = await readPersonRecord(tx, actor, personId, 'eligibility.override');
    const before = await eligibilityFor(tx, record, programmeId, today);
    const decided = overrideEligibility(before.computed, {
      result: values.result,
      reason: values.reason,
      by: { userId: String(actor.userId), role: actor.role },
    });
    if (!decided.ok) {
      if (decided.refusal === 'not_allowed_for_role') throw new AccessDenied(decided.message);
      throw ValidationFailed.one('reason', decided.message);
    }
    if (actor.userId === null) throw new AccessDenied('An override must be made by a named treatment manager');
    const [row] = await tx
      .insert(eligibilityOverrides)
      .values({ personId, programmeId, computedResult: before.computed.result, result: values.result, reason: values.reason, decidedBy: actor.userId })
      .returning({ id: eligibilityOverrides.id });
    await appendAudit(tx, actor, {
      action: 'eligibility.overridden',
      subjectType: 'person',
      subjectId: personId,
      siteId: record.person.siteId,
      details: { programmeId, overrideId: row.id, computedResult: before.computed.result, result: values.result },
    });
    return eligibilityFor(tx, record, programmeId, today);
  });
}
