// Synthetic cohorts shaped like the published SOTP evaluations, for tests, goldens, benchmarks and the
// harm-monitor simulation. Covariates drive both who is treated and who reoffends, so a naive comparison
// is biased and matching on the propensity score corrects it. Deterministic for a seed (no Math.random).
import { RISK_BANDS, type Cohort, type RiskBand } from './cohort.js';
import { csvText, type CsvCell } from '../csv/write.js';

/** xoshiro128** seeded through splitmix32: small, fast, and good enough for simulation. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = NaN;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform on (0, 1) with 53 random bits; never exactly 0, so logs are safe. */
  uniform(): number {
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Poisson by inversion: the means used here are small. */
  poisson(mean: number): number {
    const u = this.uniform();
    let k = 0;
    let p = Math.exp(-mean);
    let cdf = p;
    while (u > cdf && k < 1000) {
      k++;
      p *= mean / k;
      cdf += p;
    }
    return k;
  }

  exponential(rate: number): number {
    return -Math.log(this.uniform()) / rate;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export type PresetName = 'friendship2003' | 'mews2017';
export const PRESET_NAMES: readonly PresetName[] = ['friendship2003', 'mews2017'];

interface ArmProfile {
  ageMean: number;
  ageSd: number;
  priorSexualMean: number;
  priorViolentMean: number;
  /** mean of log sentence length in years */
  logSentenceMean: number;
  rm2000Mean: number;
}

interface OutcomeTarget {
  name: string;
  /** Target expected proportion with an event, treated and comparison, over `windowDays` (or the whole follow-up when null). */
  treatedRate: number;
  comparisonRate: number;
  windowDays: number | null;
}

export interface Preset {
  name: PresetName;
  treated: number;
  comparison: number;
  releaseFrom: string;
  releaseTo: string;
  endOfStudy: string;
  treatedProfile: ArmProfile;
  comparisonProfile: ArmProfile;
  outcomes: OutcomeTarget[];
}

// Covariate effects on the log hazard of every outcome (per unit of each covariate).
export const COVARIATE_LOG_HAZARD = {
  age_at_release: -0.03,
  prior_sexual: 0.35,
  prior_violent: 0.12,
  rm2000_score: 0.3,
  sentence_years: -0.04,
} as const;

export const SYNTH_COVARIATES = Object.keys(COVARIATE_LOG_HAZARD) as Array<keyof typeof COVARIATE_LOG_HAZARD>;

export const PRESETS: Record<PresetName, Preset> = {
  // Friendship et al. (2003): 647 treated, 1,910 untreated; two-year sexual/violent reconviction 4.6% vs 8.1%.
  // The men selected for treatment were lower risk, so the naive comparison overstates the benefit.
  friendship2003: {
    name: 'friendship2003',
    treated: 647,
    comparison: 1910,
    releaseFrom: '1992-01-01',
    releaseTo: '1994-12-31',
    endOfStudy: '1997-06-30',
    treatedProfile: { ageMean: 41, ageSd: 11, priorSexualMean: 0.5, priorViolentMean: 0.6, logSentenceMean: 1.5, rm2000Mean: 2.2 },
    comparisonProfile: { ageMean: 37, ageSd: 12, priorSexualMean: 0.7, priorViolentMean: 1.0, logSentenceMean: 1.1, rm2000Mean: 2.8 },
    outcomes: [{ name: 'sexual_violent', treatedRate: 0.046, comparisonRate: 0.081, windowDays: 730 }],
  },
  // Mews et al. (2017): 2,562 treated, 13,219 matched-pool comparison men; sexual reoffending 10% vs 8%
  // over a mean follow-up of about 8.2 years. Treated men were higher risk, which biases the naive comparison.
  mews2017: {
    name: 'mews2017',
    treated: 2562,
    comparison: 13219,
    releaseFrom: '2000-01-01',
    releaseTo: '2012-12-31',
    endOfStudy: '2014-09-30',
    treatedProfile: { ageMean: 42, ageSd: 12, priorSexualMean: 0.9, priorViolentMean: 0.7, logSentenceMean: 1.6, rm2000Mean: 3.0 },
    comparisonProfile: { ageMean: 40, ageSd: 13, priorSexualMean: 0.6, priorViolentMean: 0.8, logSentenceMean: 1.0, rm2000Mean: 2.4 },
    outcomes: [
      { name: 'sexual', treatedRate: 0.1, comparisonRate: 0.08, windowDays: null },
      { name: 'violent', treatedRate: 0.15, comparisonRate: 0.16, windowDays: null },
    ],
  },
};

export interface SynthOptions {
  preset: PresetName;
  seed: number;
  /** Total rows; the preset's treated fraction is kept. Defaults to the preset's size. */
  rows?: number;
  /** Exact number of treated men, instead of the preset's fraction of rows. */
  treated?: number;
  /** Overrides the preset's release period (the harm monitor releases one cohort a year). */
  releaseFrom?: string;
  releaseTo?: string;
  endOfStudy?: string;
  /** Overrides the true hazard ratios (e.g. 1 for a null simulation) instead of calibrating to the preset's rates. */
  hazardRatio?: Record<string, number>;
  /** Overrides the calibrated baseline hazards (per day), so cohorts released in different years share one truth. */
  baselineHazard?: Record<string, number>;
}

export interface SynthTruth {
  preset: PresetName;
  seed: number;
  rows: number;
  treated: number;
  comparison: number;
  covariateLogHazard: typeof COVARIATE_LOG_HAZARD;
  outcomes: Array<{
    name: string;
    trueHazardRatio: number;
    baselineHazardPerDay: number;
    expectedTreatedRate: number;
    expectedComparisonRate: number;
    windowDays: number | null;
  }>;
}

/** Columns of a synthetic cohort, ready to be written as CSV (dates as day numbers since 1970-01-01). */
export interface SynthCohort {
  personRef: string[];
  treated: Uint8Array;
  releaseDay: Int32Array;
  endDay: Int32Array;
  riskBand: string[];
  covariates: Record<string, Float64Array>;
  /** Event day per outcome, or -1 for none recorded. */
  eventDay: Record<string, Int32Array>;
  truth: SynthTruth;
}

const DAY_MS = 86_400_000;
export function dayNumber(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}
export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function riskBandOf(rm2000: number): string {
  if (rm2000 <= 1) return 'low';
  if (rm2000 <= 3) return 'medium';
  if (rm2000 <= 5) return 'high';
  return 'very_high';
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Expected proportion with an event: mean over men of 1 − exp(−h·e^{lp}·t). */
function expectedRate(h: number, rel: Float64Array, exposure: Float64Array, idx: Int32Array): number {
  let sum = 0;
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j];
    sum += -Math.expm1(-h * rel[i] * exposure[i]);
  }
  return sum / idx.length;
}

/** Bisection on log scale: the rate is increasing in the hazard multiplier. */
function solveMultiplier(target: number, f: (m: number) => number): number {
  let lo = 1e-12;
  let hi = 1;
  while (f(hi) < target) hi *= 4;
  for (let it = 0; it < 200; it++) {
    const mid = Math.sqrt(lo * hi);
    if (f(mid) < target) lo = mid;
    else hi = mid;
    if (hi / lo < 1 + 1e-13) break;
  }
  return Math.sqrt(lo * hi);
}

export function synthCohort(options: SynthOptions): SynthCohort {
  const preset = PRESETS[options.preset];
  const total = preset.treated + preset.comparison;
  const rows = options.rows ?? total;
  const nTreated = options.treated ?? Math.round((rows * preset.treated) / total);
  const rng = new Rng(options.seed);

  // Arms are interleaved at random so that data order carries no information.
  const treated = new Uint8Array(rows);
  treated.fill(1, 0, nTreated);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = treated[i];
    treated[i] = treated[j];
    treated[j] = t;
  }

  const releaseFrom = dayNumber(options.releaseFrom ?? preset.releaseFrom);
  const releaseTo = dayNumber(options.releaseTo ?? preset.releaseTo);
  const endOfStudy = dayNumber(options.endOfStudy ?? preset.endOfStudy);
  const cov: Record<string, Float64Array> = {};
  for (const name of SYNTH_COVARIATES) cov[name] = new Float64Array(rows);
  const releaseDay = new Int32Array(rows);
  const endDay = new Int32Array(rows);
  const riskBand: string[] = new Array(rows);
  const personRef: string[] = new Array(rows);
  const rel = new Float64Array(rows);
  const width = String(rows).length;

  for (let i = 0; i < rows; i++) {
    const p = treated[i] ? preset.treatedProfile : preset.comparisonProfile;
    const age = Math.round(clamp(p.ageMean + p.ageSd * rng.normal(), 18, 85));
    const priorSexual = rng.poisson(p.priorSexualMean);
    const priorViolent = rng.poisson(p.priorViolentMean);
    const sentence = Math.round(clamp(Math.exp(p.logSentenceMean + 0.5 * rng.normal()), 0.5, 30) * 10) / 10;
    const rm2000 = Math.round(clamp(p.rm2000Mean + 1.2 * rng.normal() + 0.5 * Math.min(priorSexual, 3) - (age > 50 ? 0.5 : 0), 0, 8));
    cov.age_at_release[i] = age;
    cov.prior_sexual[i] = priorSexual;
    cov.prior_violent[i] = priorViolent;
    cov.sentence_years[i] = sentence;
    cov.rm2000_score[i] = rm2000;
    riskBand[i] = riskBandOf(rm2000);
    personRef[i] = `P${String(i + 1).padStart(width, '0')}`;
    releaseDay[i] = releaseFrom + Math.floor(rng.uniform() * (releaseTo - releaseFrom + 1));
    // About 3% leave observation early (death, deportation), so some men lack the full window.
    const early = rng.uniform() < 0.03 ? Math.floor(rng.uniform() * (endOfStudy - releaseDay[i])) : endOfStudy - releaseDay[i];
    endDay[i] = releaseDay[i] + Math.max(1, early);
    let lp = 0;
    for (const name of SYNTH_COVARIATES) lp += COVARIATE_LOG_HAZARD[name] * cov[name][i];
    rel[i] = Math.exp(lp);
  }

  const treatedIdx: number[] = [];
  const comparisonIdx: number[] = [];
  for (let i = 0; i < rows; i++) (treated[i] ? treatedIdx : comparisonIdx).push(i);
  const tIdx = Int32Array.from(treatedIdx);
  const cIdx = Int32Array.from(comparisonIdx);

  const eventDay: Record<string, Int32Array> = {};
  const outcomes: SynthTruth['outcomes'] = [];
  for (const target of preset.outcomes) {
    const exposure = new Float64Array(rows);
    for (let i = 0; i < rows; i++) exposure[i] = target.windowDays ?? endDay[i] - releaseDay[i];
    // The truth is calibrated so that the expected naive rates are the published ones; the hazard ratio that
    // achieves this is the true (conditional) treatment effect.
    const h0 = options.baselineHazard?.[target.name] ?? solveMultiplier(target.comparisonRate, (h) => expectedRate(h, rel, exposure, cIdx));
    const hr = options.hazardRatio?.[target.name] ?? solveMultiplier(target.treatedRate, (m) => expectedRate(h0 * m, rel, exposure, tIdx));
    const days = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      const t = rng.exponential(h0 * rel[i] * (treated[i] ? hr : 1));
      // Events up to a year after the end of follow-up are still recorded (late convictions), and count as censored.
      const day = releaseDay[i] + Math.max(1, Math.ceil(t));
      days[i] = day <= endDay[i] + 365 ? day : -1;
    }
    eventDay[target.name] = days;
    outcomes.push({
      name: target.name,
      trueHazardRatio: hr,
      baselineHazardPerDay: h0,
      expectedTreatedRate: expectedRate(h0 * hr, rel, exposure, tIdx),
      expectedComparisonRate: expectedRate(h0, rel, exposure, cIdx),
      windowDays: target.windowDays,
    });
  }

  return {
    personRef,
    treated,
    releaseDay,
    endDay,
    riskBand,
    covariates: cov,
    eventDay,
    truth: {
      preset: preset.name,
      seed: options.seed,
      rows,
      treated: nTreated,
      comparison: rows - nTreated,
      covariateLogHazard: COVARIATE_LOG_HAZARD,
      outcomes,
    },
  };
}

