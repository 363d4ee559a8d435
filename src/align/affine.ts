/**
 * 2x3 affine matrices in OpenCV's convention: [[a, b, tx], [c, d, ty]] maps (x, y) to
 * (a x + b y + tx, c x + d y + ty), with pixel centres at integer coordinates.
 */
import { FacekitError } from '../errors/index.js';
import type { Point } from '../face.js';

export type Affine = [[number, number, number], [number, number, number]];

export function applyAffine(m: Affine, [x, y]: Point): Point {
  return [m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2]];
}

export function invertAffine(m: Affine): Affine {
  const [[a, b, tx], [c, d, ty]] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) throw new FacekitError('BAD_ARGUMENT', 'affine matrix is singular (degenerate landmarks?)');
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [[ia, ib, -(ia * tx + ib * ty)], [ic, id, -(ic * tx + id * ty)]];
}
