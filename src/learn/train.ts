import * as tf from '@tensorflow/tfjs-core';
import './backend.js';
import { existsSync, readFileSync } from 'node:fs';
import { FacekitError } from '../errors/index.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { base64ToFloat32, float32ToBase64 } from './head-file.js';
import { contrastiveLossOnBatch, allPairs, tripletLossOnBatch, type Reduction } from './losses.js';
import { mineTriplets, pairwiseSquaredDistances, type MiningStrategy } from './mining.js';
import { deriveSeed } from './random.js';
import { PkBatchSampler, type PkBatchSpec } from './sampler.js';

export type EmbeddingLoss = 'triplet' | 'contrastive';

export interface StepInfo {
  epoch: number;
  /** step within the epoch, from 0 */
  step: number;
  stepsPerEpoch: number;
  loss: number;
  /** triplet: fraction of considered triplets with positive loss; contrastive: fraction of pairs with positive loss */
  activeFraction: number;
  /** triplets (or pairs) the loss was computed on */
  count: number;
}

export interface TrainLoopOptions {
  loss: EmbeddingLoss;
  /** triplet only; default semi-hard */
  mining?: MiningStrategy;
  margin: number;
  epochs: number;
  batch: PkBatchSpec;
  lr: number;
  /** learning rate for an epoch (default: `lr` throughout); a function of the epoch only, so resume agrees */
  lrSchedule?: (epoch: number) => number;
  seed: number;
  reduction?: Reduction;
  /** default: enough PK batches to see every image about once */
  stepsPerEpoch?: number;
  /** written after every epoch; with `resume`, training continues from it */
  checkpointPath?: string;
  resume?: boolean;
  onStep?: (s: StepInfo) => void;
  onEpoch?: (epoch: number, meanLoss: number) => void;
}

export interface TrainLoopResult {
  /** mean loss of the last epoch */
  finalLoss: number;
  /** mean loss per epoch, from epoch 0 (includes epochs restored from a checkpoint) */
  history: number[];
  /** the epoch training started at (> 0 after a resume) */
  startEpoch: number;
}

interface Checkpoint {
  format: 'facekit-train-checkpoint';
  version: 1;
  /** epochs completed */
  epochs: number;
  history: number[];
  variables: { shape: number[]; data: string }[];
  optimizer: { name: string; shape: number[]; data: string }[];
}

/**
 * The one training loop under every embedding learner (projection heads, the CNN): PK batches,
 * embeddings computed once per batch inside the gradient tape, triplets mined on those same
 * embeddings (their distances are read back, which does not cut the gradient), loss, Adam step.
 * Each epoch's sampler is seeded from (seed, epoch), so a resumed run draws the same batches as an
 * uninterrupted one; with the cpu backend the whole run repeats bit for bit.
 */
