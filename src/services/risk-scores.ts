// Scoring a man with RM2000/S or OSP from his record: the form is pre-filled with what his record can tell,
// the assessor confirms or corrects it, and the inputs, result (with its points), assessor and date are stored.
import type { z } from 'zod';
import type { Db } from '../db/connection.js';
import { riskScores } from '../db/schema.js';
import { wholeYearsBetween } from '../domain/people/dates.js';
import { ospDc, ospIic, ospInputSchema, scoreOsp, type OspInput } from '../domain/risk/osp.js';
import { rm2000InputSchema, rm2000s, scoreRm2000, type Rm2000Input } from '../domain/risk/rm2000.js';
import { authorise, type Actor } from './access.js';
import { appendAudit } from './audit.js';
import { ValidationFailed } from './errors.js';
import { requiredBoolean, requiredWholeNumber } from './input-fields.js';
import { readPersonRecord, type Conviction, type Person, type StoredScore } from './people.js';
import { validate } from './validate.js';

export const scoredInstruments = ['rm2000s', 'osp'] as const;
export type ScoredInstrument = (typeof scoredInstruments)[number];

/** How each input reads on the form and in error messages. */
export const rm2000Labels: Record<keyof Rm2000Input, string> = {
  ageAtCommencementOfRisk: 'age at commencement of risk',
  sexualAppearances: 'number of sexual appearances',
  criminalAppearances: 'number of criminal appearances',
  maleVictim: 'any sexual offence against a male',
  strangerVictim: 'any sexual offence against a stranger',
  singleNeverMarried: 'single, never married',
  nonContactSexualOffence: 'any non-contact sexual offence',
};

export const ospLabels: Record<keyof OspInput, string> = {
  sex: 'sex',
  ageAtStartOfFollowup: 'age at start of follow-up',
  contactAdultSexualSanctions: 'number of contact adult sexual sanctions',
  contactChildSexualSanctions: 'number of contact child sexual sanctions',
  nonContactSexualSanctions: 'number of non-contact sexual sanctions',
  indecentImageSanctions: 'number of indecent image sanctions',
  ageAtLastSexualSanction: 'age at last sexual sanction',
  totalSanctions: 'total number of sanctions for all offences',
  currentOffenceAgainstStranger: 'current offence against a stranger',
  inCustody: 'in custody',
  yearsSinceMostRecentOffence: 'whole years since the most recent offence',
  yearsSinceMostRecentSexualOffence: 'whole years since the most recent sexual offence',
  yearsSinceStartOfFollowup: 'whole years since the start of follow-up',
};

// Form-tolerant versions of the domain's schemas (strings from forms become numbers and booleans,
// missing values get messages that name the field in words); the domain schema then checks the result.
const rm2000Form = rm2000InputSchema.extend({
  ageAtCommencementOfRisk: requiredWholeNumber(rm2000Labels.ageAtCommencementOfRisk, 0, 130),
  sexualAppearances: requiredWholeNumber(rm2000Labels.sexualAppearances, 0, 1000),
  criminalAppearances: requiredWholeNumber(rm2000Labels.criminalAppearances, 0, 1000),
  maleVictim: requiredBoolean(rm2000Labels.maleVictim),
  strangerVictim: requiredBoolean(rm2000Labels.strangerVictim),
  singleNeverMarried: requiredBoolean(rm2000Labels.singleNeverMarried),
  nonContactSexualOffence: requiredBoolean(rm2000Labels.nonContactSexualOffence),
});

const ospForm = ospInputSchema.extend({
  ...Object.fromEntries(
    (Object.keys(ospLabels) as (keyof OspInput)[])
      .filter((k) => k !== 'sex' && k !== 'currentOffenceAgainstStranger' && k !== 'inCustody')
      .map((k) => [k, requiredWholeNumber(ospLabels[k], 0, 1000)]),
  ),
  currentOffenceAgainstStranger: requiredBoolean(ospLabels.currentOffenceAgainstStranger),
  inCustody: requiredBoolean(ospLabels.inCustody),
}) as unknown as z.ZodType<OspInput>;

/** Only the fields the instrument knows, so a form's _csrf and version do not reach the strict schema. */
function pick(input: unknown, keys: readonly string[]): Record<string, unknown> {
  const raw = (input ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in raw).map((k) => [k, raw[k]]));
}

function isSexual(c: Conviction): boolean {
  return c.category === 'sexual_contact' || c.category === 'sexual_non_contact';
}

const distinctDates = (list: Conviction[]) => new Set(list.map((c) => c.convictionDate)).size;

/**
 * What the record can tell the RM2000/S form. Appearances are counted as distinct conviction dates (one
 * sentencing occasion per day). Age at commencement of risk is not derived: the assessor enters it.
 */
export function rm2000FromRecord(person: Person, list: Conviction[]): Partial<Rm2000Input> {
  const sexual = list.filter(isSexual);
  return {
    sexualAppearances: distinctDates(sexual),
    criminalAppearances: distinctDates(list),
    maleVictim: sexual.some((c) => c.victimMale),
    strangerVictim: sexual.some((c) => c.victimStranger),
    nonContactSexualOffence: sexual.some((c) => c.category === 'sexual_non_contact'),
    ...(person.neverMarried === null ? {} : { singleNeverMarried: person.neverMarried }),
  };
}

/**
 * What the record can tell the OSP form; a man recorded here is in custody. Follow-up dates are the assessor's to
 * enter. Sanctions are sentencing occasions (distinct conviction dates), as the total is, and each sexual one is
 * counted once, under its most serious kind (contact with a child, then contact with an adult, then non-contact),
 * so the sexual counts never add up to more than the total, which OSP refuses; the assessor checks them. A number
 * of years the dates cannot give (a conviction recorded after today or before his birth) is left for the assessor
 * rather than pre-filled as a negative number.
 */
