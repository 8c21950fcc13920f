// OSP (OASys Sexual reoffending Predictor): OSP/DC predicts direct-contact sexual reoffending from a
// 64-point score; OSP/IIC predicts indecent-image reoffending by the first rule that matches. Men with at least
// one sexual sanction only.
import { z } from 'zod';
import type { RiskCategory } from '../programme/definition.js';
import { categoryWords, plural, rangeNote, rowFor, scoresWord, type Range, type ScaleRow, type ScoringRefusal } from './scale.js';

export const ospDc = { id: 'osp_dc', name: 'OSP/DC', version: 1 } as const;
export const ospIic = { id: 'osp_iic', name: 'OSP/IIC', version: 1 } as const;

const count = z.number().int().min(0);
const years = z.number().int().min(0);

export const ospInputSchema = z.strictObject({
  sex: z.enum(['male', 'female']),
  ageAtStartOfFollowup: years,
  contactAdultSexualSanctions: count,
  contactChildSexualSanctions: count,
  nonContactSexualSanctions: count,
  indecentImageSanctions: count,
  ageAtLastSexualSanction: years,
  totalSanctions: count,
  currentOffenceAgainstStranger: z.boolean(),
  inCustody: z.boolean(),
  /** Whole years; the band reduction needs at least 5 in each. */
  yearsSinceMostRecentOffence: years,
  yearsSinceMostRecentSexualOffence: years,
  yearsSinceStartOfFollowup: years,
});
export type OspInput = z.infer<typeof ospInputSchema>;

/** OSP bands are the risk categories, plus `not_applicable` for women (OSP was built on men only) and for men with no sexual sanction. */
export type OspBand = RiskCategory | 'not_applicable';

const sanctionScales = [
  {
    field: 'contactAdultSexualSanctions',
    text: 'contact adult sexual sanction',
    scale: [
      { from: 0, to: 0, points: 0 },
      { from: 1, to: 1, points: 5 },
      { from: 2, to: 2, points: 10 },
      { from: 3, points: 15 },
    ],
  },
  {
    field: 'contactChildSexualSanctions',
    text: 'contact child sexual sanction',
    scale: [
      { from: 0, to: 0, points: 0 },
      { from: 1, to: 1, points: 3 },
      { from: 2, to: 2, points: 6 },
      { from: 3, points: 9 },
    ],
  },
  {
    field: 'nonContactSexualSanctions',
    text: 'non-contact sexual sanction',
    scale: [
      { from: 0, to: 0, points: 0 },
      { from: 1, to: 1, points: 2 },
      { from: 2, to: 2, points: 4 },
      { from: 3, points: 6 },
    ],
  },
] as const satisfies readonly { field: keyof OspInput; text: string; scale: readonly ScaleRow[] }[];

// Under 16 scores nothing: the instrument gives points from 16 only.
const ageAtLastSexualSanctionScale: readonly ScaleRow[] = [
  { from: 0, to: 15, points: 0 },
  { from: 16, to: 17, points: 5 },
  { from: 18, points: 10 },
];
const totalSanctionsScale: readonly ScaleRow[] = [
  { from: 0, to: 1, points: 0 },
  { from: 2, points: 6 },
];
const strangerPoints = 4;

const dcBands: readonly (Range & { band: RiskCategory })[] = [
  { from: 0, to: 21, band: 'low' },
  { from: 22, to: 29, band: 'medium' },
  { from: 30, to: 35, band: 'high' },
  { from: 36, to: 64, band: 'very_high' },
];
const dcBandOrder: readonly RiskCategory[] = ['low', 'medium', 'high', 'very_high'];
const yearsOffenceFreeForReduction = 5;

/** Age at start of follow-up: 14 points at 18–20, one fewer every 3 years after, none from 60. */
export function dcAgePoints(age: number): number {
  if (age >= 60) return 0;
  return 14 - Math.max(0, Math.trunc((age - 18) / 3));
}

/** Logistic model of OSP/DC: probability (a fraction) of direct-contact sexual reoffending. 0 points means 0. */
export function dcProbability(points: number): number {
  return points === 0 ? 0 : 1 / (1 + Math.exp(-(-8.633 + 0.1598 * points)));
}

/** A probability (a fraction) as people read it: a percentage to 2 decimal places. */
export function percentage(probability: number): string {
  return `${(probability * 100).toFixed(2)}%`;
}

