import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { NamedWeight } from './head.js';

/**
 * Weights for a linear head that start as PCA of the training embeddings: x -> (x - mean) V, V the
 * top `out` principal directions. A random start throws away most of what the frozen model knows
 * and training on a few identities cannot win it back; from PCA the head starts about as good as
 * the base model (cosine on the main directions) and training only adjusts it.
 */
export function pcaHeadWeights(embeddings: readonly Float32Array[], out: number): NamedWeight[] {
  const n = embeddings.length;
  const d = embeddings[0].length;
  const mean = new Float64Array(d);
  for (const e of embeddings) for (let k = 0; k < d; k++) mean[k] += e[k] / n;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const c = new Float64Array(d);
  for (const e of embeddings) {
    for (let k = 0; k < d; k++) c[k] = e[k] - mean[k];
    for (let i = 0; i < d; i++) {
      const ci = c[i] / n;
      const row = cov[i];
      for (let j = 0; j < d; j++) row[j] += ci * c[j];
    }
  }
  const evd = new EigenvalueDecomposition(new Matrix(cov), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
  const kernel = new Float32Array(d * out);
  const bias = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    // directions beyond the data's rank (out > n) keep a zero column
    if (o >= order.length) break;
    const col = order[o];
    let b = 0;
    for (let k = 0; k < d; k++) {
      const v = vectors.get(k, col);
      kernel[k * out + o] = v;
      b -= mean[k] * v;
    }
    bias[o] = b;
  }
  return [{ name: 'dense0/kernel', shape: [d, out], data: kernel }, { name: 'dense0/bias', shape: [out], data: bias }];
}
