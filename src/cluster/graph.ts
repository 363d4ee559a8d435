/**
 * Partitions of a face graph. Labels are 0..clusters-1, numbered by first appearance.
 *
 * - Connected components: every chain of edges is one person. Exact and simple, but one wrong
 *   edge between two people merges them.
 * - Chinese whispers (Biemann 2006): each node repeatedly takes the label with the largest total
 *   edge weight among its neighbours, nodes visited in a seeded random order, until no label
 *   changes. A few stray edges between two dense groups cannot outweigh the many edges inside each,
 *   so it resists the chaining that merges components. Edge weight here is the similarity
 *   (1 - cosine distance), which favours a face's closest neighbours.
 */
import { mulberry32, shuffleInPlace } from '../eval/prng.js';
import type { Graph } from './knn.js';

export function connectedComponents(g: Graph): Int32Array {
  const label = new Int32Array(g.n).fill(-1);
  let next = 0;
  const stack: number[] = [];
  for (let s = 0; s < g.n; s++) {
    if (label[s] >= 0) continue;
    label[s] = next;
    stack.push(s);
    while (stack.length) {
      const i = stack.pop()!;
      for (let o = g.offsets[i]; o < g.offsets[i + 1]; o++) {
        const j = g.adj[o];
        if (label[j] < 0) {
          label[j] = next;
          stack.push(j);
        }
      }
    }
    next++;
  }
  return label;
}

export interface WhispersOptions {
  /** most passes over the nodes (default 30) */
  iterations?: number;
  seed?: number;
}

export function chineseWhispers(g: Graph, opts: WhispersOptions = {}): Int32Array {
  const label = new Int32Array(g.n);
  for (let i = 0; i < g.n; i++) label[i] = i;
  const order = Array.from({ length: g.n }, (_, i) => i);
  const rng = mulberry32(opts.seed ?? 1);
  const weight = new Map<number, number>();
  const maxIter = opts.iterations ?? 30;
  for (let it = 0; it < maxIter; it++) {
    shuffleInPlace(order, rng);
    let changed = 0;
    for (const i of order) {
      const start = g.offsets[i];
      const end = g.offsets[i + 1];
      if (start === end) continue;
      weight.clear();
      for (let o = start; o < end; o++) {
        const l = label[g.adj[o]];
        weight.set(l, (weight.get(l) ?? 0) + (1 - g.dist[o]));
      }
      let best = label[i];
      let bestW = -1;
      for (const [l, w] of weight) {
        // ties go to the smaller label, so the result does not depend on Map order
        if (w > bestW || (w === bestW && l < best)) {
          best = l;
          bestW = w;
        }
      }
      if (best !== label[i]) {
        label[i] = best;
        changed++;
      }
    }
    if (changed === 0) break;
  }
  return renumber(label);
}

/** Labels renumbered 0..k-1 by first appearance; negative labels (noise) stay -1. */
export function renumber(label: ArrayLike<number>): Int32Array {
  const map = new Map<number, number>();
  const out = new Int32Array(label.length);
  for (let i = 0; i < label.length; i++) {
    const l = label[i];
    if (l < 0) {
      out[i] = -1;
      continue;
    }
    let m = map.get(l);
    if (m === undefined) map.set(l, (m = map.size));
    out[i] = m;
  }
  return out;
}
