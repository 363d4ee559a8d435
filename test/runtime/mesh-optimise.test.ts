import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { cropAndResize, meshRegion } from '../../src/analyze/index.ts';
import { compileRecord } from '../../src/models/build.ts';
import { ensureBuilt, getModelRecord, loadModel } from '../../src/models/index.ts';
import { loadAndFindFaces } from '../../src/pipeline/index.ts';
import { getSession, type ModelSession, type TensorData } from '../../src/runtime/session.ts';

// facemesh and iris as the compiler writes them against the graphs facekit runs (record flag
// `optimise`: ORT's transpose folding, then the PReLU rewrite of src/models/onnx/optimise.ts), on
// real face and eye crops cut the way src/analyze/mesh.ts cuts them
const PHOTOS = ['sample1.jpg', 'sample2.jpg'].map((f) => `node_modules/@vladmandic/face-api/demo/${f}`);
const MESH = 192;
const IRIS = 64;

/** the same record compiled without the rewrite: the graph these models ran before it */
function plainSession(id: string): Promise<ModelSession> {
  const record = getModelRecord(id);
  return getSession(`${id}-unoptimised`, () => compileRecord({ ...record, optimise: false }));
}

function maxAbsDiff(a: TensorData['data'], b: TensorData['data']): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i]) - Number(b[i])));
  return m;
}

function largest(a: TensorData['data']): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(Number(a[i])));
  return m;
}

/** 192x192 mesh inputs (0..1 RGB) of every face in the demo photos */
async function meshCrops(): Promise<Float32Array[]> {
  const crops: Float32Array[] = [];
  for (const p of PHOTOS) {
    const { image, faces } = await loadAndFindFaces(p);
    for (const f of faces) {
      const r = meshRegion(f);
      const box: [number, number, number, number] = [r.start[1] / image.height, r.start[0] / image.width, r.end[1] / image.height, r.end[0] / image.width];
      crops.push(cropAndResize(image.data, image.width, image.height, box, MESH, MESH, 1 / 255));
    }
  }
  assert.ok(crops.length >= 4, `the demo photos have ${crops.length} faces`);
  return crops.slice(0, 6);
}

/** a 64x64 eye crop of a mesh input, around the eye corners (mesh rows 33/133 and 362/263) */
function eyeCrop(face: Float32Array, mesh: TensorData['data'], a: number, b: number, mirror: boolean): Float32Array {
  const [ax, ay, bx, by] = [mesh[3 * a], mesh[3 * a + 1], mesh[3 * b], mesh[3 * b + 1]].map(Number);
  const half = (Math.abs(bx - ax) * 2.3) / 2;
  const [cx, cy] = [(ax + bx) / 2, (ay + by) / 2];
  const box: [number, number, number, number] = [(cy - half) / MESH, (cx - half) / MESH, (cy + half) / MESH, (cx + half) / MESH];
  return cropAndResize(face, MESH, MESH, box, IRIS, IRIS, 1, mirror);
}

test('the optimised facemesh and iris have no PRelu and keep a free batch', async () => {
  for (const id of ['facemesh', 'iris']) {
    const record = getModelRecord(id);
    assert.equal(record.optimise, true);
    const g = onnxProto.onnx.ModelProto.decode(readFileSync((await ensureBuilt(record)).path)).graph!;
    const plain = onnxProto.onnx.ModelProto.decode(await compileRecord({ ...record, optimise: false })).graph!;
    assert.ok(plain.node!.filter((n) => n.opType === 'PRelu').length > 20, `${id} as compiled has its PReLUs`);
    assert.deepEqual(g.node!.filter((n) => n.opType === 'PRelu').map((n) => n.name), [], id);
    // most of the compiler's NHWC transposes are gone
    assert.ok(g.node!.filter((n) => n.opType === 'Transpose').length < plain.node!.filter((n) => n.opType === 'Transpose').length / 10, id);
    assert.ok(g.input![0].type!.tensorType!.shape!.dim![0].dimParam, `${id}: batch is symbolic`);
  }
});

test('optimised facemesh and iris give the compiled graphs\' outputs on real faces and eyes, batched or not', async () => {
  const faces = await meshCrops();
  const mesh = await loadModel('facemesh');
  const meshPlain = await plainSession('facemesh');
  const iris = await loadModel('iris');
  const irisPlain = await plainSession('iris');
  const feed = (name: string, crops: Float32Array[], size: number) => ({ [name]: { data: Float32Array.from(crops.flatMap((c) => Array.from(c))), dims: [crops.length, size, size, 3] } });
  const eyes: Float32Array[] = [];
  for (const face of faces) {
    const want = await meshPlain.run(feed(mesh.record.input.name, [face], MESH));
    const got = await mesh.session.run(feed(mesh.record.input.name, [face], MESH));
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
    for (const k of Object.keys(want)) {
      const scale = Math.max(1, largest(want[k].data));
      assert.ok(maxAbsDiff(want[k].data, got[k].data) < 1e-5 * scale, `facemesh ${k}: max abs diff ${maxAbsDiff(want[k].data, got[k].data)} (largest ${scale})`);
    }
    const pts = Object.values(want).find((t) => t.data.length === 468 * 3)!.data;
    eyes.push(eyeCrop(face, pts, 33, 133, true), eyeCrop(face, pts, 362, 263, false));
  }
  // batched: the same answers as one face at a time
  const batch = await mesh.session.run(feed(mesh.record.input.name, faces, MESH));
  for (const [k, t] of Object.entries(batch)) {
    const per = t.data.length / faces.length;
    for (let i = 0; i < faces.length; i++) {
      const one = (await mesh.session.run(feed(mesh.record.input.name, [faces[i]], MESH)))[k].data;
      assert.ok(maxAbsDiff(t.data.subarray(i * per, (i + 1) * per), one) < 1e-4 * Math.max(1, largest(one)), `facemesh ${k} face ${i} batched`);
    }
  }
  let irisSpread = 0;
  const first = (await iris.session.run(feed(iris.record.input.name, [eyes[0]], IRIS))).Identity.data;
  for (const eye of eyes) {
    const want = (await irisPlain.run(feed(iris.record.input.name, [eye], IRIS))).Identity.data;
    const got = (await iris.session.run(feed(iris.record.input.name, [eye], IRIS))).Identity.data;
    const scale = Math.max(1, largest(want));
    assert.ok(maxAbsDiff(want, got) < 1e-5 * scale, `iris: max abs diff ${maxAbsDiff(want, got)} (largest ${scale})`);
    irisSpread = Math.max(irisSpread, maxAbsDiff(first, got));
  }
  // not trivially equal: different eyes give different points
  assert.ok(irisSpread > 0.5, `iris outputs differ by at most ${irisSpread} across eyes`);
});
