/**
 * The face pipeline's side of collections: the crop a collection keeps of an enrolled face (a
 * padded region around it, PNG, with the face's box and landmarks in the crop's pixels, so any
 * recognizer can align it its own way later), and moving a collection to another model from those
 * crops. The gallery itself stores and swaps embeddings only (gallery/collection-ops.ts).
 */
import type { Face } from '../face.js';
import { moveCollectionModel, type Gallery, type KeptCrop, type MoveModelReport } from '../gallery/index.js';
import { cropBox, loadImage, type RgbImage } from '../image/index.js';
import { loadSharp } from '../image/sharp.js';
import { embedFaces, type FaceOptions } from '../pipeline/index.js';

/** room around the box for models that align with a margin (a box's width on every side) */
const CROP_PADDING = 0.5;

export async function keptCropOf(image: RgbImage, face: Face): Promise<KeptCrop> {
  const cut = cropBox(image, face.box, { padding: CROP_PADDING });
  const sharp = await loadSharp();
  const png = await sharp(Buffer.from(cut.image.data.buffer, cut.image.data.byteOffset, cut.image.data.byteLength), { raw: { width: cut.image.width, height: cut.image.height, channels: 3 } }).png().toBuffer();
  const dx = cut.box.x;
  const dy = cut.box.y;
  return {
    image: png,
    face: {
      box: { x: face.box.x - dx, y: face.box.y - dy, w: face.box.w, h: face.box.h },
      landmarks5: face.landmarks5 ? face.landmarks5.map(([x, y]) => [x - dx, y - dy] as [number, number]) : null,
      score: face.score,
    },
  };
}

/** The embedding of a kept crop under `model`, aligned from the landmarks kept with it. */
export async function embedKeptCrop(crop: KeptCrop, model: string, opts: FaceOptions = {}): Promise<Float32Array> {
  const image = await loadImage(Buffer.from(crop.image));
  const face = { box: crop.face.box, score: crop.face.score ?? 1, landmarks5: crop.face.landmarks5 ?? undefined, detector: 'kept-crop' } as Face;
  const [e] = await embedFaces(image, [face], { ...opts, model, head: undefined });
  return e.embedding!.vector;
}

/** Re-embeds the gallery's collection under `model` from its kept crops (refused when a face has none). */
export function moveToModel(gallery: Gallery, model: string, opts: FaceOptions & { onProgress?: (done: number, total: number) => void } = {}): Promise<MoveModelReport> {
  return moveCollectionModel(gallery, model, (crop) => embedKeptCrop(crop, model, opts), opts.onProgress);
}