export async function trainLoop(
  variables: tf.Variable[],
  labels: ArrayLike<number>,
  embedBatch: (indices: number[], epoch: number) => tf.Tensor2D,
  o: TrainLoopOptions,
): Promise<TrainLoopResult> {
  if (o.loss !== 'triplet' && o.loss !== 'contrastive') throw new FacekitError('BAD_ARGUMENT', `unknown loss "${String(o.loss)}" (use triplet or contrastive)`);
  if (!(o.margin > 0)) throw new FacekitError('BAD_ARGUMENT', `margin must be positive, got ${o.margin}`);
  if (!(o.epochs >= 1)) throw new FacekitError('BAD_ARGUMENT', `epochs must be at least 1, got ${o.epochs}`);
  if (!(o.lr > 0)) throw new FacekitError('BAD_ARGUMENT', `lr must be positive, got ${o.lr}`);
  const mining = o.mining ?? 'semi-hard';
  const reduction = o.reduction ?? 'mean';
  const optimizer = tf.train.adam(o.lr);
  let history: number[] = [];
  let startEpoch = 0;
  if (o.resume && o.checkpointPath && existsSync(o.checkpointPath)) {
    const ck = readCheckpoint(o.checkpointPath, variables.length);
    ck.variables.forEach((v, i) => variables[i].assign(tf.tensor(base64ToFloat32(v.data), v.shape)));
    if (ck.optimizer.length) await optimizer.setWeights(ck.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(base64ToFloat32(w.data), w.shape) })));
    history = ck.history;
    startEpoch = ck.epochs;
  }
  for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
    // Adam reads its learningRate field on every step; tfjs has no other way to schedule it
    if (o.lrSchedule) (optimizer as unknown as { learningRate: number }).learningRate = o.lrSchedule(epoch);
    const sampler = new PkBatchSampler(labels, o.batch, deriveSeed(o.seed, epoch));
    const steps = o.stepsPerEpoch ?? sampler.stepsPerEpoch();
    let sum = 0;
    for (let step = 0; step < steps; step++) {
      const idx = sampler.next();
      const batchLabels = idx.map((i) => labels[i]);
      let activeFraction = 0;
      let count = 0;
      const lossT = optimizer.minimize(() => {
        const e = embedBatch(idx, epoch);
        if (o.loss === 'triplet') {
          const dist = pairwiseSquaredDistances(e.dataSync() as Float32Array, e.shape[0], e.shape[1]);
          const mined = mineTriplets(dist, batchLabels, mining, o.margin);
          activeFraction = mined.activeFraction;
          count = mined.triplets.length;
          return tripletLossOnBatch(e, mined.triplets, o.margin, reduction);
        }
        const p = allPairs(batchLabels);
        count = p.i.length;
        const l = contrastiveLossOnBatch(e, batchLabels, o.margin, 'sum');
        const d = pairwiseSquaredDistances(e.dataSync() as Float32Array, e.shape[0], e.shape[1]);
        let act = 0;
        p.i.forEach((a, k) => {
          const dd = d.data[a * e.shape[0] + p.j[k]];
          if (p.same[k] ? dd > 0 : Math.sqrt(dd) < o.margin) act++;
        });
        activeFraction = act / count;
        return reduction === 'mean' ? tf.div(l, count) : l;
      }, true, variables) as tf.Scalar;
      const loss = (await lossT.data())[0];
      lossT.dispose();
      sum += loss;
      o.onStep?.({ epoch, step, stepsPerEpoch: steps, loss, activeFraction, count });
    }
    const mean = sum / steps;
    history.push(mean);
    o.onEpoch?.(epoch, mean);
    if (o.checkpointPath) await writeCheckpoint(o.checkpointPath, epoch + 1, history, variables, optimizer);
  }
  const opt = await optimizer.getWeights();
  optimizer.dispose();
  for (const w of opt) w.tensor.dispose();
  return { finalLoss: history[history.length - 1] ?? NaN, history, startEpoch };
}

async function writeCheckpoint(path: string, epochs: number, history: number[], variables: tf.Variable[], optimizer: tf.Optimizer): Promise<void> {
  const opt = await optimizer.getWeights();
  const ck: Checkpoint = {
    format: 'facekit-train-checkpoint',
    version: 1,
    epochs,
    history,
    variables: variables.map((v) => ({ shape: [...v.shape], data: float32ToBase64(v.dataSync() as Float32Array) })),
    optimizer: opt.map((w) => ({ name: w.name, shape: [...w.tensor.shape], data: float32ToBase64(Float32Array.from(w.tensor.dataSync() as Float32Array)) })),
  };
  // a run killed mid-write leaves the previous checkpoint intact
  writeFileAtomic(path, JSON.stringify(ck));
}

function readCheckpoint(path: string, nVars: number): Checkpoint {
  let ck: Checkpoint;
  try {
    ck = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch (e) {
    throw new FacekitError('BAD_ARGUMENT', `cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  if (ck.format !== 'facekit-train-checkpoint' || ck.variables?.length !== nVars) {
    throw new FacekitError('BAD_ARGUMENT', `checkpoint ${path} does not match this model (${ck.variables?.length ?? 0} variables, expected ${nVars})`);
  }
  return ck;
}
