import * as tf from '@tensorflow/tfjs-core';
import './backend.js';
import { FacekitError } from '../errors/index.js';
import { mirrorPixels } from '../image/index.js';
import { l2Normalize } from './head.js';
import { createRng, deriveSeed } from './random.js';
import { trainLoop, type TrainLoopOptions, type TrainLoopResult } from './train.js';

export interface CnnSpec {
  /** input size, grey images */
  width: number;
  height: number;
  /** output channels of each conv(3x3, SAME) + ReLU + maxpool(2) block */
  channels: number[];
  embeddingSize: number;
  /** batch normalisation after each convolution (statistics re-estimated on the training images after training) */
  batchNorm?: boolean;
  /** how the last block reaches the dense layer: 'flatten' (default) keeps position, 'average' pools it away */
  pool?: 'flatten' | 'average';
}

export const DEFAULT_CNN: CnnSpec = { width: 46, height: 56, channels: [16, 32, 64], embeddingSize: 64, batchNorm: true };

/**
 * A small Siamese-twin embedding network trained from scratch: a few conv+pool blocks, one dense
 * layer, L2-normalised output. Both "twins" are this one network (shared weights), which is what
 * makes pair and triplet losses meaningful. Init: He normal from the seeded PRNG.
 */
export class EmbeddingCnn {
  readonly variables: tf.Variable[] = [];

