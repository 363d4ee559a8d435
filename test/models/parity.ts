import assert from 'node:assert/strict';
import sharp from 'sharp';
import onnxProto from 'onnx-proto';
import { compileRecord } from '../../src/models/build.ts';
import { getModelRecord } from '../../src/models/index.ts';
import { packageFile } from '../../src/models/package-files.ts';
import type { ModelRecord } from '../../src/models/types.ts';
import type { CompileOptions } from '../../src/models/onnx/compile.ts';
import { compileTfGraph } from '../../src/models/onnx/compile.ts';
import { readTfjsGraphModel } from '../../src/models/tfjs/read.ts';
import { type TfBackend, loadTfjsModel, maxAbs, maxAbsDiff, pseudoRandom, runOnnx, runTfjs } from './tfjs-reference.ts';

/**
 * Parity of a compiled record against TF.js (CPU backend) on two inputs fed as one batch of 2:
 * pseudo-random pixels and a real face crop, both through the record's own normalisation. ONNX
 * always runs batched (so the symbolic batch is exercised); TF.js runs per item when the model
 * declares a batch of 1.
 */
export const FACE_IMAGE = 'node_modules/@vladmandic/face-api/demo/sample2.jpg';
const FACE_BOX = { left: 1390, top: 90, width: 300, height: 300 };

export interface ParityResult {
  output: string;
  maxDiff: number;
  scale: number;
}

function modelJson(record: ModelRecord): string {
  return packageFile(record.source.package, record.source.file);
}

function declaredInput(record: ModelRecord): { batch: number; channels: number } {
  const g = readTfjsGraphModel(modelJson(record), record.id);
  const ph = g.nodes.find((n) => n.op === 'Placeholder')!;
  const dims = ((ph.attr?.shape as { shape: { dim: { size: string }[] } }).shape.dim).map((d) => Number(d.size));
  return { batch: dims[0], channels: dims[3] };
}

/** record-normalised NHWC values from 8-bit RGB pixels (grayscale when the model has one channel) */
export function normalise(record: ModelRecord, rgb: Uint8Array | Float32Array, channels: number): Float32Array {
  const n = rgb.length / 3;
  const out = new Float32Array(n * channels);
  const { mean, std } = record.input;
  const bgr = record.input.channels === 'BGR';
  for (let i = 0; i < n; i++) {
    const r = rgb[3 * i]; const g = rgb[3 * i + 1]; const b = rgb[3 * i + 2];
    if (channels === 1) { out[i] = (0.2989 * r + 0.587 * g + 0.114 * b - mean[0]) / std[0]; continue; }
    const px = bgr ? [b, g, r] : [r, g, b];
    for (let c = 0; c < 3; c++) out[3 * i + c] = (px[c] - mean[c]) / std[c];
  }
  return out;
}

export async function faceCropRgb(width: number, height: number): Promise<Uint8Array> {
  const { data } = await sharp(FACE_IMAGE).extract(FACE_BOX).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

export async function parityInputs(record: ModelRecord, channels: number): Promise<Float32Array> {
  const { width, height } = record.input;
  const random = Float32Array.from(pseudoRandom(width * height * 3, 1234, 0, 256), Math.floor);
  const face = await faceCropRgb(width, height);
  const a = normalise(record, random, channels);
  const b = normalise(record, face, channels);
  const both = new Float32Array(a.length * 2);
  both.set(a);
  both.set(b, a.length);
  return both;
}

/** Compiles `id` (optionally with extra compile options) and measures its outputs against TF.js. */
export async function measureParity(id: string, extra: Partial<CompileOptions> = {}, backend: TfBackend = 'cpu'): Promise<ParityResult[]> {
  const record = getModelRecord(id);
  const src = record.source;
  assert.equal(src.kind, 'tfjs-graph');
  const bytes = Object.keys(extra).length === 0
    ? await compileRecord(record)
    : compileTfGraph(readTfjsGraphModel(modelJson(record), id), {
      outputs: src.kind === 'tfjs-graph' ? src.outputs : undefined, inputName: record.input.name, inputShape: [-1, record.input.height, record.input.width, -1], ...extra,
    });
  const { batch, channels } = declaredInput(record);
  const { width, height, name } = record.input;
  const x = await parityInputs(record, channels);
  const itemSize = width * height * channels;
  // a graph compiled with a fixed batch of 1 (facemesh-attention) runs item by item
  const onnxBatch = onnxProto.onnx.ModelProto.decode(bytes).graph!.input![0].type!.tensorType!.shape!.dim![0];
  const onnx = onnxBatch.dimParam ? await runOnnx(bytes, name, x, [2, height, width, channels]) : await runOnnxPerItem(bytes, name, x, [height, width, channels]);
  const outputs = Object.keys(onnx);
  const tfModel = await loadTfjsModel(modelJson(record), backend);
  const tfName = (tfModel.inputs[0].name ?? name).replace(/:0$/, '');
  const int32 = tfModel.inputs[0].dtype === 'int32';
  const ref = new Map<string, Float32Array>();
  if (batch === 1) {
    for (let i = 0; i < 2; i++) {
      const r = await runTfjs(tfModel, tfName, x.subarray(i * itemSize, (i + 1) * itemSize), [1, height, width, channels], outputs, int32);
      for (const o of outputs) {
        const prev = ref.get(o);
        const cur = r.get(o)!.data;
        ref.set(o, prev ? Float32Array.from([...prev, ...cur]) : cur);
      }
    }
  } else {
    const r = await runTfjs(tfModel, tfName, x, [2, height, width, channels], outputs, int32);
    for (const o of outputs) ref.set(o, r.get(o)!.data);
  }
  tfModel.dispose();
  return outputs.map((o) => {
    const want = ref.get(o)!;
    const got = onnx[o].data;
    assert.equal(got.length, want.length, `${id} ${o}: ONNX gives ${got.length} values, TF.js ${want.length}`);
    return { output: o, maxDiff: maxAbsDiff(got, want), scale: maxAbs(want) };
  });
}

async function runOnnxPerItem(bytes: Uint8Array, name: string, x: Float32Array, item: number[]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const n = item.reduce((a, b) => a * b, 1);
  const a = await runOnnx(bytes, name, x.subarray(0, n), [1, ...item]);
  const b = await runOnnx(bytes, name, x.subarray(n), [1, ...item]);
  const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const k of Object.keys(a)) out[k] = { data: Float32Array.from([...a[k].data, ...b[k].data]), dims: [2, ...a[k].dims.slice(1)] };
  return out;
}

/** Asserts every output is within relTol of that output's scale (largest |value| in TF.js). */
export async function assertParity(id: string, relTol: number, backend: TfBackend = 'cpu', extra: Partial<CompileOptions> = {}): Promise<void> {
  const res = await measureParity(id, extra, (process.env.FACEKIT_PARITY_BACKEND as TfBackend | undefined) ?? backend);
  assert.ok(res.length > 0, `${id}: no outputs`);
  for (const r of res) {
    const tol = relTol * Math.max(r.scale, 1e-3);
    assert.ok(r.maxDiff <= tol, `${id} ${r.output}: max |ONNX - TF.js| = ${r.maxDiff.toExponential(2)} > ${tol.toExponential(2)} (scale ${r.scale.toExponential(2)})`);
  }
}
