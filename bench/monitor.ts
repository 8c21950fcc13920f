// Simulates harm-monitor designs (src/domain/evaluation/monitor.ts): how many years until a harmful programme
// is flagged, and how often a harmless one is. The men (covariates, arms, release dates) are drawn once and
// their reoffending is redrawn each replication, so each look's propensity strata are fitted once and every
// replication only recounts the stratified log-rank: thousands of replications fit in minutes. Replications are
// shared between child processes (one per CPU). Run: npx tsx bench/monitor.ts [--harm-reps N] [--null-reps N] [--seed N] [--quarterly]
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Cohort } from '../src/domain/evaluation/cohort.js';
import {
  decide,
  GroupSequentialBoundaries,
  lookDates,
  plannedLooks,
  propensityStrata,
  spending,
  stratifiedLogRank,
  type LookStrata,
  type MonitorDesign,
} from '../src/domain/evaluation/monitor.js';
import { COVARIATE_LOG_HAZARD, dayNumber, Rng, SYNTH_COVARIATES, synthAsCohort, synthCohort } from '../src/domain/evaluation/synth.js';
import { markdownTable, reportResults } from './results.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const harmReps = arg('harm-reps', 400);
const nullReps = arg('null-reps', 2000);
const seed = arg('seed', 1);
const TREATED_PER_YEAR = 1000;
const COMPARISON_PER_YEAR = 5000;
const PROGRAMME_START = '2015-01-01';
// 10% vs 8% reoffending over the Mews follow-up, treated worse: under proportional hazards the hazard
// ratio is log(1 − 0.10) / log(1 − 0.08).
const HARM_HR = Math.log(0.9) / Math.log(0.92);
// Baseline hazard calibrated (by the mews2017 preset) so that comparison men reoffend at 8% over its follow-up.
const baseline = synthCohort({ preset: 'mews2017', seed: 1 }).truth.outcomes.find((o) => o.name === 'sexual')!.baselineHazardPerDay;

type Pool = 'concurrent' | 'historical';
interface Design {
  name: string;
  pool: Pool;
  schedule: 'yearly' | 'quarterly';
  design: MonitorDesign;
}
const yearly = { firstLook: '2016-01-01', everyMonths: 12, horizonYears: 10 };
const quarterly = { firstLook: '2015-04-01', everyMonths: 3, horizonYears: 10 };
const twoSided = (spendingFn: MonitorDesign['spending']) => ({ spending: spendingFn, sides: 'two' as const, harmAlpha: 0.025, benefitAlpha: 0.025 });
const oneSided = (spendingFn: MonitorDesign['spending']) => ({ spending: spendingFn, sides: 'one' as const, harmAlpha: 0.05, benefitAlpha: null });
const DESIGNS: Design[] = [
  {
    name: 'Released alongside, yearly, O’Brien–Fleming two-sided 5%',
    pool: 'concurrent',
    schedule: 'yearly',
    design: { ...yearly, ...twoSided('obrien_fleming') },
  },
  { name: 'Released alongside, yearly, Pocock two-sided 5%', pool: 'concurrent', schedule: 'yearly', design: { ...yearly, ...twoSided('pocock') } },
  { name: 'Released alongside, yearly, Pocock one-sided harm 5%', pool: 'concurrent', schedule: 'yearly', design: { ...yearly, ...oneSided('pocock') } },
  { name: '+ historical pool, yearly, Pocock two-sided 5%', pool: 'historical', schedule: 'yearly', design: { ...yearly, ...twoSided('pocock') } },
  {
    name: '+ historical pool, yearly, O’Brien–Fleming one-sided harm 5%',
    pool: 'historical',
    schedule: 'yearly',
    design: { ...yearly, ...oneSided('obrien_fleming') },
  },
  {
    name: '+ historical pool, yearly, Pocock one-sided harm 5% (default)',
    pool: 'historical',
    schedule: 'yearly',
    design: { ...yearly, ...oneSided('pocock') },
  },
];
// Quarterly looks cost four times the counting and flagged no sooner in a 20-replication pilot (bench/RESULTS.md),
// so they run only when asked for.
if (args.includes('--quarterly'))
  DESIGNS.push({
    name: '+ historical pool, quarterly, Pocock one-sided harm 5%',
    pool: 'historical',
    schedule: 'quarterly',
    design: { ...quarterly, ...oneSided('pocock') },
  });

