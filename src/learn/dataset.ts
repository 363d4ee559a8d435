import { join } from 'node:path';
import { listDataset } from '../eval/index.js';
import { loadImage, resizeImage, type RgbImage } from '../image/index.js';

export interface LabelledImages {
  root: string;
  /** identity names, index = label */
  names: string[];
  paths: string[];
  labels: number[];
}

/** A folder laid out as <identity>/<images> (the eval stage's layout), as paths + integer labels. */
export function listLabelledImages(root: string): LabelledImages {
  const ds = listDataset(root);
  const names: string[] = [];
  const paths: string[] = [];
  const labels: number[] = [];
  ds.identities.forEach((id, label) => {
    names.push(id.name);
    for (const im of id.images) {
      paths.push(join(ds.root, im));
      labels.push(label);
    }
  });
  return { root: ds.root, names, paths, labels };
}

/** The image stretched to width x height (no face detection: a crude crop for already-centred faces). */
export async function loadResized(path: string, width: number, height: number): Promise<RgbImage> {
  return (await resizeImage(await loadImage(path), width, height)).image;
}

/** Grey (luma), stretched to width x height, standardised per image (zero mean, unit std). */
export async function loadGreyStandardised(path: string, width: number, height: number): Promise<Float32Array> {
  const img = await loadResized(path, width, height);
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * img.data[3 * i] + 0.587 * img.data[3 * i + 1] + 0.114 * img.data[3 * i + 2];
  let mean = 0;
  for (const v of out) mean += v;
  mean /= out.length;
  let sd = 0;
  for (const v of out) sd += (v - mean) ** 2;
  sd = Math.sqrt(sd / out.length) || 1;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - mean) / sd;
  return out;
}
