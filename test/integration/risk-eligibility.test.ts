import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { eligibilityOverrides, riskScores } from '../../src/db/schema.js';
import type { Actor } from '../../src/services/access.js';
import { getEligibility, recordEligibilityOverride } from '../../src/services/eligibility.js';
import { AccessDenied, ValidationFailed } from '../../src/services/errors.js';
import { addConviction, createPerson, removeConviction, updatePerson } from '../../src/services/people.js';
import { scorePerson, scoringSuggestions } from '../../src/services/risk-scores.js';
import { ospExample, rm2000Example } from '../support/issue-examples.js';
import { testDatabase } from '../support/database.js';
import { actorOf, siteIdOf } from '../support/actors.js';

let database: Database;
let manager: Actor;
let assessor: Actor;
let facilitator: Actor;
let ngt: number;
let serial = 0;

before(async () => {
  database = await testDatabase({ demo: true });
  [manager, assessor, facilitator] = await Promise.all(['manager', 'assessor', 'facilitator'].map((u) => actorOf(database.db, u)));
  ngt = await siteIdOf(database.db, 'NGT');
});
after(() => database.close());

async function newMan(over: Record<string, unknown> = {}) {
  serial += 1;
  return createPerson(database.db, manager, {
    prisonNumber: `U${String(1000 + serial)}AA`,
    givenName: 'Testy',
    familyName: 'Fictional',
    dateOfBirth: '1980-05-17',
    sex: 'male',
    siteId: ngt,
    ...over,
  });
}

const rm2000 = rm2000Example;
const today = '2026-11-28';

test('scoring RM2000/S stores the inputs, the result with its points, the assessor and the date', async () => {
  const p = await newMan();
  const [stored] = await scorePerson(database.db, assessor, p.id, 'rm2000s', rm2000, today);
  const [row] = await database.db.select().from(riskScores).where(eq(riskScores.id, stored.id));
  assert.deepEqual(row.inputs, rm2000);
  assert.equal(row.assessedBy, assessor.userId);
  assert.equal(row.assessedOn, today);
  assert.equal(row.instrument, 'rm2000s');
  // Age 27 → 1, 2 sexual appearances → 1, 6 criminal → 1: step 1 = 3 (high); 2 factors raise it one level.
  const result = row.result as { step1Points: number; points: Record<string, number>; category: string };
  assert.equal(result.step1Points, 3);
  assert.deepEqual(result.points, { ageAtCommencementOfRisk: 1, sexualAppearances: 1, criminalAppearances: 1 });
  assert.equal(row.category, 'very_high');
});

test('scoring form values (strings) are accepted like JSON', async () => {
  const p = await newMan();
  const form = Object.fromEntries(Object.entries(rm2000).map(([k, v]) => [k, String(v)]));
  const [stored] = await scorePerson(database.db, manager, p.id, 'rm2000s', { ...form, _csrf: 'x' }, today);
  assert.equal(stored.category, 'very_high');
});

test('bad scoring input is refused naming the field, and nothing is stored', async () => {
  const p = await newMan();
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...rm2000, ageAtCommencementOfRisk: 17 }, 'ageAtCommencementOfRisk'], // the domain's refusal: under 18
    [{ ...rm2000, sexualAppearances: -1 }, 'sexualAppearances'],
    [{ ...rm2000, sexualAppearances: 0 }, 'sexualAppearances'],
    [{ ...rm2000, criminalAppearances: '' }, 'criminalAppearances'],
    [{ ...rm2000, maleVictim: 'perhaps' }, 'maleVictim'],
  ];
  for (const [input, field] of cases) {
    await assert.rejects(scorePerson(database.db, assessor, p.id, 'rm2000s', input, today), (e: unknown) => {
      assert.ok(e instanceof ValidationFailed);
      assert.equal(e.errors[0].field, field);
      return true;
    });
  }
  assert.equal((await database.db.select().from(riskScores).where(eq(riskScores.personId, p.id))).length, 0);
});

test('only assessors and treatment managers score', async () => {
  const p = await newMan();
  await assert.rejects(scorePerson(database.db, facilitator, p.id, 'rm2000s', rm2000, today), AccessDenied);
});

