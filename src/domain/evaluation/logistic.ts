// Propensity scores: logistic regression of treatment on covariates by iteratively reweighted least squares,
// following R's glm.fit (same start, same convergence rule) so coefficients and iteration counts agree with glm.

export interface LogisticFit {
  /** Intercept first, then one per covariate, on the covariates' own scale. */
  coefficients: Float64Array;
  /** Linear predictor (logit of the propensity score) per man. */
  linearPredictor: Float64Array;
  iterations: number;
  converged: boolean;
  deviance: number;
}

export interface LogisticOptions {
  /** Relative deviance change at which to stop, as glm.control's epsilon. */
  epsilon?: number;
  maxIterations?: number;
}

/**
 * The model cannot be fitted because a column of the design is constant or a linear combination of the
 * columns before it. `column` is 0 for the intercept, k for the k-th covariate (1-based), so that the caller,
 * who knows the covariates' names, can say which one.
 */
export class SingularModel extends Error {
  constructor(
    readonly column: number,
    readonly reason: 'constant' | 'collinear',
  ) {
    super(
      column === 0 ? 'the model matrix is singular' : `covariate ${column} is ${reason === 'constant' ? 'constant' : 'a combination of the ones before it'}`,
    );
    this.name = 'SingularModel';
  }
}

const MU_EPS = 2.220446049250313e-16;
// R's binomial()$linkinv clamps the linear predictor at ±30 (roughly where the logistic saturates in doubles).
const ETA_MAX = 30 - 3.3e-15;

function invLogit(eta: number): number {
  if (eta < -ETA_MAX) return MU_EPS;
  if (eta > ETA_MAX) return 1 - MU_EPS;
  return 1 / (1 + Math.exp(-eta));
}

/** Solves the symmetric positive definite system A x = b (row-major p×p) in place by Cholesky. */
export function choleskySolve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let s = a[j * p + j];
    for (let k = 0; k < j; k++) s -= l[j * p + k] * l[j * p + k];
    // What is left of a column after the ones before it explain it, relative to its size; below this (R's
    // glm drops a column at a QR tolerance of 1e-7, i.e. 1e-14 squared) it is a combination of them, and
    // the rounding left in s would otherwise pass for information.
    if (!(s > 1e-14 * a[j * p + j])) throw new SingularModel(j, 'collinear');
    const ljj = Math.sqrt(s);
    l[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let t = a[i * p + j];
      for (let k = 0; k < j; k++) t -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = t / ljj;
    }
  }
  const x = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * x[k];
    x[i] = s / l[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

/**
 * Fits logit P(y = 1) = β0 + Σ βj xj. Covariates are centred and scaled internally so that the normal
 * equations stay well conditioned; IRLS is equivariant under that change, so the path and the stopping
 * iteration are glm's.
 */
export function fitLogistic(covariates: Float64Array[], y: Uint8Array, options: LogisticOptions = {}): LogisticFit {
  const epsilon = options.epsilon ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  const n = y.length;
  const q = covariates.length;
  const p = q + 1;
  // Column-major standardised covariates: the cross-products below are then tight loops over contiguous arrays.
  const centre = new Float64Array(q);
  const scale = new Float64Array(q);
  const cols: Float64Array[] = [];
  for (let j = 0; j < q; j++) {
    const c = covariates[j];
    let mean = 0;
    for (let i = 0; i < n; i++) mean += c[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (c[i] - mean) * (c[i] - mean);
    const sd = Math.sqrt(ss / n);
    if (!(sd > 0)) throw new SingularModel(j + 1, 'constant');
    centre[j] = mean;
    scale[j] = sd;
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = (c[i] - mean) / sd;
    cols.push(col);
  }

  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  const w = new Float64Array(n);
  const wz = new Float64Array(n);
  const wx = new Float64Array(n);
  let devOld = 0;
  for (let i = 0; i < n; i++) {
    // glm's binomial start: mu = (y + 0.5) / 2.
    mu[i] = (y[i] + 0.5) / 2;
    eta[i] = Math.log(mu[i] / (1 - mu[i]));
    devOld += -2 * Math.log(y[i] ? mu[i] : 1 - mu[i]);
  }

  const xtwx = new Float64Array(p * p);
  const xtwz = new Float64Array(p);
  let beta: Float64Array = new Float64Array(p);
  let converged = false;
  let iterations = 0;
  let deviance = devOld;
  for (let iter = 1; iter <= maxIterations; iter++) {
    iterations = iter;
    let sw = 0;
    let swz = 0;
    for (let i = 0; i < n; i++) {
      const m = mu[i];
      // For the logit link dμ/dη = μ(1 − μ) = Var(μ), so the IRLS weight is μ(1 − μ) itself (floored as R does).
      const wi = Math.max(m * (1 - m), MU_EPS);
      w[i] = wi;
      wz[i] = wi * eta[i] + (y[i] - m);
      sw += wi;
      swz += wz[i];
    }
    xtwx[0] = sw;
    xtwz[0] = swz;
    for (let a = 1; a < p; a++) {
      const ca = cols[a - 1];
      let s0 = 0;
      let sz = 0;
      for (let i = 0; i < n; i++) {
        const v = w[i] * ca[i];
        wx[i] = v;
        s0 += v;
        sz += wz[i] * ca[i];
      }
      xtwx[a * p] = s0;
      xtwz[a] = sz;
      for (let b = 1; b <= a; b++) {
        const cb = cols[b - 1];
        let s = 0;
        for (let i = 0; i < n; i++) s += wx[i] * cb[i];
        xtwx[a * p + b] = s;
      }
    }
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) xtwx[a * p + b] = xtwx[b * p + a];
    beta = choleskySolve(xtwx, xtwz, p);
    eta.fill(beta[0]);
    for (let a = 1; a < p; a++) {
      const ca = cols[a - 1];
      const ba = beta[a];
      for (let i = 0; i < n; i++) eta[i] += ca[i] * ba;
    }
    // −2 Σ log L_i, taking the log of running products rather than of every term (logs dominate the cost).
    let logLik = 0;
    let product = 1;
    for (let i = 0; i < n; i++) {
      const m = invLogit(eta[i]);
      mu[i] = m;
      product *= y[i] ? m : 1 - m;
      if (product < 1e-250) {
        logLik += Math.log(product);
        product = 1;
      }
    }
    deviance = -2 * (logLik + Math.log(product));
    if (Math.abs(deviance - devOld) / (Math.abs(deviance) + 0.1) < epsilon) {
      converged = true;
      break;
    }
    devOld = deviance;
  }

  const coefficients = new Float64Array(p);
  coefficients[0] = beta[0];
  for (let j = 0; j < q; j++) {
    coefficients[j + 1] = beta[j + 1] / scale[j];
    coefficients[0] -= (beta[j + 1] * centre[j]) / scale[j];
  }
  // The reported linear predictor is recomputed on the original scale, summed in the order R's X %*% β uses,
  // so that exact ties in the matching distance fall as they do in R.
  const linearPredictor = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = coefficients[0];
    for (let j = 0; j < q; j++) s += covariates[j][i] * coefficients[j + 1];
    linearPredictor[i] = s;
  }
  return { coefficients, linearPredictor, iterations, converged, deviance };
}
