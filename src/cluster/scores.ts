/**
 * How well a clustering matches the true people, from the contingency table of (cluster, person):
 *
 * - pairwise: over all pairs of faces, precision = pairs put together that are the same person /
 *   pairs put together; recall = same-person pairs put together / same-person pairs.
 * - BCubed (Bagga & Baldwin 1998): per face, precision = share of its cluster that is its person,
 *   recall = share of its person that is in its cluster; both averaged over faces. Unlike pairwise
 *   figures it does not let the largest clusters dominate.
 */
import { FacekitError } from '../errors/index.js';

export interface PrecisionRecall {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClusteringScores {
  pairwise: PrecisionRecall;
  bcubed: PrecisionRecall;
  clusters: number;
  people: number;
  faces: number;
}

const f1 = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const pairs = (n: number): number => (n * (n - 1)) / 2;

export function scoreClustering(truth: readonly (string | number)[], predicted: readonly (string | number)[]): ClusteringScores {
  if (truth.length !== predicted.length) throw new FacekitError('BAD_ARGUMENT', `${truth.length} true labels but ${predicted.length} predicted`);
  const n = truth.length;
  const cell = new Map<string, number>();
  const clusterSize = new Map<string | number, number>();
  const personSize = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${String(predicted[i])}\0${String(truth[i])}`;
    cell.set(key, (cell.get(key) ?? 0) + 1);
    clusterSize.set(predicted[i], (clusterSize.get(predicted[i]) ?? 0) + 1);
    personSize.set(truth[i], (personSize.get(truth[i]) ?? 0) + 1);
  }
  let bp = 0;
  let br = 0;
  for (let i = 0; i < n; i++) {
    const both = cell.get(`${String(predicted[i])}\0${String(truth[i])}`)!;
    bp += both / clusterSize.get(predicted[i])!;
    br += both / personSize.get(truth[i])!;
  }
  let together = 0;
  for (const c of cell.values()) together += pairs(c);
  let predPairs = 0;
  for (const c of clusterSize.values()) predPairs += pairs(c);
  let truePairs = 0;
  for (const c of personSize.values()) truePairs += pairs(c);
  const pp = predPairs ? together / predPairs : 1;
  const pr = truePairs ? together / truePairs : 1;
  const bcp = n ? bp / n : 1;
  const bcr = n ? br / n : 1;
  return {
    pairwise: { precision: pp, recall: pr, f1: f1(pp, pr) },
    bcubed: { precision: bcp, recall: bcr, f1: f1(bcp, bcr) },
    clusters: clusterSize.size,
    people: personSize.size,
    faces: n,
  };
}