test('OSP stores OSP/DC and OSP/IIC rows with their bands', async () => {
  const p = await newMan();
  const rows = await scorePerson(database.db, assessor, p.id, 'osp', ospExample, today);
  assert.deepEqual(
    rows.map((r) => r.instrument),
    ['osp_dc', 'osp_iic'],
  );
  // 5 (1 contact adult) + 5 (age 45: 14 − 9) + 10 (18+) + 6 (2+ sanctions) + 4 (stranger) = 30: high.
  assert.equal((rows[0].result as { points: number }).points, 30);
  assert.equal(rows[0].category, 'high');
  assert.equal(rows[1].category, 'low');
});

test('OSP for a man with no sexual sanction stores both rows as not_applicable, with no probability', async () => {
  const p = await newMan();
  const rows = await scorePerson(database.db, assessor, p.id, 'osp', { ...ospExample, contactAdultSexualSanctions: 0 }, today);
  assert.deepEqual(
    rows.map((r) => r.category),
    ['not_applicable', 'not_applicable'],
  );
  assert.deepEqual(
    rows.map((r) => (r.result as { probability: number | null }).probability),
    [null, null],
  );
});

test('OSP refuses sexual sanctions adding up to more than the total, naming totalSanctions, and stores nothing', async () => {
  const p = await newMan();
  await assert.rejects(
    scorePerson(database.db, assessor, p.id, 'osp', { ...ospExample, nonContactSexualSanctions: 2, indecentImageSanctions: 1 }, today),
    (e: unknown) => {
      assert.ok(e instanceof ValidationFailed);
      assert.deepEqual(
        e.errors.map((x) => x.field),
        ['totalSanctions'],
      );
      return true;
    },
  );
  assert.equal((await database.db.select().from(riskScores).where(eq(riskScores.personId, p.id))).length, 0);
});

