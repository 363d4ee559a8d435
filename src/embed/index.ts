import { l2Normalize } from '../compare/index.js';
import { FacekitError } from '../errors/index.js';
import { mirror, toModelTensor } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { loadModel, type LoadedModel } from '../models/index.js';

/**
 * Recognition models turn aligned face crops into vectors. Output is always L2-normalised so every
 * metric downstream (cosine, euclidean, L2 euclidean) sees the same geometry.
 */
export const DEFAULT_EMBED_MODEL = 'fr_feature';

export interface EmbedOptions {
  model?: string;
  /** also embed the mirrored crop and average: cheap test-time augmentation */
  flip?: boolean;
  /** most crops per inference call (fixed-batch models always run one at a time) */
  batchSize?: number;
  threads?: number;
}

export async function loadEmbedModel(id: string, threads?: number): Promise<LoadedModel> {
  const m = await loadModel(id, { threads });
  if (m.record.task !== 'embed') {
    throw new FacekitError('BAD_ARGUMENT', `model ${id} is a ${m.record.task} model, not a recognition (embed) model`);
  }
  if (m.record.unusable) throw new FacekitError('BAD_ARGUMENT', `model ${id} cannot be used for recognition: ${m.record.unusable}`);
  return m;
}

/** Raw model outputs for crops already at the model's input size, batched where the model allows. */
async function runBatches(model: LoadedModel, crops: RgbImage[], batchSize: number): Promise<Float32Array[]> {
  const { record, session } = model;
  const declared = session.inputShapes[record.input.name]?.[0];
  const step = typeof declared === 'number' ? declared : Math.max(1, batchSize);
  const dims = record.embeddingSize ?? 0;
  const out: Float32Array[] = [];
  for (let i = 0; i < crops.length; i += step) {
    const chunk = crops.slice(i, i + step);
    const t = toModelTensor(chunk, record.input);
    const res = await session.run({ [record.input.name]: t });
    const first = Object.keys(record.outputs)[0];
    const y = (res[first] ?? Object.values(res)[0]).data as Float32Array;
    const d = dims || y.length / chunk.length;
    for (let k = 0; k < chunk.length; k++) out.push(y.slice(k * d, (k + 1) * d));
  }
  return out;
}

/**
 * One crop's embedding with what the recognizer's raw output says about the crop itself: the L2
 * norm before normalisation (recognizers trained with a margin loss give clear, typical faces a
 * larger norm: MagFace's observation) and, when the mirror image was embedded too, the cosine
 * between the two (a face the model reads the same way mirrored is read stably).
 */
export interface EmbeddedCrop {
  /** the L2-normalised embedding (flip-averaged with flip) */
  vector: Float32Array;
  /** L2 norm of the model's output for the crop, before normalisation */
  rawNorm: number;
  /** cosine between the embeddings of the crop and of its mirror image; only with flip */
  mirrorCosine?: number;
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

/** Embeddings with their raw norms (and mirror agreement with flip); crops must match the model's input size. */
export async function embedCropsDetailed(crops: RgbImage[], opts: EmbedOptions = {}): Promise<EmbeddedCrop[]> {
  if (crops.length === 0) return [];
  const model = await loadEmbedModel(opts.model ?? DEFAULT_EMBED_MODEL, opts.threads);
  const batch = opts.batchSize ?? 16;
  const norm = (v: Float32Array) => Math.sqrt(dot(v, v));
  if (!opts.flip) return (await runBatches(model, crops, batch)).map((v) => ({ vector: l2Normalize(v), rawNorm: norm(v) }));
  // the crops and their mirror images together: with a symbolic batch, few faces are one model call
  const both = await runBatches(model, [...crops, ...crops.map(mirror)], batch);
  const plain = both.slice(0, crops.length);
  const flipped = both.slice(crops.length);
  return plain.map((v, i) => {
    const a = l2Normalize(v);
    const b = l2Normalize(flipped[i]);
    return { vector: l2Normalize(a.map((x, j) => x + b[j])), rawNorm: norm(v), mirrorCosine: dot(a, b) };
  });
}

/** One L2-normalised embedding per crop; crops must match the model's input size. */
export async function embedCrops(crops: RgbImage[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
  return (await embedCropsDetailed(crops, opts)).map((e) => e.vector);
}
