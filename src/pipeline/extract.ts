import { arcfaceTemplate } from '../align/index.js';
import { withQuality } from '../analyze/quality.js';
import { detectFaces } from '../detect/index.js';
import type { Face } from '../face.js';
import { loadImage, type ImageInput } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import type { FaceOptions } from './options.js';

/**
 * Faces in an image, with boxes, scores and five landmarks. With `detect: false` the image is taken
 * as one face crop already aligned to the ArcFace template (as evaluation sets ship them), so its
 * landmarks are the template's, scaled to the image. Each face carries `quality` (src/analyze/quality.ts).
 */
export async function findFaces(image: RgbImage, opts: FaceOptions = {}): Promise<Face[]> {
  // every face carries its quality (a few milliseconds each): the record every shell shows has it
  if (opts.detect === false) return withQuality(image, [wholeImageFace(image)]);
  // tight face crops are searched again with context by detectFaces itself (its context option)
  return withQuality(image, await detectFaces(image, opts));
}

export async function loadAndFindFaces(input: ImageInput, opts: FaceOptions = {}): Promise<{ image: RgbImage; faces: Face[] }> {
  const image = await loadImage(input, opts);
  return { image, faces: await findFaces(image, opts) };
}

function wholeImageFace(image: RgbImage): Face {
  const t = arcfaceTemplate(112);
  const kx = image.width / 112;
  const ky = image.height / 112;
  const landmarks5 = t.points.map(([x, y]) => [x * kx, y * ky]) as Face['landmarks5'];
  return { box: { x: 0, y: 0, w: image.width, h: image.height }, score: 1, landmarks5, detector: 'none' };
}