  constructor(readonly spec: CnnSpec, seed: number) {
    const rng = createRng(seed);
    const normal = (shape: number[], std: number) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) d[i] = rng.normal() * std;
      return tf.variable(tf.tensor(d, shape));
    };
    let c = 1;
    let h = spec.height;
    let w = spec.width;
    for (const out of spec.channels) {
      this.variables.push(normal([3, 3, c, out], Math.sqrt(2 / (9 * c))), tf.variable(tf.zeros([out])));
      c = out;
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
    if (h < 1 || w < 1) throw new FacekitError('BAD_ARGUMENT', `input ${spec.width}x${spec.height} is too small for ${spec.channels.length} pooling blocks`);
    this.flatSize = spec.pool === 'average' ? c : h * w * c;
    this.variables.push(normal([this.flatSize, spec.embeddingSize], Math.sqrt(2 / (this.flatSize + spec.embeddingSize))), tf.variable(tf.zeros([spec.embeddingSize])));
    // after the dense layer, so a net without batch norm keeps its variable layout
    if (spec.batchNorm) for (const out of spec.channels) this.variables.push(tf.variable(tf.ones([out])), tf.variable(tf.zeros([out])));
  }

  private readonly flatSize: number;
  /** per block: population mean and variance, set by calibrateBatchNorm */
  private population: { mean: tf.Tensor1D; variance: tf.Tensor1D }[] | undefined;

  /**
   * [N, H, W, 1] -> [N, embeddingSize], L2-normalised. With batch norm, `training` normalises by the
   * batch's own statistics (what the gradient needs); otherwise by the population's.
   */
  apply(x: tf.Tensor4D, training = true): tf.Tensor2D {
    return this.forward(x, training ? 'batch' : 'population').embedding;
  }

  /** `stats` 'calibrate' normalises as 'batch' does and also reads the batch moments back (a sync a training step does not need) */
  private forward(x: tf.Tensor4D, stats: 'batch' | 'population' | 'calibrate'): { embedding: tf.Tensor2D; moments: { mean: Float32Array; meanSquare: Float32Array }[] } {
    const moments: { mean: Float32Array; meanSquare: Float32Array }[] = [];
    const embedding = tf.tidy(() => {
      let h: tf.Tensor4D = x;
      const blocks = this.spec.channels.length;
      const bn = 2 * blocks + 2;
      for (let b = 0; b < blocks; b++) {
        h = tf.add(conv3x3Same(h, this.variables[2 * b] as tf.Tensor4D), this.variables[2 * b + 1]);
        if (this.spec.batchNorm) {
          let mean: tf.Tensor;
          let variance: tf.Tensor;
          if (stats !== 'population') {
            ({ mean, variance } = tf.moments(h, [0, 1, 2]));
            if (stats === 'calibrate') {
              const m = mean.dataSync() as Float32Array;
              const v = variance.dataSync() as Float32Array;
              moments.push({ mean: Float32Array.from(m), meanSquare: m.map((mu, i) => v[i] + mu * mu) });
            }
          } else {
            if (!this.population) throw new FacekitError('INTERNAL', 'batch-norm statistics are not set: call calibrateBatchNorm after training');
            ({ mean, variance } = this.population[b]);
          }
          const scale = tf.mul(this.variables[bn + 2 * b], tf.rsqrt(tf.add(variance, 1e-5)));
          h = tf.add(tf.mul(tf.sub(h, mean), scale), this.variables[bn + 2 * b + 1]) as tf.Tensor4D;
        }
        h = tf.maxPool(tf.relu(h), 2, 2, 'valid');
      }
      const flat = (this.spec.pool === 'average' ? tf.mean(h, [1, 2]) : tf.reshape(h, [h.shape[0], this.flatSize])) as tf.Tensor2D;
      return l2Normalize(tf.add(tf.matMul(flat, this.variables[2 * blocks] as tf.Tensor2D), this.variables[2 * blocks + 1]));
    });
    return { embedding, moments };
  }

  /**
   * Population statistics for batch norm, averaged over batch-statistic passes on the given images
   * (the training images, unaugmented): estimated once from the final weights rather than as a
   * running average of weights that kept changing, and repeatable after a resume.
   */
  calibrateBatchNorm(images: readonly Float32Array[], batchSize = 64): void {
    if (!this.spec.batchNorm) return;
    const { width, height, channels } = this.spec;
    const sums = channels.map((c) => ({ mean: new Float64Array(c), meanSquare: new Float64Array(c) }));
    let weight = 0;
    for (let s = 0; s < images.length; s += batchSize) {
      const part = images.slice(s, s + batchSize);
      const x = imagesToTensor(part, width, height);
      const { embedding, moments } = this.forward(x, 'calibrate');
      x.dispose();
      embedding.dispose();
      moments.forEach((m, b) => m.mean.forEach((_, i) => {
        sums[b].mean[i] += part.length * m.mean[i];
        sums[b].meanSquare[i] += part.length * m.meanSquare[i];
      }));
      weight += part.length;
    }
    this.disposePopulation();
    this.population = sums.map((s) => {
      const mean = Float32Array.from(s.mean, (v) => v / weight);
      return { mean: tf.tensor1d(mean), variance: tf.tensor1d(Float32Array.from(s.meanSquare, (v, i) => Math.max(0, v / weight - mean[i] * mean[i]))) };
    });
  }

  private disposePopulation(): void {
    for (const p of this.population ?? []) {
      p.mean.dispose();
      p.variance.dispose();
    }
    this.population = undefined;
  }

  /**
   * grey images (height*width, standardised) -> embeddings, in batches. With `flip`, the mirrored
   * image is embedded too and the two averaged (then re-normalised): training saw both.
   */
  embed(images: readonly Float32Array[], opts: { flip?: boolean; batchSize?: number } = {}): Float32Array[] {
    const batchSize = opts.batchSize ?? 64;
    if (opts.flip) {
      const a = this.embed(images, { batchSize });
      const b = this.embed(images.map((im) => mirrorPixels(im, this.spec.width, this.spec.height, 1)), { batchSize });
      return a.map((v, i) => {
        const s = v.map((x, k) => x + b[i][k]);
        const n = Math.hypot(...s) || 1;
        return s.map((x) => x / n);
      });
    }
    const out: Float32Array[] = [];
    const { width, height, embeddingSize } = this.spec;
    for (let s = 0; s < images.length; s += batchSize) {
      const part = images.slice(s, s + batchSize);
      const e = tf.tidy(() => this.apply(imagesToTensor(part, width, height), false));
      const d = e.dataSync() as Float32Array;
      e.dispose();
      for (let i = 0; i < part.length; i++) out.push(d.slice(i * embeddingSize, (i + 1) * embeddingSize));
    }
    return out;
  }

  dispose(): void {
    this.disposePopulation();
    for (const v of this.variables) v.dispose();
  }
}

/**
 * 3x3 SAME convolution as im2col + matMul. tfjs's cpu kernel for the filter gradient
 * (Conv2DBackpropFilter) is a naive loop, tens of seconds per step here, and the wasm backend
 * has none; written with pad/slice/concat/matMul, autodiff gives both gradients from fast kernels.
 * Kernel layout [3, 3, inC, outC] as tf.conv2d, so weights stay interchangeable with it.
 */
export function conv3x3Same(x: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const out = kernel.shape[3];
    const p = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const cols: tf.Tensor4D[] = [];
    for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) cols.push(tf.slice(p, [0, ky, kx, 0], [b, h, w, c]));
    const m = tf.reshape(cols.length === 1 ? cols[0] : tf.concat(cols, 3), [b * h * w, 9 * c]);
    return tf.reshape(tf.matMul(m, tf.reshape(kernel, [9 * c, out])), [b, h, w, out]) as tf.Tensor4D;
  });
}