export function ospFromRecord(person: Person, list: Conviction[], today: string): Partial<OspInput> {
  const sexual = list.filter(isSexual);
  const latest = (l: Conviction[]) =>
    l
      .map((c) => c.convictionDate)
      .sort()
      .at(-1);
  const lastSexual = latest(sexual);
  const lastAny = latest(list);
  const current = list.filter((c) => c.convictionDate === lastAny);
  const years = (from: string, to: string) => {
    const n = wholeYearsBetween(from, to);
    return n >= 0 ? n : undefined;
  };
  const occasions = { contactChildSexualSanctions: 0, contactAdultSexualSanctions: 0, nonContactSexualSanctions: 0 };
  for (const date of new Set(sexual.map((c) => c.convictionDate))) {
    const that = sexual.filter((c) => c.convictionDate === date);
    const contact = that.filter((c) => c.category === 'sexual_contact');
    occasions[
      contact.some((c) => c.victimChild) ? 'contactChildSexualSanctions' : contact.length ? 'contactAdultSexualSanctions' : 'nonContactSexualSanctions'
    ]++;
  }
  const suggested: Partial<OspInput> = {
    sex: person.sex as OspInput['sex'],
    ...occasions,
    totalSanctions: distinctDates(list),
    inCustody: true,
    ...(lastSexual ? { ageAtLastSexualSanction: years(person.dateOfBirth, lastSexual), yearsSinceMostRecentSexualOffence: years(lastSexual, today) } : {}),
    ...(lastAny ? { yearsSinceMostRecentOffence: years(lastAny, today), currentOffenceAgainstStranger: current.some((c) => c.victimStranger) } : {}),
  };
  return Object.fromEntries(Object.entries(suggested).filter(([, v]) => v !== undefined)) as Partial<OspInput>;
}

export interface ScoringForm {
  person: Person;
  suggested: Partial<Rm2000Input> | Partial<OspInput>;
}

/** The pre-filled inputs for a scoring form (audited as a read of the person). */
export async function scoringSuggestions(db: Db, actor: Actor, personId: number, instrument: ScoredInstrument, today: string): Promise<ScoringForm> {
  authorise(actor, 'risk.score');
  return db.transaction(async (tx) => {
    const record = await readPersonRecord(tx, actor, personId, 'risk.score');
    await appendAudit(tx, actor, {
      action: 'person.viewed',
      subjectType: 'person',
      subjectId: personId,
      siteId: record.person.siteId,
      details: { purpose: `score_${instrument}` },
    });
    const suggested = instrument === 'rm2000s' ? rm2000FromRecord(record.person, record.convictions) : ospFromRecord(record.person, record.convictions, today);
    return { person: record.person, suggested };
  });
}

export type StoredScoreRow = typeof riskScores.$inferSelect;

/**
 * Scores a man and stores the result. RM2000/S gives one row; OSP gives two (OSP/DC and OSP/IIC), with the
 * same inputs. Refusals (a man under 18, no sexual appearance …) are ValidationFailed naming the field.
 */
export async function scorePerson(
  db: Db,
  actor: Actor,
  personId: number,
  instrument: ScoredInstrument,
  input: unknown,
  today: string,
): Promise<StoredScoreRow[]> {
  authorise(actor, 'risk.score');
  if (actor.userId === null) throw ValidationFailed.one('assessedBy', 'A score must be made by a named assessor');
  const rows = (() => {
    if (instrument === 'rm2000s') {
      const inputs = validate(rm2000Form, pick(input, Object.keys(rm2000Labels))) as Rm2000Input;
      const outcome = scoreRm2000(inputs);
      if (!outcome.ok) throw ValidationFailed.one(outcome.field, outcome.message);
      return [{ instrument: rm2000s.id, instrumentVersion: rm2000s.version, inputs, result: outcome.score, category: outcome.score.category }];
    }
    const inputs = validate(ospForm, pick(input, Object.keys(ospLabels)));
    const outcome = scoreOsp(inputs);
    if (!outcome.ok) throw ValidationFailed.one(outcome.field, outcome.message);
    const { score } = outcome;
    return [
      { instrument: ospDc.id, instrumentVersion: ospDc.version, inputs, result: score.dc, category: score.dc.band },
      { instrument: ospIic.id, instrumentVersion: ospIic.version, inputs, result: score.iic, category: score.iic.band },
    ];
  })();
  return db.transaction(async (tx) => {
    const { person } = await readPersonRecord(tx, actor, personId, 'risk.score');
    if (instrument === 'osp' && (rows[0].inputs as OspInput).sex !== person.sex) {
      throw ValidationFailed.one('sex', `The record says he is ${person.sex}; correct the record first if that is wrong`);
    }
    const stored = await tx
      .insert(riskScores)
      .values(rows.map((r) => ({ ...r, personId, assessedBy: actor.userId!, assessedOn: today })))
      .returning();
    await appendAudit(tx, actor, {
      action: 'risk_score.recorded',
      subjectType: 'person',
      subjectId: personId,
      siteId: person.siteId,
      details: { scoreIds: stored.map((s) => s.id), instruments: stored.map((s) => s.instrument) },
    });
    return stored;
  });
}

/** A man's scores, newest first (audited as a read of the person). */
export async function listScores(db: Db, actor: Actor, personId: number): Promise<StoredScore[]> {
  authorise(actor, 'person.read');
  return db.transaction(async (tx) => {
    const record = await readPersonRecord(tx, actor, personId);
    await appendAudit(tx, actor, {
      action: 'person.viewed',
      subjectType: 'person',
      subjectId: personId,
      siteId: record.person.siteId,
      details: { part: 'scores' },
    });
    return record.scores;
  });
}
