import { FacekitError } from '../errors/index.js';

export type MiningStrategy = 'batch-all' | 'batch-hard' | 'semi-hard';
export const MINING_STRATEGIES: readonly MiningStrategy[] = ['batch-all', 'batch-hard', 'semi-hard'];

/** anchor, positive, negative: indices into the batch */
export type Triplet = [number, number, number];

/** A square matrix of squared euclidean distances, row-major. */
export interface DistanceMatrix {
  n: number;
  data: Float32Array | Float64Array | number[];
}

export interface MinedTriplets {
  triplets: Triplet[];
  /** triplets considered (valid for batch-all, one per anchor or anchor-positive pair otherwise) */
  candidates: number;
  /** fraction of the considered triplets whose loss d(a,p) - d(a,n) + margin is positive */
  activeFraction: number;
}

/** Squared euclidean distances between the rows of a [n, dim] row-major matrix. */
export function pairwiseSquaredDistances(x: ArrayLike<number>, n: number, dim: number): DistanceMatrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const d = x[i * dim + k] - x[j * dim + k];
        s += d * d;
      }
      data[i * n + j] = s;
      data[j * n + i] = s;
    }
  }
  return { n, data };
}

/**
 * Online triplet selection inside one mini-batch (FaceNet, Schroff et al. 2015; batch-hard from
 * Hermans et al. 2017). Pure: it sees only distances and labels, so each strategy is testable on
 * a hand-made matrix. Ties go to the lowest index.
 * - batch-all: every valid triplet with positive loss;
 * - batch-hard: per anchor, its farthest positive and nearest negative;
 * - semi-hard: per anchor-positive pair, the nearest negative with d(a,p) < d(a,n) < d(a,p) + margin;
 *   when there is none, the nearest (hardest) negative.
 */
export function mineTriplets(dist: DistanceMatrix, labels: ArrayLike<number>, strategy: MiningStrategy, margin: number): MinedTriplets {
  const { n, data } = dist;
  if (labels.length !== n) throw new FacekitError('BAD_ARGUMENT', `distance matrix is ${n}x${n} but there are ${labels.length} labels`);
  if (!MINING_STRATEGIES.includes(strategy)) throw new FacekitError('BAD_ARGUMENT', `unknown mining strategy "${strategy}" (use ${MINING_STRATEGIES.join(', ')})`);
  const d = (i: number, j: number): number => data[i * n + j];
  const triplets: Triplet[] = [];
  let candidates = 0;
  let active = 0;
  for (let a = 0; a < n; a++) {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      (labels[j] === labels[a] ? pos : neg).push(j);
    }
    if (pos.length === 0 || neg.length === 0) continue;
    if (strategy === 'batch-all') {
      for (const p of pos) {
        for (const q of neg) {
          candidates++;
          if (d(a, p) - d(a, q) + margin > 0) {
            active++;
            triplets.push([a, p, q]);
          }
        }
      }
    } else if (strategy === 'batch-hard') {
      let p = pos[0];
      for (const j of pos) if (d(a, j) > d(a, p)) p = j;
      let q = neg[0];
      for (const j of neg) if (d(a, j) < d(a, q)) q = j;
      candidates++;
      if (d(a, p) - d(a, q) + margin > 0) active++;
      triplets.push([a, p, q]);
    } else {
      let hardest = neg[0];
      for (const j of neg) if (d(a, j) < d(a, hardest)) hardest = j;
      for (const p of pos) {
        const dap = d(a, p);
        let q = -1;
        for (const j of neg) {
          const dan = d(a, j);
          if (dan > dap && dan < dap + margin && (q < 0 || dan < d(a, q))) q = j;
        }
        if (q < 0) q = hardest;
        candidates++;
        if (dap - d(a, q) + margin > 0) active++;
        triplets.push([a, p, q]);
      }
    }
  }
  return { triplets, candidates, activeFraction: candidates ? active / candidates : 0 };
}