export function imagesToTensor(images: readonly Float32Array[], width: number, height: number): tf.Tensor4D {
  const flat = new Float32Array(images.length * width * height);
  images.forEach((im, i) => {
    if (im.length !== width * height) throw new FacekitError('BAD_ARGUMENT', `image ${i} has ${im.length} pixels, expected ${width}x${height}`);
    flat.set(im, i * width * height);
  });
  return tf.tensor4d(flat, [images.length, height, width, 1]);
}

export interface AugmentOptions {
  /** largest shift in pixels, each axis (default 2) */
  maxShift?: number;
  /** largest zoom in or out, as a fraction of the size (default 0: none) */
  maxScale?: number;
  /** largest change of the (standardised) brightness, added (default 0) */
  brightness?: number;
  /** largest relative change of contrast, multiplied (default 0) */
  contrast?: number;
}

/**
 * Training-time augmentation, drawn from a seeded PRNG: mirror half the images, shift by up to
 * `maxShift` pixels and zoom by up to `maxScale` (nearest pixel, edges repeat), and jitter
 * brightness and contrast. ORL has 10 images per person; without it the net memorises them.
 */
export function augment(im: Float32Array, width: number, height: number, rng: ReturnType<typeof createRng>, opts: AugmentOptions | number = {}): Float32Array {
  const o = typeof opts === 'number' ? { maxShift: opts } : opts;
  const maxShift = o.maxShift ?? 2;
  const flip = rng.next() < 0.5;
  const dx = rng.int(2 * maxShift + 1) - maxShift;
  const dy = rng.int(2 * maxShift + 1) - maxShift;
  const zoom = o.maxScale ? 1 + (2 * rng.next() - 1) * o.maxScale : 1;
  const gain = o.contrast ? 1 + (2 * rng.next() - 1) * o.contrast : 1;
  const bias = o.brightness ? (2 * rng.next() - 1) * o.brightness : 0;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(height - 1, Math.max(0, Math.round(cy + (y - cy) / zoom) + dy));
    for (let x = 0; x < width; x++) {
      let sx = Math.min(width - 1, Math.max(0, Math.round(cx + (x - cx) / zoom) + dx));
      if (flip) sx = width - 1 - sx;
      out[y * width + x] = gain * im[sy * width + sx] + bias;
    }
  }
  return out;
}

export interface TrainCnnOptions extends TrainLoopOptions {
  images: readonly Float32Array[];
  labels: ArrayLike<number>;
  spec?: CnnSpec;
  /** default true (flip and shift by 2 pixels); an object sets the augmentation */
  augment?: boolean | AugmentOptions;
  /** after each epoch, with the model as it stands (to watch a validation split) */
  onEpochModel?: (epoch: number, meanLoss: number, model: EmbeddingCnn) => void;
}

/** Trains the CNN from scratch with the shared loop (same losses, mining, checkpoints). */
export async function trainCnn(o: TrainCnnOptions): Promise<TrainLoopResult & { model: EmbeddingCnn }> {
  const spec = o.spec ?? DEFAULT_CNN;
  const model = new EmbeddingCnn(spec, o.seed);
  let rng = createRng(deriveSeed(o.seed, 1000));
  let rngEpoch = -1;
  // the population statistics follow the weights as of this epoch (-1: not yet estimated)
  let calibratedAt = -1;
  const res = await trainLoop(model.variables, o.labels, (idx, epoch) => {
    if (epoch !== rngEpoch) {
      rng = createRng(deriveSeed(o.seed, 1000 + epoch));
      rngEpoch = epoch;
    }
    const aug = typeof o.augment === 'object' ? o.augment : {};
    const ims = idx.map((i) => (o.augment === false ? o.images[i] : augment(o.images[i], spec.width, spec.height, rng, aug)));
    return model.apply(imagesToTensor(ims, spec.width, spec.height));
  }, {
    ...o,
    onEpoch: (e, l) => {
      o.onEpoch?.(e, l);
      if (o.onEpochModel) {
        model.calibrateBatchNorm(o.images);
        calibratedAt = e;
        o.onEpochModel(e, l, model);
      }
    },
  });
  if (calibratedAt !== o.epochs - 1) model.calibrateBatchNorm(o.images);
  return { ...res, model };
}
