import { test } from 'node:test';
import { assertParity } from './parity.ts';

// Compiled ONNX vs TF.js on a pseudo-random input and a real face crop (batch of 2).
// Tolerance: max |ONNX - TF.js| <= relTol x the output's largest |value| in TF.js.
// The larger graphs use TF.js's WASM backend as reference (its CPU backend takes minutes on
// them on a loaded 2-core machine); FACEKIT_PARITY_BACKEND=cpu runs every case on CPU instead.
const cases: [id: string, relTol: number, backend: 'cpu' | 'wasm'][] = [
  ['blazeface-front', 1e-4, 'cpu'],
  ['blazeface', 1e-4, 'wasm'],
  ['blazeface-back', 1e-4, 'wasm'],
  ['facemesh-detection-short', 1e-4, 'cpu'],
  ['facemesh-detection-full', 1e-4, 'wasm'],
  ['faceboxes', 1e-4, 'wasm'],
];

for (const [id, relTol, backend] of cases) {
  test(`${id}: compiled ONNX matches TF.js (${backend}) within ${relTol} of output scale`, () => assertParity(id, relTol, backend));
}
