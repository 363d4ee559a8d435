/**
 * Isotonic calibration: P(same) as a non-increasing step function of distance, fitted by
 * pool-adjacent-violators. Makes no shape assumption beyond monotonicity, unlike the logistic map.
 */
export interface IsotonicTable {
  /** block centres (weighted mean distance of each pooled block), ascending */
  distances: number[];
  /** P(same) of each block, non-increasing */
  probabilities: number[];
}

export function fitIsotonic(genuine: readonly number[], impostor: readonly number[]): IsotonicTable {
  const pts = [...genuine.map((d) => [d, 1] as const), ...impostor.map((d) => [d, 0] as const)].sort((a, b) => a[0] - b[0]);
  // blocks: sum of distances, sum of labels, count; equal distances start pooled
  const blocks: { sd: number; sy: number; n: number }[] = [];
  for (let i = 0; i < pts.length;) {
    let j = i;
    const b = { sd: 0, sy: 0, n: 0 };
    while (j < pts.length && pts[j][0] === pts[i][0]) { b.sd += pts[j][0]; b.sy += pts[j][1]; b.n++; j++; }
    blocks.push(b);
    // P(same) must not increase with distance: pool while the new block beats the previous one
    while (blocks.length > 1) {
      const cur = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (cur.sy / cur.n <= prev.sy / prev.n) break;
      prev.sd += cur.sd; prev.sy += cur.sy; prev.n += cur.n;
      blocks.pop();
    }
    i = j;
  }
  return { distances: blocks.map((b) => b.sd / b.n), probabilities: blocks.map((b) => b.sy / b.n) };
}

/** Linear interpolation between block centres, flat beyond the ends. */
export function isotonicProbability(table: IsotonicTable, d: number): number {
  const { distances: xs, probabilities: ps } = table;
  if (xs.length === 0) return 0.5;
  if (d <= xs[0]) return ps[0];
  if (d >= xs[xs.length - 1]) return ps[ps.length - 1];
  let lo = 0, hi = xs.length - 1;
  while (hi - lo > 1) { const m = (lo + hi) >> 1; if (xs[m] <= d) lo = m; else hi = m; }
  const t = (d - xs[lo]) / (xs[hi] - xs[lo]);
  return ps[lo] + t * (ps[hi] - ps[lo]);
}

/**
 * The table moved so it reads exactly 0.5 at distance `at`, order kept: probabilities above the
 * table's value there are rescaled linearly onto 0.5..1, those below onto 0..0.5, and a knot
 * (at, 0.5) is added so interpolation passes through it.
 */
export function anchorIsotonic(table: IsotonicTable, at: number): IsotonicTable {
  const pt = isotonicProbability(table, at);
  const up = (p: number) => (pt < 1 ? 0.5 + (0.5 * (p - pt)) / (1 - pt) : 1);
  const down = (p: number) => (pt > 0 ? (0.5 * p) / pt : 0);
  const distances: number[] = [];
  const probabilities: number[] = [];
  table.distances.forEach((d, i) => {
    if (d === at) return;
    if (d > at && (distances.length === 0 || distances[distances.length - 1] < at)) { distances.push(at); probabilities.push(0.5); }
    distances.push(d);
    probabilities.push(d < at ? up(table.probabilities[i]) : down(table.probabilities[i]));
  });
  if (distances.length === 0 || distances[distances.length - 1] < at) { distances.push(at); probabilities.push(0.5); }
  return { distances, probabilities };
}
