// Simulates the yearly harm monitor (src/domain/evaluation/monitor.ts): how many years until a harmful
// programme is flagged, and how often a harmless one is. Replications are shared between child processes
// (one per CPU). Run: npx tsx bench/monitor.ts [--reps N] [--null-reps N] [--seed N]
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OPTIONS } from '../src/domain/evaluation/evaluate.js';
import { harmMonitor } from '../src/domain/evaluation/monitor.js';
import { dayNumber, synthAsCohort, synthCohort } from '../src/domain/evaluation/synth.js';
import { markdownTable, reportResults } from './results.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const reps = arg('reps', 40);
const nullReps = arg('null-reps', 120);
const seed = arg('seed', 1);
const YEARS = 10;
const TREATED_PER_YEAR = 1000;
const COMPARISON_PER_YEAR = 5000;
// 10% vs 8% reoffending over the Mews follow-up, treated worse: under proportional hazards the hazard
// ratio is log(1 − 0.10) / log(1 − 0.08).
const HARM_HR = Math.log(0.9) / Math.log(0.92);
// Baseline hazard calibrated (by the mews2017 preset) so that comparison men reoffend at 8% over its follow-up.
const baseline = synthCohort({ preset: 'mews2017', seed: 1 }).truth.outcomes.find((o) => o.name === 'sexual')!.baselineHazardPerDay;
const start = dayNumber('2015-01-01');
const lookDays = Array.from({ length: YEARS }, (_, k) => start + Math.round(365.25 * (k + 1)));

function simulate(hazardRatio: number, rep: number): number | null {
  const s = synthCohort({
    preset: 'mews2017',
    seed: seed * 1_000_003 + rep,
    rows: YEARS * (TREATED_PER_YEAR + COMPARISON_PER_YEAR),
    treated: YEARS * TREATED_PER_YEAR,
    releaseFrom: '2015-01-01',
    releaseTo: '2024-12-31',
    endOfStudy: '2025-01-01',
    hazardRatio: { sexual: hazardRatio, violent: 1 },
    baselineHazard: { sexual: baseline, violent: baseline },
  });
  const result = harmMonitor(synthAsCohort(s, 'sexual'), { lookDays, plannedLooks: YEARS, evaluate: DEFAULT_OPTIONS, stopAtFlag: true });
  return result.flagged ? (result.flagged.direction === 'harm' ? result.flagged.look : -result.flagged.look) : null;
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

async function inWorkers(hazardRatio: number, repIds: number[]): Promise<Array<number | null>> {
  const workers = Math.max(1, Math.min(cpus().length, repIds.length));
  const shares = Array.from({ length: workers }, (_, w) => repIds.filter((_, k) => k % workers === w));
  const results = await Promise.all(
    shares.map(
      (reps) =>
        new Promise<Array<number | null>>((resolve, reject) => {
          const job: Job = { hazardRatio, reps };
          const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
            execArgv: ['--import', 'tsx'],
            env: { ...process.env, [JOB]: JSON.stringify(job) },
          });
          child.once('message', (m) => resolve(m as Array<number | null>));
          child.once('error', reject);
          child.once('exit', (code) => code !== 0 && reject(new Error(`simulation worker exited with ${code}`)));
        }),
    ),
  );
  return results.flat();
}

if (process.env[JOB]) {
  const job = JSON.parse(process.env[JOB]) as Job;
  process.send!(
    job.reps.map((r) => simulate(job.hazardRatio, r)),
    () => process.exit(0),
  );
} else {
  const t0 = performance.now();
  const harmRuns = await inWorkers(
    HARM_HR,
    Array.from({ length: reps }, (_, r) => r),
  );
  const t1 = performance.now();
  const nullRuns = await inWorkers(
    1,
    Array.from({ length: nullReps }, (_, r) => reps + r),
  );
  const t2 = performance.now();

  const harmFlags = harmRuns.filter((f) => f !== null && f > 0).length;
  const wrongWay = harmRuns.filter((f) => f !== null && f < 0).length;
  const medianYears = median(harmRuns.map((f) => (f !== null && f > 0 ? f : Infinity)));
  const alarms = nullRuns.filter((f) => f !== null).length;
  const rate = alarms / nullReps;
  // Wilson interval: the count of false alarms is small.
  const z = 1.959964;
  const centre = (alarms + (z * z) / 2) / (nullReps + z * z);
  const half = (z * Math.sqrt(rate * (1 - rate) * nullReps + (z * z) / 4)) / (nullReps + z * z);
  reportResults(
    'Harm monitor simulation (bench/monitor.ts)',
    [
      `Yearly looks for ${YEARS} years; ${TREATED_PER_YEAR.toLocaleString('en-GB')} treated and ${COMPARISON_PER_YEAR.toLocaleString('en-GB')} comparison men released a year (release dates uniform over the decade); the matched Cox analysis (caliper 0.2, 1:1) re-run at each look; Lan–DeMets O'Brien–Fleming-type boundary, two-sided 5%, alpha spent by calendar year, boundaries from the observed information. Seed ${seed}; ${cpus().length} worker processes.`,
      '',
      markdownTable(
        ['Scenario', 'True hazard ratio', 'Replications', 'Result', 'Run time'],
        [
          [
            'Harm: 10% vs 8% reoffending (treated worse)',
            HARM_HR.toFixed(3),
            reps,
            `harm flagged in ${harmFlags} (${((100 * harmFlags) / reps).toFixed(0)}%)${wrongWay ? `, benefit in ${wrongWay}` : ''}; median years to flag harm: ${Number.isFinite(medianYears) ? medianYears : `more than ${YEARS}`}`,
            `${((t1 - t0) / 1000).toFixed(1)} s`,
          ],
          [
            'No effect',
            '1',
            nullReps,
            `false alarms ${alarms} = ${(100 * rate).toFixed(1)}% (95% CI ${(100 * (centre - half)).toFixed(1)}% to ${(100 * (centre + half)).toFixed(1)}%); target ≤ 5%`,
            `${((t2 - t1) / 1000).toFixed(1)} s`,
          ],
        ],
      ),
    ].join('\n'),
  );
}
