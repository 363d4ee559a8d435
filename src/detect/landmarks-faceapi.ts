/**
 * face-api's 68-point landmark nets (`faceapi-landmark68`, `faceapi-landmark68-tiny`), as face-api
 * runs them: the detection box cut out (clamped to the image), zero-padded to a centred square,
 * resized to the 112x112 input; outputs are 136 values, (x, y) pairs in 0..1 of that square.
 */
import type { Box, Point } from '../face.js';
import { cropBox, resizeImage, toModelTensor } from '../image/index.js';
import type { RgbImage } from '../image/types.js';
import { loadModel } from '../models/index.js';

export async function predictFaceApiLandmarks68(image: RgbImage, box: Box, modelId = 'faceapi-landmark68'): Promise<Point[]> {
  const { record, session } = await loadModel(modelId);
  const { image: crop, box: region } = cropBox(image, box);
  const { width: W, height: H } = record.input;
  const lb = await resizeImage(crop, W, H, { letterbox: true });
  const out = await session.run({ [record.input.name]: toModelTensor(lb.image, record.input) });
  const v = Object.values(out)[0].data as Float32Array;
  const pts: Point[] = [];
  for (let i = 0; i < 68; i++) {
    pts.push([region.x + (v[2 * i] * W - lb.offsetX) / lb.scaleX, region.y + (v[2 * i + 1] * H - lb.offsetY) / lb.scaleY]);
  }
  return pts;
}
