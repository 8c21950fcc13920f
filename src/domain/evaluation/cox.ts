// Cox proportional hazards model of treatment alone, with Efron's handling of tied times (R's coxph default).
// With one binary covariate the partial likelihood depends only on per-time counts, so each Newton step is
// O(distinct times) once the time table is built. The iteration copies coxph's (start at 0, step halving,
// stop when the log partial likelihood changes by less than 1e-9 relatively) so the estimate is R's.
import { twoSidedP, Z975 } from './distributions.js';
import type { TimeTable } from './survival.js';

export interface CoxFit {
  coefficient: number;
  se: number;
  hazardRatio: number;
  ci95: [number, number];
  /** Wald test p-value. */
  p: number;
  /** Likelihood-ratio statistic against β = 0 (1 df). */
  likelihoodRatio: number;
  iterations: number;
  converged: boolean;
}

interface Evaluation {
  loglik: number;
  score: number;
  information: number;
}

function evaluate(table: TimeTable, beta: number): Evaluation {
  const r = Math.exp(beta);
  let loglik = 0;
  let score = 0;
  let information = 0;
  for (let j = 0; j < table.times.length; j++) {
    const d1 = table.events1[j];
    const d = d1 + table.events0[j];
    if (d === 0) continue;
    const s0 = table.atRisk1[j] * r + table.atRisk0[j];
    const s1 = table.atRisk1[j] * r;
    // Efron: the l-th of the d tied deaths sees the risk set less l/d of the tied deaths' own weight.
    const dead0 = d1 * r + table.events0[j];
    const dead1 = d1 * r;
    loglik += d1 * beta;
    score += d1;
    for (let l = 0; l < d; l++) {
      const f = l / d;
      const a0 = s0 - f * dead0;
      const a1 = s1 - f * dead1;
      const mean = a1 / a0;
      loglik -= Math.log(a0);
      score -= mean;
      // For a 0/1 covariate the second moment equals the first, so the variance is mean(1 − mean).
      information += mean * (1 - mean);
    }
  }
  return { loglik, score, information };
}

export function coxTreatment(table: TimeTable, maxIterations = 20, eps = 1e-9): CoxFit {
  let beta = 0;
  const start = evaluate(table, beta);
  let loglikOld = start.loglik;
  let newBeta = beta + start.score / start.information;
  let halving = false;
  let iterations = 0;
  let converged = false;
  let current = start;
  for (let iter = 1; iter <= maxIterations; iter++) {
    iterations = iter;
    current = evaluate(table, newBeta);
    if (Math.abs(1 - loglikOld / current.loglik) <= eps && !halving) {
      beta = newBeta;
      converged = true;
      break;
    }
    if (iter === maxIterations) {
      beta = newBeta;
      break;
    }
    if (current.loglik < loglikOld) {
      halving = true;
      newBeta = (newBeta + beta) / 2;
    } else {
      halving = false;
      loglikOld = current.loglik;
      beta = newBeta;
      newBeta = beta + current.score / current.information;
    }
  }
  const se = 1 / Math.sqrt(current.information);
  return {
    coefficient: beta,
    se,
    hazardRatio: Math.exp(beta),
    ci95: [Math.exp(beta - Z975 * se), Math.exp(beta + Z975 * se)],
    p: twoSidedP(beta / se),
    likelihoodRatio: 2 * (current.loglik - start.loglik),
    iterations,
    converged,
  };
}