// First match wins; probabilities are fractions (0.10310 = 10.310%).
const iicRules: readonly { when: (i: OspInput) => boolean; text: string; probability: number; band: RiskCategory }[] = [
  { when: (i) => i.indecentImageSanctions >= 2, text: '2 or more indecent image sanctions', probability: 0.1031, band: 'high' },
  { when: (i) => i.indecentImageSanctions === 1, text: '1 indecent image sanction', probability: 0.03328, band: 'medium' },
  { when: (i) => i.contactChildSexualSanctions >= 2, text: '2 or more contact child sexual sanctions', probability: 0.00926, band: 'low' },
  { when: (i) => i.contactChildSexualSanctions === 1, text: '1 contact child sexual sanction', probability: 0.00634, band: 'low' },
  {
    when: (i) => i.nonContactSexualSanctions > 0 && i.contactAdultSexualSanctions > 0,
    text: 'both non-contact and contact adult sexual sanctions',
    probability: 0.00281,
    band: 'low',
  },
  { when: () => true, text: 'no indecent image or contact child sanctions, and not both non-contact and contact adult sanctions', probability: 0, band: 'low' },
];

export interface OspDcScore {
  instrument: typeof ospDc.id;
  version: typeof ospDc.version;
  /** null for women: OSP/DC does not apply. */
  points: number | null;
  breakdown: Record<
    | 'contactAdultSexualSanctions'
    | 'contactChildSexualSanctions'
    | 'nonContactSexualSanctions'
    | 'ageAtStartOfFollowup'
    | 'ageAtLastSexualSanction'
    | 'totalSanctions'
    | 'currentOffenceAgainstStranger',
    number
  > | null;
  band: OspBand;
  /** The band from the points alone, before any reduction for time offence-free in the community. */
  bandBeforeReduction: OspBand;
  probability: number | null;
  bandReduced: boolean;
  explanation: string[];
}

export interface OspIicScore {
  instrument: typeof ospIic.id;
  version: typeof ospIic.version;
  band: OspBand;
  /** A fraction (0.1031 = 10.31%); null for women. */
  probability: number | null;
  explanation: string[];
}

export interface OspScore {
  dc: OspDcScore;
  iic: OspIicScore;
}

export type OspOutcome = { ok: true; score: OspScore } | ScoringRefusal;

const sexualSanctionFields = ['contactAdultSexualSanctions', 'contactChildSexualSanctions', 'nonContactSexualSanctions', 'indecentImageSanctions'] as const;

function notApplicable(why: string): OspScore {
  return {
    dc: {
      instrument: ospDc.id,
      version: ospDc.version,
      points: null,
      breakdown: null,
      band: 'not_applicable',
      bandBeforeReduction: 'not_applicable',
      probability: null,
      bandReduced: false,
      explanation: [why],
    },
    iic: { instrument: ospIic.id, version: ospIic.version, band: 'not_applicable', probability: null, explanation: [why] },
  };
}

/**
 * Scores OSP/DC and OSP/IIC, or refuses (naming the field) counts that cannot all be true: every sexual
 * sanction is also a sanction for all offences, and a person being scored has at least one sanction.
 */
export function scoreOsp(input: OspInput): OspOutcome {
  if (input.totalSanctions === 0) {
    return { ok: false, field: 'totalSanctions', message: 'The total number of sanctions for all offences must be at least 1: it includes the current one' };
  }
  const sexual = sexualSanctionFields.reduce((sum, field) => sum + input[field], 0);
  if (sexual > input.totalSanctions) {
    return {
      ok: false,
      field: 'totalSanctions',
      message: `Every sexual sanction is also a sanction for all offences, so the total (${input.totalSanctions}) cannot be fewer than the sexual sanctions added together (${sexual})`,
    };
  }
  if (input.sex === 'female') return { ok: true, score: notApplicable('OSP does not apply to women: it was developed on men only.') };
  if (sexual === 0) {
    return { ok: true, score: notApplicable('OSP does not apply: it predicts sexual reoffending by men with at least one sexual sanction, and he has none.') };
  }
  return { ok: true, score: { dc: scoreDc(input), iic: scoreIic(input) } };
}

