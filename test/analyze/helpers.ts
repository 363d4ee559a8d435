import sharp, { type Sharp } from 'sharp';
import type { Face, Landmarks5 } from '../../src/face.ts';
import type { RgbImage } from '../../src/image/types.ts';

export const SAMPLE1 = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';

/** The left woman's face in sample1.jpg, box and landmarks read off the photo by hand. */
export const SAMPLE1_FACE: Face = {
  box: { x: 410, y: 370, w: 190, h: 220 },
  score: 1,
  landmarks5: [[440, 455], [512, 458], [455, 510], [445, 545], [520, 550]],
};

export async function toRgb(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

export function loadRgb(file: string): Promise<RgbImage> {
  return toRgb(sharp(file).rotate());
}

/** A frontal five-point layout (ArcFace template proportions) scaled and placed at (x, y). */
export function frontal5(x = 100, y = 100, s = 2): Landmarks5 {
  const t: Landmarks5 = [[38.3, 51.7], [73.5, 51.5], [56.0, 71.7], [41.5, 92.4], [70.7, 92.2]];
  return t.map(([px, py]) => [x + s * px, y + s * py]) as Landmarks5;
}
