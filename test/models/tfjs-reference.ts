import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import * as ort from 'onnxruntime-node';
import type { TfGraphModel } from '../../src/models/tfjs/types.ts';

/**
 * Reference runs for the parity tests: TF.js's own executor on its CPU backend loads the same
 * model.json, and its outputs are what the compiled ONNX must reproduce.
 */
export type TfBackend = 'cpu' | 'wasm';

let wasmPathSet = false;
export async function useBackend(backend: TfBackend): Promise<void> {
  if (backend === 'wasm' && !wasmPathSet) {
    setWasmPaths(`${resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`);
    wasmPathSet = true;
  }
  if (tf.getBackend() !== backend) {
    if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialise`);
  }
  await tf.ready();
}

export async function loadTfjsModel(modelJsonPath: string, backend: TfBackend = 'cpu'): Promise<GraphModel> {
  await useBackend(backend);
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
  const specs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
  const data = Buffer.concat(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(dirname(modelJsonPath), p)))));
  const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  return loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: ab, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy }));
}

/** A graph built in memory (face-api nets, heads) as the model artifacts TF.js's executor loads. */
export function tfGraphArtifacts(g: TfGraphModel): tf.io.ModelArtifacts {
  const weightSpecs = [...g.weights].map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype }));
  const data = Buffer.concat([...g.weights.values()].map((t) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)));
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  return { modelTopology: { node: g.nodes, versions: { producer: 1 } }, weightSpecs, weightData };
}

/** That graph loaded into TF.js's own executor on `backend`. */
export async function loadTfGraph(g: TfGraphModel, backend: TfBackend = 'cpu'): Promise<GraphModel> {
  await useBackend(backend);
  return loadGraphModel(tf.io.fromMemory(tfGraphArtifacts(g)));
}

/** Runs the TF.js model on an NHWC float input, returning named node outputs. */
export async function runTfjs(model: GraphModel, inputName: string, data: Float32Array, shape: number[], outputs: string[], int32Input = false): Promise<Map<string, { data: Float32Array; dims: number[] }>> {
  const x = int32Input ? tf.tensor(Int32Array.from(data), shape, 'int32') : tf.tensor(data, shape, 'float32');
  const res = (await model.executeAsync({ [inputName]: x }, outputs)) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(res) ? res : [res];
  const out = new Map<string, { data: Float32Array; dims: number[] }>();
  list.forEach((t, i) => out.set(outputs[i], { data: Float32Array.from(t.dataSync() as Float32Array), dims: t.shape }));
  tf.dispose([x, ...list]);
  return out;
}

export async function runOnnx(bytes: Uint8Array, inputName: string, data: Float32Array, shape: number[]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  const res = await s.run({ [inputName]: new ort.Tensor('float32', data, shape) });
  const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [k, v] of Object.entries(res)) out[k] = { data: v.data as Float32Array, dims: v.dims };
  await s.release();
  return out;
}

/** Deterministic pseudo-random values in [lo, hi) (mulberry32). */
export function pseudoRandom(n: number, seed: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
