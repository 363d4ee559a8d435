/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking `src` points
 * onto `dst`: Umeyama (1991), the estimator InsightFace uses (skimage SimilarityTransform) to
 * align faces to the ArcFace template. The SVD is ml-matrix's.
 */
import { Matrix, SVD, determinant } from 'ml-matrix';
import { FacekitError } from '../errors/index.js';
import type { Point } from '../face.js';
import type { Affine } from './affine.js';

export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n < 2 || dst.length !== n) {
    throw new FacekitError('BAD_ARGUMENT', `similarityTransform needs two equal lists of at least 2 points (got ${n} and ${dst.length})`);
  }
  const mean = (p: readonly Point[]) => [p.reduce((s, q) => s + q[0], 0) / n, p.reduce((s, q) => s + q[1], 0) / n];
  const [sx, sy] = mean(src);
  const [dx, dy] = mean(dst);
  const srcC = src.map(([x, y]) => [x - sx, y - sy]);
  const dstC = dst.map(([x, y]) => [x - dx, y - dy]);
  const varSrc = srcC.reduce((s, [x, y]) => s + x * x + y * y, 0) / n;
  if (varSrc < 1e-12) throw new FacekitError('BAD_ARGUMENT', 'similarityTransform: source points coincide');
  // covariance dst^T src / n
  const cov = new Matrix(new Matrix(dstC).transpose().mmul(new Matrix(srcC)).to2DArray()).div(n);
  const svd = new SVD(cov);
  const U = svd.leftSingularVectors;
  const V = svd.rightSingularVectors;
  const D = svd.diagonal;
  // reflection guard: force a proper rotation
  const s = determinant(U) * determinant(V) < 0 ? -1 : 1;
  const S = Matrix.diag([1, s]);
  const R = U.mmul(S).mmul(V.transpose());
  const scale = (D[0] + s * D[1]) / varSrc;
  const a = scale * R.get(0, 0), b = scale * R.get(0, 1), c = scale * R.get(1, 0), d = scale * R.get(1, 1);
  return [[a, b, dx - (a * sx + b * sy)], [c, d, dy - (c * sx + d * sy)]];
}
