import { test } from 'node:test';
import { assertParity } from './parity.ts';

// Age, gender, emotion, anti-spoofing, liveness, mesh and iris models.
// Tolerance: max |ONNX - TF.js| <= relTol x the output's largest |value| in TF.js.
const cases: [id: string, relTol: number, backend: 'cpu' | 'wasm'][] = [
  ['age-ssrnet', 1e-4, 'cpu'],
  ['gender-ssrnet', 1e-4, 'cpu'],
  ['gender', 1e-4, 'cpu'],
  ['emotion', 1e-4, 'cpu'],
  ['liveness', 1e-4, 'cpu'],
  ['antispoof', 1e-4, 'cpu'],
  ['iris', 1e-4, 'cpu'],
  ['facemesh', 1e-4, 'wasm'],
  // batch pinned to 1 by the compiler; TF.js WASM lacks an op of this graph, so CPU it is
  ['facemesh-attention', 1e-4, 'cpu'],
  ['gear', 1e-4, 'wasm'],
];

for (const [id, relTol, backend] of cases) {
  test(`${id}: compiled ONNX matches TF.js (${backend}) within ${relTol} of output scale`, () => assertParity(id, relTol, backend));
}