/** The fixed men: ten years of programme releases beside comparison men, and a historical pool before them. */
function population(): { cohorts: Record<Pool, Cohort>; relative: Record<Pool, Float64Array> } {
  const common = {
    preset: 'mews2017' as const,
    endOfStudy: '2035-01-01',
    hazardRatio: { sexual: 1, violent: 1 },
    baselineHazard: { sexual: baseline, violent: baseline },
  };
  const concurrent = synthAsCohort(
    synthCohort({
      ...common,
      seed: seed * 7919,
      rows: 10 * (TREATED_PER_YEAR + COMPARISON_PER_YEAR),
      treated: 10 * TREATED_PER_YEAR,
      releaseFrom: PROGRAMME_START,
      releaseTo: '2024-12-31',
    }),
    'sexual',
  );
  const before = synthAsCohort(
    synthCohort({ ...common, seed: seed * 7919 + 1, rows: 10 * COMPARISON_PER_YEAR, treated: 0, releaseFrom: '2005-01-01', releaseTo: '2014-12-31' }),
    'sexual',
  );
  const join = <T extends Float64Array | Uint8Array | Int8Array>(a: T, b: T): T => {
    const out = new (a.constructor as { new (n: number): T })(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  const historical: Cohort = {
    rows: concurrent.rows + before.rows,
    personRef: [...concurrent.personRef, ...before.personRef],
    treated: join(concurrent.treated, before.treated),
    time: join(concurrent.time, before.time),
    event: join(concurrent.event, before.event),
    followup: join(concurrent.followup, before.followup),
    releaseDay: join(concurrent.releaseDay, before.releaseDay),
    riskBand: join(concurrent.riskBand, before.riskBand),
    covariateNames: concurrent.covariateNames,
    covariates: concurrent.covariates.map((c, k) => join(c, before.covariates[k])),
  };
  const relative = (c: Cohort) =>
    Float64Array.from({ length: c.rows }, (_, i) =>
      Math.exp(SYNTH_COVARIATES.reduce((lp, name, k) => lp + COVARIATE_LOG_HAZARD[name] * c.covariates[k][i], 0)),
    );
  return { cohorts: { concurrent, historical }, relative: { concurrent: relative(concurrent), historical: relative(historical) } };
}

/** New reoffending for the same men: exponential times under the synthetic truth, censored at follow-up's end. */
function redraw(cohort: Cohort, relative: Float64Array, hazardRatio: number, rng: Rng): Cohort {
  const time = new Float64Array(cohort.rows);
  const event = new Uint8Array(cohort.rows);
  for (let i = 0; i < cohort.rows; i++) {
    const t = Math.max(1, Math.ceil(rng.exponential(baseline * relative[i] * (cohort.treated[i] ? hazardRatio : 1))));
    event[i] = t <= cohort.followup[i] ? 1 : 0;
    time[i] = event[i] ? t : cohort.followup[i];
  }
  return { ...cohort, time, event };
}

/** Years from the programme's start to the flag (negative for a benefit flag), or null. */
type Outcome = number | null;

function runReps(hazardRatio: number, reps: number[]): Outcome[][] {
  const { cohorts, relative } = population();
  const strata = new Map<string, LookStrata>();
  const strataFor = (pool: Pool, date: string) => {
    const key = `${pool} ${date}`;
    if (!strata.has(key)) strata.set(key, propensityStrata(cohorts[pool], dayNumber(date)));
    return strata.get(key)!;
  };
  const start = dayNumber(PROGRAMME_START);
  return reps.map((rep) => {
    const rng = new Rng(seed * 1_000_003 + rep + (hazardRatio === 1 ? 500_000 : 0));
    const drawn = { concurrent: redraw(cohorts.concurrent, relative.concurrent, hazardRatio, rng), historical: null as Cohort | null };
    // The historical pool's men released alongside are the same men as the concurrent cohort's.
    const extra = redraw(cohorts.historical, relative.historical, hazardRatio, rng);
    extra.time.set(drawn.concurrent.time);
    extra.event.set(drawn.concurrent.event);
    drawn.historical = extra;
    const statistics = new Map<string, { statistic: number; information: number }>();
    return DESIGNS.map(({ pool, design }) => {
      const boundaries = new GroupSequentialBoundaries();
      const k = plannedLooks(design);
      let information = 0;
      for (const [i, date] of lookDates(design).entries()) {
        const key = `${pool} ${date}`;
        if (!statistics.has(key)) statistics.set(key, stratifiedLogRank(drawn[pool]!, dayNumber(date), strataFor(pool, date)));
        const stat = statistics.get(key)!;
        information = Math.max(information, stat.information);
        const t = (i + 1) / k;
        const boundary = boundaries.next(
          spending(design.spending, t, design.harmAlpha),
          design.sides === 'two' ? spending(design.spending, t, design.benefitAlpha ?? 0) : null,
          information,
        );
        const decision = decide(stat.statistic, boundary);
        if (decision !== 'continue') {
          const years = (dayNumber(date) - start) / 365.25;
          return decision === 'harm' ? years : -years;
        }
      }
      return null;
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Job {
  hazardRatio: number;
  reps: number[];
}
const JOB = 'SOTP_MONITOR_JOB';

async function inWorkers(hazardRatio: number, repIds: number[]): Promise<Outcome[][]> {
  const workers = Math.max(1, Math.min(cpus().length, repIds.length));
  const shares = Array.from({ length: workers }, (_, w) => repIds.filter((_, k) => k % workers === w));
  const results = await Promise.all(
    shares.map(
      (reps) =>
        new Promise<Outcome[][]>((resolve, reject) => {
          const job: Job = { hazardRatio, reps };
          const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
            execArgv: ['--import', 'tsx'],
            env: { ...process.env, [JOB]: JSON.stringify(job) },
          });
          child.once('message', (m) => resolve(m as Outcome[][]));
          child.once('error', reject);
          child.once('exit', (code) => code !== 0 && reject(new Error(`simulation worker exited with ${code}`)));
        }),
    ),
  );
  return results.flat();
}

if (process.env[JOB]) {
  const job = JSON.parse(process.env[JOB]) as Job;
  process.send!(runReps(job.hazardRatio, job.reps), () => process.exit(0));
} else {
  const t0 = performance.now();
  const harmRuns = await inWorkers(
    HARM_HR,
    Array.from({ length: harmReps }, (_, r) => r),
  );
  const nullRuns = await inWorkers(
    1,
    Array.from({ length: nullReps }, (_, r) => r),
  );
  const seconds = (performance.now() - t0) / 1000;
  const z = 1.959964;
  const rows = DESIGNS.map(({ name }, d) => {
    const harm = harmRuns.map((r) => r[d]);
    const flagged = harm.filter((f) => f !== null && f > 0).length;
    const medianYears = median(harm.map((f) => (f !== null && f > 0 ? f : Infinity)));
    const alarms = nullRuns.filter((r) => r[d] !== null).length;
    const rate = alarms / nullReps;
    // Wilson interval: the count of false alarms is small.
    const centre = (alarms + (z * z) / 2) / (nullReps + z * z);
    const half = (z * Math.sqrt(rate * (1 - rate) * nullReps + (z * z) / 4)) / (nullReps + z * z);
    return [
      name,
      `${flagged}/${harmReps} (${((100 * flagged) / harmReps).toFixed(0)}%)`,
      Number.isFinite(medianYears) ? medianYears.toFixed(2) : 'more than 10',
      `${alarms}/${nullReps} = ${(100 * rate).toFixed(1)}% (${(100 * (centre - half)).toFixed(1)}% to ${(100 * (centre + half)).toFixed(1)}%)`,
    ];
  });
  reportResults(
    'Harm monitor designs (bench/monitor.ts)',
    [
      `Programme from ${PROGRAMME_START}: ${TREATED_PER_YEAR.toLocaleString('en-GB')} treated and ${COMPARISON_PER_YEAR.toLocaleString('en-GB')} comparison men released a year for 10 years; the historical pool adds ${COMPARISON_PER_YEAR.toLocaleString('en-GB')} comparison men a year released 2005–2014. Harm: true hazard ratio ${HARM_HR.toFixed(3)} (10% vs 8%). Every design compares every comparison man released before the look, by a log-rank test stratified by tenths of the treated men's propensity scores (refitted at each look); alpha is spent by the fraction of planned looks. The men are drawn once (seed ${seed}) and their reoffending redrawn per replication: ${harmReps} harm and ${nullReps} no-effect replications, the same for every design. Years are from the programme's start to the flagging look. False alarms count any flag (harm or benefit) under no effect, with Wilson 95% intervals. ${cpus().length} worker processes, ${seconds.toFixed(0)} s in all.`,
      '',
      markdownTable(['Design', 'Harm flagged', 'Median years to flag harm', 'False alarms under no effect (95% CI)'], rows),
    ].join('\n'),
  );
}
