import { arcfaceTemplate } from '../align/index.ts';
import { detectFaces } from '../detect/index.ts';
import type { Face } from '../face.ts';
import { loadImage, type ImageInput } from '../image/index.ts';
import type { RgbImage } from '../image/types.ts';
import type { FaceOptions } from './options.ts';

/**
 * Faces in an image, with boxes, scores and five landmarks. With `detect: false` the image is taken
 * as one face crop already aligned to the ArcFace template (as evaluation sets ship them), so its
 * landmarks are the template's, scaled to the image.
 */
export async function findFaces(image: RgbImage, opts: FaceOptions = {}): Promise<Face[]> {
  if (opts.detect === false) return [wholeImageFace(image)];
  const faces = await detectFaces(image, opts);
  if (faces.length > 0 || Math.max(image.width, image.height) > 400) return faces;
  // Tight face crops (a face filling a small image) defeat detectors trained on context around
  // the face; one retry on a copy with a border recovers them without touching normal photos.
  const border = Math.round(Math.max(image.width, image.height) * 0.4);
  const padded = padImage(image, border);
  return (await detectFaces(padded, opts)).map((f) => shiftFace(f, -border));
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

function padImage(image: RgbImage, border: number): RgbImage {
  const W = image.width + 2 * border;
  const H = image.height + 2 * border;
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + border) * W + border) * 3);
  }
  return { data, width: W, height: H };
}

function shiftFace(f: Face, d: number): Face {
  const mv = ([x, y]: [number, number]): [number, number] => [x + d, y + d];
  return {
    ...f,
    box: { ...f.box, x: f.box.x + d, y: f.box.y + d },
    landmarks5: f.landmarks5.map(mv) as Face['landmarks5'],
    landmarks: f.landmarks?.map(mv),
  };
}
