import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, DEFAULT_OPTIONS } from '../../../src/domain/evaluation/evaluate.js';
import { fitLogistic } from '../../../src/domain/evaluation/logistic.js';
import { matchingDistance, nearestNeighbourMatch } from '../../../src/domain/evaluation/matching.js';
import { timeTable, kaplanMeier } from '../../../src/domain/evaluation/survival.js';
import { ABSOLUTE_FLOOR, assertClose, loadGoldens } from './golden.js';

const goldens = loadGoldens();

test('the R goldens are present (scripts/goldens.ts writes them)', () => {
  assert.ok(goldens.length >= 5);
});

test("the comparison with R takes values within an absolute floor of R's exact 0 as equal, and still refuses a relative error beyond the tolerance", () => {
  // Seed 181581887: an SMD after matching of −7.4e−16 where R gives 0.
  assertClose(-7.4e-16, 0, 1e-6, 'smd after');
  assert.throws(() => assertClose(10 * ABSOLUTE_FLOOR, 0, 1e-6, 'smd after'));
  assert.throws(() => assertClose(0.5 + 1e-6, 0.5, 1e-6, 'smd before'));
  // p-values carry their own floor: a tiny p is compared relatively, however small.
  assert.throws(() => assertClose(2e-20, 1e-20, 1e-6, 'p', 0));
});

function sd(x: Float64Array): number {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1));
}

for (const { golden, cohort } of goldens) {
  const o = golden.options;
  const options = { ...DEFAULT_OPTIONS, windowDays: o.window, caliper: o.caliper, ratio: o.ratio, replace: o.replace };
  const result = analyse(cohort, options);
  const fit = fitLogistic(cohort.covariates, cohort.treated);

  test(`${golden.name}: IRLS propensity coefficients equal R glm's to 1e-6, with glm's iteration count`, () => {
    assert.deepEqual(['(Intercept)', ...o.covariates], golden.glm.names);
    golden.glm.coefficients.forEach((b, k) => assertClose(fit.coefficients[k], b, 1e-6, golden.glm.names[k]));
    assert.equal(result.propensity.iterations, golden.glm.iter);
    assert.equal(result.propensity.converged, golden.glm.converged);
    assertClose(fit.deviance, golden.glm.deviance, 1e-9, 'deviance');
  });

  test(`${golden.name}: matched set is MatchIt's (ratio ${o.ratio}, caliper ${o.caliper}${o.replace ? ', with replacement' : ''})`, () => {
    const distance = matchingDistance(fit.linearPredictor);
    const m = nearestNeighbourMatch(distance, cohort.treated, { caliper: o.caliper * sd(distance), ratio: o.ratio, replace: o.replace });
    const ours: Array<{ treated: string; controls: string[] }> = [];
    m.treatedIndex.forEach((t, r) => {
      const controls: string[] = [];
      for (let j = 0; j < o.ratio; j++) {
        const c = m.matches[r * o.ratio + j];
        if (c >= 0) controls.push(cohort.personRef[c]);
      }
      if (controls.length) ours.push({ treated: cohort.personRef[t], controls });
    });
    assert.deepEqual(ours, golden.pairs);
    assert.deepEqual(result.counts, golden.counts);
    const weightOf = new Map(cohort.personRef.map((ref, i) => [ref, m.weights[i]]));
    golden.weights.person_ref.forEach((ref, j) => assertClose(weightOf.get(ref)!, golden.weights.weight[j], 1e-12, `weight of ${ref}`));
  });

  test(`${golden.name}: standardised mean differences before and after matching equal R's to 1e-6`, () => {
    golden.smd.forEach((s, k) => {
      assert.equal(result.balance[k].covariate, s.covariate);
      assertClose(result.balance[k].smdBefore, s.before, 1e-6, `${s.covariate} before`);
      assertClose(result.balance[k].smdAfter, s.after, 1e-6, `${s.covariate} after`);
    });
  });

  test(`${golden.name}: window counts match R and Wilson intervals equal prop.test(correct = FALSE)`, () => {
    for (const arm of ['treated', 'comparison'] as const) {
      const g = golden.window[arm];
      const ours = result.window[arm];
      assert.equal(ours.n, g.n);
      assert.equal(ours.events, g.events);
      assertClose(ours.ci95[0], g.lower, 1e-9, `${arm} lower`);
      assertClose(ours.ci95[1], g.upper, 1e-9, `${arm} upper`);
    }
  });

  test(`${golden.name}: Kaplan–Meier tables equal survfit's (survival to 1e-9, log-scale Greenwood limits)`, () => {
    const table = timeTable(cohort.time, cohort.event, cohort.treated, null);
    assert.ok(table.times.length > 0);
    for (const arm of ['treated', 'comparison'] as const) {
      const g = golden.km[arm];
      const ours = result.survival.km[arm];
      assert.deepEqual(
        ours.map((r) => r.time),
        g.time,
      );
      assert.deepEqual(
        ours.map((r) => r.atRisk),
        g.n_risk,
      );
      assert.deepEqual(
        ours.map((r) => r.events),
        g.n_event,
      );
      ours.forEach((r, j) => {
        assertClose(r.survival, g.surv[j], 1e-9, `${arm} S(${r.time})`);
        assertClose(r.lower, g.lower[j], 1e-9, `${arm} lower(${r.time})`);
        assertClose(r.upper, g.upper[j], 1e-9, `${arm} upper(${r.time})`);
      });
    }
  });

  test(`${golden.name}: log-rank chi-square and p equal survdiff's to 1e-6`, () => {
    assertClose(result.survival.logRank.chisq, golden.survdiff.chisq, 1e-6, 'chisq');
    assertClose(result.survival.logRank.p, golden.survdiff.p, 1e-6, 'p', 0);
    assertClose(result.detail.logRankExpectedTreated, golden.survdiff.expectedTreated, 1e-9, 'expected');
  });

  test(`${golden.name}: Cox (Efron) coefficient, se, HR, CI, Wald p and LR equal coxph's to 1e-6`, () => {
    const c = result.survival.cox;
    assertClose(c.coefficient, golden.coxph.coef, 1e-6, 'coef');
    assertClose(c.se, golden.coxph.se, 1e-6, 'se');
    assertClose(c.hazardRatio, golden.coxph.hr, 1e-6, 'HR');
    assertClose(c.ci95[0], golden.coxph.lower, 1e-6, 'lower');
    assertClose(c.ci95[1], golden.coxph.upper, 1e-6, 'upper');
    assertClose(c.p, golden.coxph.p, 1e-6, 'p', 0);
    assertClose(result.detail.coxLikelihoodRatio, golden.coxph.lr, 1e-6, 'LR');
  });
}
