/**
 * The gallery index speaks usearch metrics ('cos' = 1 - cosine similarity, 'l2sq'); calibrations
 * speak the compare stage's ('cosine', 'euclidean_l2', 'euclidean'). Each compare metric is a
 * monotone function of an index metric, so ranking through the index and converting the reported
 * distance gives exactly the compare stage's distance.
 */
import type { Metric } from '../compare/index.js';
import type { Metric as IndexMetric } from '../gallery/index.js';

export function galleryMetric(metric: Metric): IndexMetric {
  return metric === 'euclidean' ? 'l2sq' : 'cos';
}

/** index distance -> the compare stage's distance for `metric` */
export function galleryDistance(d: number, metric: Metric): number {
  if (metric === 'cosine') return d;
  // ||a/|a| - b/|b|||^2 = 2 (1 - cos)
  if (metric === 'euclidean_l2') return Math.sqrt(Math.max(0, 2 * d));
  return Math.sqrt(Math.max(0, d));
}