test('the OSP form is pre-filled with each sentencing occasion counted once, so the sexual counts fit the total, and never with negative years', async () => {
  const p = await newMan();
  // 2005: two contact adult convictions and a non-contact one, one occasion; 2007: a contact offence against a
  // child and a non-contact one; 2010, recorded after the day of scoring below: theft.
  await addConviction(database.db, assessor, p.id, { convictionDate: '2005-06-01', offence: 'Assault', category: 'sexual_contact' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2005-06-01', offence: 'Assault', category: 'sexual_contact' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2005-06-01', offence: 'Exposure', category: 'sexual_non_contact' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2007-02-01', offence: 'Assault', category: 'sexual_contact', victimChild: 'on' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2007-02-01', offence: 'Exposure', category: 'sexual_non_contact' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2010-03-01', offence: 'Theft', category: 'other' });
  const { suggested } = await scoringSuggestions(database.db, assessor, p.id, 'osp', '2008-01-01');
  const s = suggested as Record<string, number>;
  assert.deepEqual([s.contactAdultSexualSanctions, s.contactChildSexualSanctions, s.nonContactSexualSanctions, s.totalSanctions], [1, 1, 0, 3]);
  // Seen on 2008-01-01, the 2010 conviction is in the future: no years since it are offered.
  assert.equal('yearsSinceMostRecentOffence' in suggested, false);
  assert.equal(s.yearsSinceMostRecentSexualOffence, 0);
});

test('the RM2000/S form is pre-filled from convictions: appearances are distinct dates, victim flags from sexual convictions', async () => {
  const p = await newMan({ neverMarried: 'yes' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2001-01-10', offence: 'Theft', category: 'other', victimMale: 'on' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2005-06-01', offence: 'Assault', category: 'sexual_contact', victimStranger: 'on' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2005-06-01', offence: 'Exposure', category: 'sexual_non_contact' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2012-02-02', offence: 'Assault', category: 'sexual_contact', victimMale: 'on' });
  const { suggested } = await scoringSuggestions(database.db, assessor, p.id, 'rm2000s', today);
  assert.deepEqual(suggested, {
    sexualAppearances: 2,
    criminalAppearances: 3,
    maleVictim: true,
    strangerVictim: true,
    nonContactSexualOffence: true,
    singleNeverMarried: true,
  });
});

test('eligibility comes from the stored record, and a missing IQ makes that criterion unknown', async () => {
  const p = await newMan();
  await addConviction(database.db, assessor, p.id, { convictionDate: '2010-01-01', offence: 'Fictional', category: 'sexual_contact', attempt: 'on' });
  await scorePerson(database.db, assessor, p.id, 'rm2000s', rm2000, today);
  const e = await getEligibility(database.db, manager, p.id, 'core-sotp', today);
  const status = Object.fromEntries(e.computed.criteria.map((c) => [c.id, c.status]));
  assert.deepEqual(status, { male: 'met', adult: 'met', contact_sexual_conviction: 'met', risk: 'met', iq: 'unknown' });
  assert.equal(e.result, 'undetermined');
  for (const c of e.computed.criteria) assert.ok(c.reason.length > 0);
});

test('the latest RM2000/S score counts: a low score makes a man not eligible unless a sexual murder is recorded', async () => {
  const p = await newMan({ iqScore: 100, iqTest: 'WAIS-IV', iqDate: '2020-01-01' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2010-01-01', offence: 'Fictional', category: 'sexual_contact' });
  await scorePerson(database.db, assessor, p.id, 'rm2000s', rm2000, today);
  const low = {
    ageAtCommencementOfRisk: 40,
    sexualAppearances: 1,
    criminalAppearances: 1,
    maleVictim: false,
    strangerVictim: false,
    singleNeverMarried: false,
    nonContactSexualOffence: false,
  };
  await scorePerson(database.db, assessor, p.id, 'rm2000s', low, today);
  assert.equal((await getEligibility(database.db, manager, p.id, 'core-sotp', today)).result, 'not_eligible');
  await updatePerson(database.db, manager, p.id, { sexualMurder: true, version: p.version });
  assert.equal((await getEligibility(database.db, manager, p.id, 'core-sotp', today)).result, 'eligible');
});

test('an out-of-date risk score does not count for eligibility: the risk criterion is unknown until he is scored again', async () => {
  const p = await newMan({ iqScore: 100, iqTest: 'WAIS-IV', iqDate: '2020-01-01' });
  await addConviction(database.db, assessor, p.id, { convictionDate: '2010-01-01', offence: 'Fictional', category: 'sexual_contact' });
  const wrong = await addConviction(database.db, assessor, p.id, { convictionDate: '2012-01-01', offence: 'Entered in error', category: 'sexual_contact' });
  await scorePerson(database.db, assessor, p.id, 'rm2000s', rm2000, today);
  assert.equal((await getEligibility(database.db, manager, p.id, 'core-sotp', today)).result, 'eligible');
  await removeConviction(database.db, assessor, wrong.id, { version: wrong.version }, p.id);
  const stale = await getEligibility(database.db, manager, p.id, 'core-sotp', today);
  assert.equal(stale.computed.criteria.find((c) => c.id === 'risk')?.status, 'unknown');
  assert.equal(stale.result, 'undetermined');
  await scorePerson(database.db, assessor, p.id, 'rm2000s', rm2000, today);
  assert.equal((await getEligibility(database.db, manager, p.id, 'core-sotp', today)).result, 'eligible');
});

test('age is from the date of birth on the day given: 17 the day before his 18th birthday', async () => {
  const p = await newMan({ dateOfBirth: '2008-11-29' });
  const adult = (await getEligibility(database.db, manager, p.id, 'core-sotp', '2026-11-28')).computed.criteria.find((c) => c.id === 'adult')!;
  assert.equal(adult.status, 'not_met');
  const next = (await getEligibility(database.db, manager, p.id, 'core-sotp', '2026-11-29')).computed.criteria.find((c) => c.id === 'adult')!;
  assert.equal(next.status, 'met');
});

test('an override needs a reason and a treatment manager, and keeps the computed result beside it', async () => {
  const p = await newMan();
  await assert.rejects(
    recordEligibilityOverride(database.db, assessor, p.id, 'core-sotp', { result: 'eligible', reason: 'Clinical judgement' }, today),
    AccessDenied,
  );
  await assert.rejects(recordEligibilityOverride(database.db, manager, p.id, 'core-sotp', { result: 'eligible', reason: '   ' }, today), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed);
    assert.equal(e.errors[0].field, 'reason');
    return true;
  });
  assert.equal((await database.db.select().from(eligibilityOverrides).where(eq(eligibilityOverrides.personId, p.id))).length, 0);
  const e = await recordEligibilityOverride(database.db, manager, p.id, 'core-sotp', { result: 'eligible', reason: 'Clinical judgement' }, today);
  assert.equal(e.computed.result, 'not_eligible'); // no contact sexual conviction recorded
  assert.equal(e.override?.result, 'eligible');
  assert.equal(e.override?.reason, 'Clinical judgement');
  assert.equal(e.result, 'eligible');
});

test('eligibility for an unknown programme is refused naming the programme', async () => {
  const p = await newMan();
  await assert.rejects(
    getEligibility(database.db, manager, p.id, 'no-such-programme', today),
    (e: unknown) => e instanceof ValidationFailed && e.errors[0].field === 'programmeId',
  );
});
