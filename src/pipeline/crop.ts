import { alignFace, arcfaceTemplate, dlibTemplate, type AlignedCrop, type FaceTemplate } from '../align/index.js';
import type { Face } from '../face.js';
import type { RgbImage } from '../image/types.js';
import type { ModelRecord } from '../models/index.js';

/** The five-point template a recognition model's record declares, at its input size. */
export function templateFor(record: ModelRecord): FaceTemplate {
  const size = record.input.width;
  const crop = record.crop ?? { template: 'arcface' as const };
  return crop.template === 'dlib' ? dlibTemplate(size, crop.padding ?? 0.25) : arcfaceTemplate(size, crop.margin ?? 0);
}

/** The crop this model sees for a face: its own template, or a plain square when align is off. */
export function cropForModel(image: RgbImage, face: Pick<Face, 'box' | 'landmarks5'>, record: ModelRecord, align = true): AlignedCrop {
  const template = templateFor(record);
  return alignFace(image, face, { template, align, padding: 0.1 });
}
