import { DEFAULT_EMBED_MODEL, embedCrops, loadEmbedModel } from '../embed/index.js';
import type { Face } from '../face.js';
import type { ImageInput } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { cropForModel } from './crop.js';
import { loadAndFindFaces } from './extract.js';
import { headFor } from './head.js';
import type { FaceOptions } from './options.js';

/**
 * Faces with the crop the model saw and its embedding attached (batched in one call). With a head,
 * the embedding is the head's output and is named by the head's id, so it is never mixed with the
 * base model's.
 */
export async function embedFaces(image: RgbImage, faces: Face[], opts: FaceOptions = {}): Promise<Face[]> {
  return embedFacesOfImages(faces.map((face) => ({ image, face })), opts);
}

/**
 * embedFaces for faces of different images (verify's two photos) in one recognizer call: one
 * batch costs less than a call per image.
 */
export async function embedFacesOfImages(items: readonly { image: RgbImage; face: Face }[], opts: FaceOptions = {}): Promise<Face[]> {
  if (items.length === 0) return [];
  const head = headFor(opts);
  const model = head?.baseModel ?? opts.model ?? DEFAULT_EMBED_MODEL;
  const { record } = await loadEmbedModel(model, opts.threads);
  const crops = items.map(({ image, face }) => cropForModel(image, face, record, opts.align !== false));
  const vectors = await embedCrops(crops, { model, flip: opts.flip, threads: opts.threads });
  if (head) return items.map(({ face }, i) => ({ ...face, crop: crops[i], embedding: { model: head.id, vector: head.apply(vectors[i]) } }));
  return items.map(({ face }, i) => ({ ...face, crop: crops[i], embedding: { model, vector: vectors[i] } }));
}

/** Crops for every face, aligned to the model's template (no embedding). */
export async function extractFaces(input: ImageInput, opts: FaceOptions = {}): Promise<Face[]> {
  const { image, faces } = await loadAndFindFaces(input, opts);
  const { record } = await loadEmbedModel(headFor(opts)?.baseModel ?? opts.model ?? DEFAULT_EMBED_MODEL, opts.threads);
  return faces.map((f) => ({ ...f, crop: cropForModel(image, f, record, opts.align !== false) }));
}

export interface RepresentResult {
  faces: Face[];
  image: { width: number; height: number };
  ms: number;
}

/** One embedding per face in the image. */
export async function represent(input: ImageInput, opts: FaceOptions = {}): Promise<RepresentResult> {
  const t0 = performance.now();
  const { image, faces } = await loadAndFindFaces(input, opts);
  const embedded = await embedFaces(image, faces, opts);
  return { faces: embedded, image: { width: image.width, height: image.height }, ms: performance.now() - t0 };
}
