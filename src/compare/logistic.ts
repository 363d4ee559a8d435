/**
 * Weighted logistic regression by Newton's method (IRLS), small enough to own. Used for the
 * distance -> P(same) calibration (one feature) and for logistic fusion (one feature per model).
 */
import { Matrix, solve } from 'ml-matrix';
import { FacekitError } from '../errors/index.js';

export function sigmoid(z: number): number {
  // split to avoid exp overflow for large |z|
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export interface LogisticFit {
  /** weights per feature, in the caller's (unstandardized) units */
  weights: number[];
  bias: number;
  iterations: number;
  converged: boolean;
}

export interface LogisticOptions {
  /** per-sample weights (default 1) */
  sampleWeights?: readonly number[];
  /**
   * L2 penalty on the standardized weights. Keeps the fit finite when the classes are perfectly
   * separable (plain maximum likelihood then runs off to infinity); small enough to be negligible
   * otherwise.
   */
  ridge?: number;
  maxIterations?: number;
}

/** Fits P(y=1 | x) = sigmoid(bias + weights . x) by maximum likelihood. */
export function fitLogisticRegression(x: readonly (readonly number[])[], y: readonly number[], opts: LogisticOptions = {}): LogisticFit {
  const n = x.length;
  if (n === 0 || n !== y.length) throw new FacekitError('BAD_ARGUMENT', `logistic fit needs matching, non-empty samples and labels (got ${n} and ${y.length})`);
  const k = x[0].length;
  const sw = opts.sampleWeights ?? new Array<number>(n).fill(1);
  const ridge = opts.ridge ?? 1e-3;
  const maxIt = opts.maxIterations ?? 100;

  // standardize features so one Newton step size suits every scale of distance
  const mean = new Array<number>(k).fill(0);
  const sd = new Array<number>(k).fill(0);
  let wsum = 0;
  for (let i = 0; i < n; i++) { wsum += sw[i]; for (let j = 0; j < k; j++) mean[j] += sw[i] * x[i][j]; }
  for (let j = 0; j < k; j++) mean[j] /= wsum;
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) sd[j] += sw[i] * (x[i][j] - mean[j]) ** 2;
  for (let j = 0; j < k; j++) sd[j] = Math.sqrt(sd[j] / wsum) || 1;
  const p = k + 1;
  // design matrix with a leading 1 column, flat for speed
  const z = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    z[i * p] = 1;
    for (let j = 0; j < k; j++) z[i * p + j + 1] = (x[i][j] - mean[j]) / sd[j];
  }
  const eta = (b: ArrayLike<number>, i: number) => {
    let e = 0;
    for (let j = 0; j < p; j++) e += b[j] * z[i * p + j];
    return e;
  };
  let beta = new Array<number>(p).fill(0);
  let converged = false;
  let it: number;
  const nll = (b: number[]): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const e = eta(b, i);
      // log(1 + e^eta) - y*eta, written to stay finite
      s += sw[i] * ((e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e))) - y[i] * e);
    }
    for (let j = 1; j < p; j++) s += 0.5 * ridge * b[j] * b[j];
    return s;
  };
  let f = nll(beta);
  for (it = 1; it <= maxIt; it++) {
    const grad = new Float64Array(p);
    const hess = new Float64Array(p * p);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta(beta, i));
      const r = sw[i] * (mu - y[i]);
      const h = sw[i] * mu * (1 - mu);
      for (let j = 0; j < p; j++) {
        const zj = z[i * p + j];
        grad[j] += r * zj;
        for (let l = 0; l <= j; l++) hess[j * p + l] += h * zj * z[i * p + l];
      }
    }
    const H = Matrix.zeros(p, p);
    for (let j = 0; j < p; j++) {
      for (let l = 0; l <= j; l++) { H.set(j, l, hess[j * p + l]); H.set(l, j, hess[j * p + l]); }
      if (j > 0) { grad[j] += ridge * beta[j]; H.set(j, j, H.get(j, j) + ridge); }
      H.set(j, j, H.get(j, j) + 1e-12);
    }
    const step = solve(H, Matrix.columnVector([...grad])).to1DArray();
    // damped Newton: halve the step until the penalized likelihood improves
    let t = 1;
    let next = beta.map((b, j) => b - step[j]);
    let fn = nll(next);
    while (fn > f && t > 1e-6) { t /= 2; next = beta.map((b, j) => b - t * step[j]); fn = nll(next); }
    const change = Math.max(...step.map((s) => Math.abs(t * s)));
    beta = next;
    const prevF = f;
    f = fn;
    if (change < 1e-9 || Math.abs(prevF - f) < 1e-12 * Math.max(1, Math.abs(f))) { converged = true; break; }
  }
  const weights = beta.slice(1).map((b, j) => b / sd[j]);
  const bias = beta[0] - weights.reduce((s, w, j) => s + w * mean[j], 0);
  return { weights, bias, iterations: Math.min(it, maxIt), converged };
}
