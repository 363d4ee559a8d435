import * as tf from '@tensorflow/tfjs-core';
import { FacekitError } from '../errors/index.js';
import { formatHeadSpec, parseHeadSpec, ProjectionHead, stackRows, type HeadSpec, type NamedWeight } from './head.js';
import type { HeadMetadata } from './head-file.js';
import { trainLoop, type TrainLoopOptions, type TrainLoopResult } from './train.js';

export interface TrainHeadOptions extends TrainLoopOptions {
  /** frozen embeddings of the training images */
  embeddings: readonly Float32Array[];
  labels: ArrayLike<number>;
  /** default linear:128 */
  head?: string | HeadSpec;
  /** starting weights (default: seeded random init); e.g. pcaHeadWeights for a linear head */
  initialWeights?: NamedWeight[];
  /** recorded in the metadata */
  baseModel?: string;
  dataset?: string;
  identityNames?: (string | number)[];
}

export interface TrainHeadResult extends TrainLoopResult {
  head: ProjectionHead;
  metadata: HeadMetadata;
}

/** Learns a projection head over frozen embeddings with a triplet or contrastive loss. */
export async function trainHead(o: TrainHeadOptions): Promise<TrainHeadResult> {
  if (o.embeddings.length === 0 || o.embeddings.length !== o.labels.length) {
    throw new FacekitError('BAD_ARGUMENT', `need one label per embedding (got ${o.embeddings.length} embeddings, ${o.labels.length} labels)`);
  }
  const spec = typeof o.head === 'string' ? parseHeadSpec(o.head) : (o.head ?? { kind: 'linear', out: 128 });
  const inputDim = o.embeddings[0].length;
  const head = o.initialWeights ? ProjectionHead.fromWeights(spec, inputDim, o.initialWeights) : ProjectionHead.create(spec, inputDim, o.seed);
  const all = stackRows(o.embeddings);
  try {
    const res = await trainLoop(head.variables, o.labels, (idx) => head.apply(tf.gather(all, tf.tensor1d(idx, 'int32'))), o);
    const metadata: HeadMetadata = {
      head: formatHeadSpec(spec),
      baseModel: o.baseModel ?? 'unknown',
      loss: o.loss,
      ...(o.loss === 'triplet' ? { mining: o.mining ?? 'semi-hard' } : {}),
      margin: o.margin,
      epochs: o.epochs,
      batch: o.batch,
      lr: o.lr,
      seed: o.seed,
      dataset: o.dataset ?? 'unknown',
      identities: o.identityNames ?? [...new Set(Array.from(o.labels))].sort((a, b) => a - b),
      date: new Date().toISOString(),
      finalLoss: res.finalLoss,
    };
    return { ...res, head, metadata };
  } finally {
    all.dispose();
  }
}
