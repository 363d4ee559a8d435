import { test } from 'node:test';
import { assertParity } from './parity.ts';

// Recognizers (their descriptor outputs and, for faceres, the age/gender heads).
// Tolerance: max |ONNX - TF.js| <= relTol x the output's largest |value| in TF.js.
// WASM reference for the 224x224 nets, see parity-detect.test.ts.
const cases: [id: string, relTol: number, backend: 'cpu' | 'wasm'][] = [
  ['mobileface', 1e-4, 'cpu'],
  ['mobilefacenet', 1e-4, 'wasm'],
  ['faceres', 1e-4, 'wasm'],
  ['faceres-deep', 1e-4, 'wasm'],
];

for (const [id, relTol, backend] of cases) {
  test(`${id}: compiled ONNX matches TF.js (${backend}) within ${relTol} of output scale`, () => assertParity(id, relTol, backend));
}