function scoreDc(input: OspInput): OspDcScore {
  const explanation: string[] = [];
  const sanctionPoints = sanctionScales.map(({ field, text, scale }) => {
    const row = rowFor<ScaleRow>(scale, input[field]);
    explanation.push(`${plural(input[field], text)}${rangeNote(row)} ${scoresWord(input[field])} ${plural(row.points, 'point')}.`);
    return [field, row.points] as const;
  });
  const agePoints = dcAgePoints(input.ageAtStartOfFollowup);
  explanation.push(
    input.ageAtStartOfFollowup >= 60
      ? `Age at start of follow-up ${input.ageAtStartOfFollowup} (60 or over) scores 0 points.`
      : `Age at start of follow-up ${input.ageAtStartOfFollowup} scores ${plural(agePoints, 'point')} (14 less one for every full 3 years over 18).`,
  );
  const lastSexualRow = rowFor(ageAtLastSexualSanctionScale, input.ageAtLastSexualSanction);
  explanation.push(`Age at last sexual sanction ${input.ageAtLastSexualSanction}${rangeNote(lastSexualRow)} scores ${plural(lastSexualRow.points, 'point')}.`);
  const totalRow = rowFor(totalSanctionsScale, input.totalSanctions);
  explanation.push(
    `${plural(input.totalSanctions, 'sanction')} for all offences${rangeNote(totalRow)} ${scoresWord(input.totalSanctions)} ${plural(totalRow.points, 'point')}.`,
  );
  const stranger = input.currentOffenceAgainstStranger ? strangerPoints : 0;
  explanation.push(
    input.currentOffenceAgainstStranger
      ? `The current offence was against a stranger: ${strangerPoints} points.`
      : 'The current offence was not against a stranger: 0 points.',
  );

  const breakdown = {
    ...(Object.fromEntries(sanctionPoints) as Record<(typeof sanctionScales)[number]['field'], number>),
    ageAtStartOfFollowup: agePoints,
    ageAtLastSexualSanction: lastSexualRow.points,
    totalSanctions: totalRow.points,
    currentOffenceAgainstStranger: stranger,
  };
  const points = Object.values(breakdown).reduce((sum, p) => sum + p, 0);
  const bandBeforeReduction = rowFor(dcBands, points).band;
  const probability = dcProbability(points);
  explanation.push(`Total ${plural(points, 'point')} out of 64: ${categoryWords[bandBeforeReduction]}, a probability of ${percentage(probability)}.`);

  const reduction = bandReduction(input, bandBeforeReduction);
  explanation.push(reduction.sentence);
  const band = reduction.reduced ? dcBandOrder[dcBandOrder.indexOf(bandBeforeReduction) - 1] : bandBeforeReduction;

  return {
    instrument: ospDc.id,
    version: ospDc.version,
    points,
    breakdown,
    band,
    bandBeforeReduction,
    probability,
    bandReduced: reduction.reduced,
    explanation,
  };
}

/** A man offence-free in the community for 5 whole years drops one band (never below low). */
function bandReduction(input: OspInput, band: RiskCategory): { reduced: boolean; sentence: string } {
  const n = yearsOffenceFreeForReduction;
  if (input.inCustody) return { reduced: false, sentence: 'The band is not reduced: he is in custody.' };
  if (band === 'low') return { reduced: false, sentence: 'The band is not reduced: it is already low.' };
  const short = [
    { since: 'the most recent offence', years: input.yearsSinceMostRecentOffence },
    { since: 'the most recent sexual offence', years: input.yearsSinceMostRecentSexualOffence },
    { since: 'the start of follow-up', years: input.yearsSinceStartOfFollowup },
  ].filter((p) => p.years < n);
  if (short.length > 0) {
    const list = short.map((p) => `${plural(p.years, 'year')} since ${p.since}`).join(', ');
    return { reduced: false, sentence: `The band is not reduced: fewer than ${n} years have passed (${list}).` };
  }
  return {
    reduced: true,
    sentence: `The band drops one level because he is in the community and at least ${n} years have passed since his most recent offence, his most recent sexual offence and the start of follow-up.`,
  };
}

function scoreIic(input: OspInput): OspIicScore {
  // The last rule always matches, so find() cannot miss.
  const rule = iicRules.find((r) => r.when(input))!;
  return {
    instrument: ospIic.id,
    version: ospIic.version,
    band: rule.band,
    probability: rule.probability,
    explanation: [`First matching rule: ${rule.text}, so the band is ${categoryWords[rule.band]} with a probability of ${percentage(rule.probability)}.`],
  };
}
