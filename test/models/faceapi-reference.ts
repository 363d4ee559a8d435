/**
 * Test helpers for the face-api graph builders.
 *
 * Reference: face-api's own TypeScript source (node_modules/@vladmandic/face-api/src), run by tsx
 * on @tensorflow/tfjs-core with the CPU backend. face-api's source imports tfjs through its bundled
 * dist/tfjs.esm.js, which needs tfjs-node in Node; the CommonJS resolver is pointed at the installed
 * tfjs-core instead, so the reference is face-api's forward pass, weight loading included
 * (tfjs-core's own decodeWeights), unchanged.
 *
 * Graph check: a TfGraphModel is loaded into TF.js's graph executor (tfjs-converter) from memory.
 */
import Module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { TfGraphModel } from '../../src/models/tfjs/types.ts';
import { packageDir } from '../../src/models/package-files.ts';
import { tfGraphArtifacts } from './tfjs-reference.ts';

const require = createRequire(import.meta.url);
export const faceApiDir = packageDir('@vladmandic/face-api');
export const modelDir = join(faceApiDir, 'model');

let hooked = false;
function hookTfjs(): void {
  if (hooked) return;
  hooked = true;
  const shimPath = join(faceApiDir, 'dist', '__facekit_tfjs_shim__.cjs');
  const core = require('@tensorflow/tfjs-core');
  const shim = new Module(shimPath);
  shim.filename = shimPath;
  shim.loaded = true;
  shim.exports = { ...core, version: { 'tfjs-core': core.version_core } };
  require.cache[shimPath] = shim;
  // tfjs-core's Node bundle leaves out the chained tensor methods face-api calls (x.div(...),
  // x.as2D(...)); @tensorflow/tfjs would register them, so do the same here
  const proto = core.Tensor.prototype as any;
  for (const op of ['add', 'sub', 'mul', 'div', 'mean', 'reshape', 'slice', 'expandDims', 'squeeze', 'sigmoid', 'softmax', 'relu', 'transpose', 'exp', 'clipByValue']) {
    if (!proto[op]) proto[op] = function (this: unknown, ...args: unknown[]) { return core[op](this, ...args); };
  }
  proto.as1D ??= function (this: any) { return core.reshape(this, [this.size]); };
  proto.as2D ??= function (this: any, r: number, c: number) { return core.reshape(this, [r, c]); };
  proto.as3D ??= function (this: any, r: number, c: number, d: number) { return core.reshape(this, [r, c, d]); };
  proto.as4D ??= function (this: any, r: number, c: number, d: number, e: number) { return core.reshape(this, [r, c, d, e]); };
  const M = Module as any;
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, parent: any, ...rest: unknown[]) {
    if (/dist\/tfjs\.esm(\.js)?$/.test(request) && parent?.filename?.includes(`${join('face-api', 'src')}`)) return shimPath;
    return original.call(this, request, parent, ...rest);
  };
}

export async function cpuReady(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** face-api's weight map, decoded by tfjs-core (not by the code under test) */
export function faceApiWeightMap(manifestFile: string): tf.NamedTensorMap {
  const manifest = JSON.parse(readFileSync(join(modelDir, manifestFile), 'utf8'));
  const specs = manifest.flatMap((g: any) => g.weights);
  const buf = Buffer.concat(manifest.flatMap((g: any) => g.paths.map((p: string) => readFileSync(join(modelDir, p)))));
  return tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
}

/** an instance of a face-api network class from its source, with its weights loaded */
export async function faceApiNet(srcFile: string, className: string, manifestFile: string): Promise<any> {
  hookTfjs();
  const mod = await import(join(faceApiDir, 'src', srcFile));
  const net = new mod[className]();
  net.loadFromWeightMap(faceApiWeightMap(manifestFile));
  return net;
}

/** RGB pixels (0..255, NHWC) of a face cut from face-api's demo photo sample1.jpg */
export async function faceCrop(size: number): Promise<Float32Array> {
  const { data } = await sharp(join(faceApiDir, 'demo', 'sample1.jpg'))
    .extract({ left: 790, top: 370, width: 280, height: 280 })
    .resize(size, size)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}

/** deterministic pseudo-random pixels 0..255 */
export function randomPixels(size: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size * size * 3);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.floor((s / 2 ** 32) * 256);
  }
  return out;
}

/** (pixel - mean) / std per RGB channel, as a record's input asks */
export function normalise(pixels: Float32Array, mean: number[], std: number[]): Float32Array {
  return pixels.map((v, i) => (v - mean[i % 3]) / std[i % 3]);
}

/** runs a TfGraphModel in TF.js's graph executor; returns the named outputs */
export async function runInTfjs(model: TfGraphModel, input: { name: string; data: Float32Array; shape: number[] }, outputs: string[]): Promise<Record<string, { data: Float32Array; shape: number[] }>> {
  // the backend is the caller's (face-api's reference runs set it), so only the artifacts are shared
  const gm = await loadGraphModel(tf.io.fromMemory(tfGraphArtifacts(model)));
  const x = tf.tensor(input.data, input.shape);
  const res = gm.execute({ [input.name]: x }, outputs);
  const list = Array.isArray(res) ? res : [res];
  const out: Record<string, { data: Float32Array; shape: number[] }> = {};
  list.forEach((t, i) => {
    out[outputs[i]] = { data: t.dataSync() as Float32Array, shape: t.shape };
  });
  tf.dispose([x, ...list]);
  gm.dispose();
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export { tf };
