import { embeddingCues, refineQuality, type EmbeddingCues } from '../analyze/quality-embedding.js';
import { DEFAULT_EMBED_MODEL, embedCropsDetailed, loadEmbedModel } from '../embed/index.js';
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
 * base model's. Each face's quality is refined by what the recognizer's output says about the crop
 * (src/analyze/quality-embedding.ts: its raw norm, and its mirror agreement when flip is on).
 */
export async function embedFaces(image: RgbImage, faces: Face[], opts: FaceOptions = {}): Promise<Face[]> {
  return (await embedFacesOfImagesWithCues(faces.map((face) => ({ image, face })), opts)).faces;
}

/** embedFaces, and the embedding cues each face's quality was refined by (the evaluation caches them). */
export async function embedFacesWithCues(image: RgbImage, faces: Face[], opts: FaceOptions = {}): Promise<{ faces: Face[]; cues: EmbeddingCues[] }> {
  return embedFacesOfImagesWithCues(faces.map((face) => ({ image, face })), opts);
}

/**
 * embedFaces for faces of different images (verify's two photos) in one recognizer call: one
 * batch costs less than a call per image.
 */
export async function embedFacesOfImages(items: readonly { image: RgbImage; face: Face }[], opts: FaceOptions = {}): Promise<Face[]> {
  return (await embedFacesOfImagesWithCues(items, opts)).faces;
}

async function embedFacesOfImagesWithCues(items: readonly { image: RgbImage; face: Face }[], opts: FaceOptions): Promise<{ faces: Face[]; cues: EmbeddingCues[] }> {
  if (items.length === 0) return { faces: [], cues: [] };
  const head = headFor(opts);
  const model = head?.baseModel ?? opts.model ?? DEFAULT_EMBED_MODEL;
  const { record } = await loadEmbedModel(model, opts.threads);
  const crops = items.map(({ image, face }) => cropForModel(image, face, record, opts.align !== false));
  const embedded = await embedCropsDetailed(crops, { model, flip: opts.flip, threads: opts.threads });
  const cues: EmbeddingCues[] = embedded.map(embeddingCues);
  return {
    cues,
    faces: items.map(({ face: f }, i) => {
      const { vector } = embedded[i];
      const quality = f.quality ? { quality: refineQuality(f.quality, model, cues[i]) } : {};
      return { ...f, ...quality, crop: crops[i], embedding: head ? { model: head.id, vector: head.apply(vector) } : { model, vector } };
    }),
  };
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
