import { Matrix, inverse } from 'ml-matrix';
import type { Box } from '../face.js';

/**
 * SORT's constant-velocity Kalman filter over a box: state [cx, cy, area, aspect, vcx, vcy, varea].
 * Aspect ratio is held constant (faces keep their shape); area and centre move linearly. Noise
 * settings follow SORT (Bewley et al. 2016), which tuned them for pedestrian boxes; faces move
 * similarly in pixels per frame at typical frame rates.
 */
const DIM_X = 7;
const DIM_Z = 4;

function eye(n: number, scale = 1): Matrix {
  return Matrix.eye(n, n).mul(scale);
}

const F = (() => {
  const m = eye(DIM_X);
  m.set(0, 4, 1);
  m.set(1, 5, 1);
  m.set(2, 6, 1);
  return m;
})();
const H = (() => {
  const m = Matrix.zeros(DIM_Z, DIM_X);
  for (let i = 0; i < DIM_Z; i++) m.set(i, i, 1);
  return m;
})();
const R = (() => {
  const m = eye(DIM_Z);
  m.set(2, 2, 10);
  m.set(3, 3, 10);
  return m;
})();
const Q = (() => {
  const m = eye(DIM_X);
  m.set(4, 4, 0.01);
  m.set(5, 5, 0.01);
  m.set(6, 6, 0.0001);
  return m;
})();

export function boxToMeasurement(b: Box): number[] {
  return [b.x + b.w / 2, b.y + b.h / 2, b.w * b.h, b.w / Math.max(b.h, 1e-6)];
}

export function stateToBox(x: Matrix): Box {
  const area = Math.max(x.get(2, 0), 1e-6);
  const aspect = Math.max(x.get(3, 0), 1e-6);
  const w = Math.sqrt(area * aspect);
  const h = area / w;
  return { x: x.get(0, 0) - w / 2, y: x.get(1, 0) - h / 2, w, h };
}

export class BoxKalmanFilter {
  private x: Matrix;
  private P: Matrix;

  constructor(box: Box) {
    this.x = Matrix.columnVector([...boxToMeasurement(box), 0, 0, 0]);
    // velocities are unknown at birth: large initial uncertainty on them
    this.P = eye(DIM_X, 10);
    for (let i = 4; i < DIM_X; i++) this.P.set(i, i, 1000);
  }

  predict(): Box {
    // an area that would shrink below zero stops shrinking instead
    if (this.x.get(2, 0) + this.x.get(6, 0) <= 0) this.x.set(6, 0, 0);
    this.x = F.mmul(this.x);
    this.P = F.mmul(this.P).mmul(F.transpose()).add(Q);
    return stateToBox(this.x);
  }

  update(box: Box): Box {
    const z = Matrix.columnVector(boxToMeasurement(box));
    const y = z.sub(H.mmul(this.x));
    const S = H.mmul(this.P).mmul(H.transpose()).add(R);
    const K = this.P.mmul(H.transpose()).mmul(inverse(S));
    this.x = this.x.add(K.mmul(y));
    this.P = eye(DIM_X).sub(K.mmul(H)).mmul(this.P);
    return stateToBox(this.x);
  }

  get box(): Box {
    return stateToBox(this.x);
  }
}
