// RM2000/S (Risk Matrix 2000, sexual scale): a man's risk of sexual reconviction from static facts.
// Step 1 scores age and appearances into a category; step 2 raises it for aggravating factors.
import { z } from 'zod';
import { riskCategories, type RiskCategory } from '../programme/definition.js';
import { categoryWords, plural, rangeNote, rowFor, scoresWord, type Range, type ScaleRow, type ScoringRefusal } from './scale.js';

export const rm2000s = { id: 'rm2000s', name: 'RM2000/S', version: 1 } as const;

const count = z.number().int().min(0);

/** The facts RM2000/S needs, as types only; whether a man can be scored at all is decided by scoreRm2000. */
export const rm2000InputSchema = z.strictObject({
  ageAtCommencementOfRisk: z.number().int().min(0),
  sexualAppearances: count,
  criminalAppearances: count,
  maleVictim: z.boolean(),
  strangerVictim: z.boolean(),
  singleNeverMarried: z.boolean(),
  nonContactSexualOffence: z.boolean(),
});
export type Rm2000Input = z.infer<typeof rm2000InputSchema>;

const ageScale: readonly ScaleRow[] = [
  { from: 18, to: 24, points: 2 },
  { from: 25, to: 34, points: 1 },
  { from: 35, points: 0 },
];
const sexualAppearanceScale: readonly ScaleRow[] = [
  { from: 1, to: 1, points: 0 },
  { from: 2, to: 2, points: 1 },
  { from: 3, to: 4, points: 2 },
  { from: 5, points: 3 },
];
const criminalAppearanceScale: readonly ScaleRow[] = [
  { from: 0, to: 4, points: 0 },
  { from: 5, points: 1 },
];
const step1Categories: readonly (Range & { category: RiskCategory })[] = [
  { from: 0, to: 0, category: 'low' },
  { from: 1, to: 2, category: 'medium' },
  { from: 3, to: 4, category: 'high' },
  { from: 5, to: 6, category: 'very_high' },
];

const aggravatingFactors = [
  { field: 'maleVictim', text: 'a sexual offence against a male' },
  { field: 'strangerVictim', text: 'a sexual offence against a stranger' },
  { field: 'singleNeverMarried', text: 'single, never married' },
  { field: 'nonContactSexualOffence', text: 'a non-contact sexual offence' },
] as const;
const levelsRaisedByFactors: readonly (Range & { levels: number })[] = [
  { from: 0, to: 1, levels: 0 },
  { from: 2, to: 3, levels: 1 },
  { from: 4, levels: 2 },
];

export interface Rm2000Score {
  instrument: typeof rm2000s.id;
  version: typeof rm2000s.version;
  /** The step 1 points behind the total, item by item. */
  points: { ageAtCommencementOfRisk: number; sexualAppearances: number; criminalAppearances: number };
  step1Points: number;
  step1Category: RiskCategory;
  aggravatingFactors: number;
  levelsRaised: number;
  category: RiskCategory;
  explanation: string[];
}

export type Rm2000Outcome = { ok: true; score: Rm2000Score } | ScoringRefusal;

function refuse(field: keyof Rm2000Input, message: string): ScoringRefusal {
  return { ok: false, field, message };
}

/** Scores RM2000/S, or refuses (naming the field) when the man is outside the scale. */
export function scoreRm2000(input: Rm2000Input): Rm2000Outcome {
  const { ageAtCommencementOfRisk: age, sexualAppearances: sexual, criminalAppearances: criminal } = input;
  if (age < 18) {
    return refuse('ageAtCommencementOfRisk', `RM2000/S applies to men aged 18 or over; a man aged ${age} cannot be scored`);
  }
  if (sexual < 1) {
    return refuse('sexualAppearances', 'RM2000/S scores men with at least one sexual appearance; 0 were given');
  }
  // Enforced because RM2000/S counts every sentencing occasion as a criminal appearance, sexual ones included:
  // fewer criminal than sexual appearances means the counts were entered wrongly.
  if (criminal < sexual) {
    return refuse(
      'criminalAppearances',
      `sexual appearances are criminal appearances too, so there cannot be fewer criminal appearances (${criminal}) than sexual appearances (${sexual})`,
    );
  }

  const ageRow = rowFor(ageScale, age);
  const sexualRow = rowFor(sexualAppearanceScale, sexual);
  const criminalRow = rowFor(criminalAppearanceScale, criminal);
  const step1Points = ageRow.points + sexualRow.points + criminalRow.points;
  const step1Category = rowFor(step1Categories, step1Points).category;

  const present = aggravatingFactors.filter((f) => input[f.field]);
  const { levels } = rowFor(levelsRaisedByFactors, present.length);
  const step1Index = riskCategories.indexOf(step1Category);
  // Never above very high: a raise that would pass the top stops there.
  const category = riskCategories[Math.min(step1Index + levels, riskCategories.length - 1)];
  const levelsRaised = riskCategories.indexOf(category) - step1Index;

  const explanation = [
    `Age at commencement of risk ${age}${rangeNote(ageRow)} scores ${plural(ageRow.points, 'point')}.`,
    `${plural(sexual, 'sexual appearance')}${rangeNote(sexualRow)} ${scoresWord(sexual)} ${plural(sexualRow.points, 'point')}.`,
    `${plural(criminal, 'criminal appearance')}${rangeNote(criminalRow)} ${scoresWord(criminal)} ${plural(criminalRow.points, 'point')}.`,
    `Step 1 total is ${plural(step1Points, 'point')}: ${categoryWords[step1Category]}.`,
    factorSentence(
      present.map((f) => f.text),
      levels,
      levelsRaised,
      category,
    ),
  ];

  return {
    ok: true,
    score: {
      instrument: rm2000s.id,
      version: rm2000s.version,
      points: { ageAtCommencementOfRisk: ageRow.points, sexualAppearances: sexualRow.points, criminalAppearances: criminalRow.points },
      step1Points,
      step1Category,
      aggravatingFactors: present.length,
      levelsRaised,
      category,
      explanation,
    },
  };
}

function factorSentence(factors: string[], levels: number, levelsRaised: number, category: RiskCategory): string {
  const found = factors.length === 0 ? 'No aggravating factors' : `${plural(factors.length, 'aggravating factor')} (${factors.join('; ')})`;
  if (levels === 0) return `${found}: the category stays ${categoryWords[category]}.`;
  if (levelsRaised < levels) {
    return `${found} would raise the category ${plural(levels, 'level')}, but it cannot go above very high: very high.`;
  }
  return `${found} raise the category ${plural(levels, 'level')}, to ${categoryWords[category]}.`;
}