/** The cohort as the evaluation reads it, without a CSV round trip (for simulations). */
export function synthAsCohort(s: SynthCohort, outcome: string): Cohort {
  const n = s.treated.length;
  const time = new Float64Array(n);
  const event = new Uint8Array(n);
  const followup = new Float64Array(n);
  const eventDay = s.eventDay[outcome];
  for (let i = 0; i < n; i++) {
    followup[i] = s.endDay[i] - s.releaseDay[i];
    const observed = eventDay[i] >= 0 && eventDay[i] <= s.endDay[i];
    event[i] = observed ? 1 : 0;
    time[i] = observed ? eventDay[i] - s.releaseDay[i] : followup[i];
  }
  return {
    rows: n,
    personRef: s.personRef,
    treated: s.treated,
    time,
    event,
    followup,
    releaseDay: Float64Array.from(s.releaseDay),
    riskBand: Int8Array.from(s.riskBand, (b) => RISK_BANDS.indexOf(b as RiskBand)),
    covariateNames: [...SYNTH_COVARIATES],
    covariates: SYNTH_COVARIATES.map((name) => s.covariates[name]),
  };
}

/** The cohort as CSV text in the cohort-file format: numbers as numbers, dates as YYYY-MM-DD, no event as empty. */
export function synthCsv(cohort: SynthCohort): string {
  const outcomeNames = Object.keys(cohort.eventDay);
  const columns = [
    'person_ref',
    'treated',
    'release_date',
    'end_of_followup',
    'risk_band',
    ...SYNTH_COVARIATES,
    ...outcomeNames.map((o) => `${o}_reoffence_date`),
  ];
  const records: Array<Record<string, CsvCell>> = [];
  for (let i = 0; i < cohort.treated.length; i++) {
    const record: Record<string, CsvCell> = {
      person_ref: cohort.personRef[i],
      treated: cohort.treated[i],
      release_date: isoDate(cohort.releaseDay[i]),
      end_of_followup: isoDate(cohort.endDay[i]),
      risk_band: cohort.riskBand[i],
    };
    for (const name of SYNTH_COVARIATES) record[name] = cohort.covariates[name][i];
    for (const o of outcomeNames) record[`${o}_reoffence_date`] = cohort.eventDay[o][i] < 0 ? '' : isoDate(cohort.eventDay[o][i]);
    records.push(record);
  }
  return csvText(records, columns);
}
