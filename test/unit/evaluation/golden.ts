// Loads the R goldens (test/fixtures/evaluation/*.golden.json, written by scripts/goldens.ts) and their cohorts.
import { readdirSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { parseCohort, type Cohort } from '../../../src/domain/evaluation/cohort.js';

export const FIXTURE_DIR = new URL('../../fixtures/evaluation/', import.meta.url);

type Num = number | null;
interface KmArm {
  time: number[];
  n_risk: number[];
  n_event: number[];
  surv: number[];
  std_err: Num[];
  lower: Num[];
  upper: Num[];
}
export interface Golden {
  name: string;
  options: { covariates: string[]; outcome: string; window: number; caliper: number; ratio: number; replace: boolean };
  rows: number;
  glm: { names: string[]; coefficients: number[]; iter: number; converged: boolean; deviance: number };
  counts: { treated: number; comparison: number; matchedTreated: number; matchedComparison: number };
  pairs: Array<{ treated: string; controls: string[] }>;
  weights: { person_ref: string[]; weight: number[] };
  smd: Array<{ covariate: string; before: number; after: number }>;
  window: Record<'treated' | 'comparison', { n: number; events: number; lower: number; upper: number }>;
  km: { treated: KmArm; comparison: KmArm };
  survdiff: { chisq: number; p: number; observedTreated: number; expectedTreated: number };
  coxph: { coef: number; se: number; hr: number; lower: number; upper: number; p: number; lr: number; iter: number };
}

export function loadGoldens(): Array<{ golden: Golden; cohort: Cohort }> {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.golden.json'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.golden\.json$/, '');
      const golden = { name, ...JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), 'utf8')) } as Golden;
      const cohort = parseCohort(readFileSync(new URL(`${name}.csv`, FIXTURE_DIR)), {
        covariates: golden.options.covariates,
        outcome: golden.options.outcome,
      });
      return { golden, cohort };
    });
}

/**
 * Below this, two values are both zero to within the rounding of the sums behind them: an SMD of −7.4e−16 where
 * R prints 0 (seed 181581887) is the same answer, and a relative tolerance alone can never accept it.
 */
export const ABSOLUTE_FLOOR = 1e-12;

/** |actual − expected| ≤ max(floor, tol·|expected|). */
export function assertClose(actual: number | null, expected: number | null, tol: number, what: string, floor = ABSOLUTE_FLOOR): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  const ok = Math.abs(actual - expected) <= Math.max(floor, tol * Math.abs(expected));
  assert.ok(ok, `${what}: got ${actual}, R gives ${expected} (relative tolerance ${tol}, absolute floor ${floor})`);
}
