/**
 * Speed of every registry model: ms per call on ONNX Runtime (2 intra-op threads) and on TF.js's
 * WASM backend (the fastest TF.js backend available without tfjs-node) for the same input, at
 * batch 1 and batch 8. Writes bench/results/models.json.
 *
 *   npx tsx bench/models.ts [id ...]
 *
 * Figures are the best of several runs (after 2 warm-ups) for both runtimes, since the reference
 * machine is shared and medians there mostly measure other people's load.
 * Models whose graph fixes the batch at 1 (blazeface* on TF.js, fr_detect on ORT) are
 * timed as 8 calls of 1 for the batch-8 figure.
 *
 * A model that facekit rewrites (record flag `optimise`, src/models/onnx/optimise.ts: fr_feature,
 * facemesh, iris) is also timed unrewritten -- the ready ONNX file as shipped, or the TF.js graph
 * compiled without the flag -- in the same run and interleaved with the rewritten graph (three
 * alternating rounds, best of each), so the speed-up holds on a busy machine too (`shippedMs`;
 * every row carries the load average of its run).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import onnxProto from 'onnx-proto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { compileRecord } from '../src/models/build.ts';
import { ensureBuilt, listModels, loadModel } from '../src/models/index.ts';
import { packageFile } from '../src/models/package-files.ts';
import type { ModelRecord } from '../src/models/types.ts';
import { getSession, type ModelSession } from '../src/runtime/session.ts';
import { loadTfGraph, loadTfjsModel, pseudoRandom } from '../test/models/tfjs-reference.ts';
import { buildFaceApiGraph } from '../src/models/faceapi/index.ts';

const THREADS = 2;
const BATCHES = [1, 8];
const MIN_MS = 1500;
const MIN_RUNS = 3;

interface Row { id: string; task: string; batch: number; ortMs: number; tfjsMs: number | null; shippedMs?: number; loadavg?: number[] }

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  await fn(); await fn(); // warm-up: first runs allocate and, for TF.js, compile kernels
  const times: number[] = [];
  const start = performance.now();
  while (times.length < MIN_RUNS || performance.now() - start < MIN_MS) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    if (times.length >= 200) break;
  }
  // best of N: the machine is shared, and the fastest run is the one least disturbed by others
  return Math.min(...times);
}

function inputDims(r: ModelRecord, channels: number, batch: number): number[] {
  return r.input.layout === 'NCHW' ? [batch, channels, r.input.height, r.input.width] : [batch, r.input.height, r.input.width, channels];
}

async function tfjsModel(r: ModelRecord): Promise<GraphModel | null> {
  // face-api nets: TF.js runs the same rebuilt graph the compiler turns into ONNX
  if (r.source.kind === 'faceapi') return loadTfGraph(buildFaceApiGraph(r.source.arch, packageFile(r.source.package, r.source.file), r.id), 'wasm');
  if (r.source.kind !== 'tfjs-graph') return null;
  return loadTfjsModel(packageFile(r.source.package, r.source.file), 'wasm');
}

async function benchModel(r: ModelRecord): Promise<Row[]> {
  const { session } = await loadModel(r.id, { threads: THREADS });
  const onnxDims = onnxProto.onnx.ModelProto.decode(readFileSync((await ensureBuilt(r)).path)).graph!.input![0].type!.tensorType!.shape!.dim!;
  const onnxChannels = Number(onnxDims[r.input.layout === 'NCHW' ? 1 : 3]?.dimValue ?? 3);
  const tfm = await tfjsModel(r);
  const tfShape = tfm?.inputs[0].shape;
  const channels = tfShape?.[3] && tfShape[3] > 0 ? tfShape[3] : onnxChannels;
  const fixedBatch = tfShape?.[0] === 1;
  const int32 = tfm?.inputs[0].dtype === 'int32';
  // the graph before the rewrite: the ready ONNX file as shipped, or the TF.js graph compiled without it
  const shipped = r.optimise
    ? await getSession(`${r.id}-unoptimised`, async () => (r.source.kind === 'onnx' ? packageFile(r.source.package, r.source.file) : compileRecord({ ...r, optimise: false })), { threads: THREADS })
    : null;
  const rows: Row[] = [];
  for (const batch of BATCHES) {
    const dims = inputDims(r, channels, batch);
    const size = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from(pseudoRandom(size, batch, 0, 256), (v) => Math.floor(v) / (r.input.std[0] || 1) - r.input.mean[0] / (r.input.std[0] || 1));
    let ortMs: number;
    let shippedMs: number | undefined;
    if (shipped) {
      const opt: number[] = [];
      const base: number[] = [];
      for (let round = 0; round < 3; round++) {
        opt.push(await ortTime(session, r, data, dims));
        base.push(await ortTime(shipped, r, data, dims));
      }
      ortMs = Math.min(...opt);
      shippedMs = round2(Math.min(...base));
    } else {
      ortMs = await ortTime(session, r, data, dims);
    }
    let tfjsMs: number | null = null;
    if (tfm) {
      const one = dims.slice(); if (fixedBatch) one[0] = 1;
      const calls = fixedBatch ? batch : 1;
      const per = data.length / calls;
      const xs = Array.from({ length: calls }, (_, i) => (int32 ? tf.tensor(Int32Array.from(data.subarray(i * per, (i + 1) * per)), one, 'int32') : tf.tensor(data.subarray(i * per, (i + 1) * per), one)));
      const outputs = tfm.outputs.map((o) => o.name);
      const hasControlFlow = r.id === 'faceboxes';
      const run = async () => {
        for (const x of xs) {
          const out = hasControlFlow ? await tfm.executeAsync(x) : tfm.execute(x, outputs);
          const list = Array.isArray(out) ? out : [out];
          await Promise.all(list.map((t) => t.data()));
          tf.dispose(list);
        }
      };
      try {
        tfjsMs = await timeIt(run);
      } catch (e) {
        // e.g. facemesh-attention: the WASM backend lacks an int BatchMatMul kernel
        console.log(`${r.id}: TF.js WASM cannot run it (${(e as Error).message.split('\n')[0].slice(0, 100)})`);
      }
      tf.dispose(xs);
    }
    rows.push({ id: r.id, task: r.task, batch, ortMs: round2(ortMs), tfjsMs: tfjsMs === null ? null : round2(tfjsMs), ...(shippedMs === undefined ? {} : { shippedMs }), loadavg: loadavg().map(round2) });
  }
  tfm?.dispose();
  return rows;
}

/** ms per call; a graph with a fixed batch of 1 is timed as `batch` calls of 1, like TF.js */
async function ortTime(session: ModelSession, r: ModelRecord, data: Float32Array, dims: number[]): Promise<number> {
  const batch = dims[0];
  let batchable = true;
  try { await session.run({ [r.input.name]: { data, dims } }); } catch { batchable = false; }
  if (batchable) return timeIt(() => session.run({ [r.input.name]: { data, dims } }));
  const one = [1, ...dims.slice(1)];
  const per = data.length / batch;
  return timeIt(async () => {
    for (let i = 0; i < batch; i++) await session.run({ [r.input.name]: { data: data.slice(i * per, (i + 1) * per), dims: one } });
  });
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

const only = process.argv.slice(2);
const records = listModels().filter((r) => only.length === 0 || only.includes(r.id));
const rows: Row[] = [];
console.log(`ONNX Runtime ${THREADS} threads vs TF.js WASM; ms per call (best of >= 3 runs over >= 1.5 s), batch ${BATCHES.join(' and ')}`);
console.log(`${'id'.padEnd(26)}${'task'.padEnd(17)}${'batch'.padStart(6)}${'ORT ms'.padStart(10)}${'TF.js ms'.padStart(10)}${'speed-up'.padStart(10)}`);
for (const r of records) {
  for (const row of await benchModel(r)) {
    rows.push(row);
    const speed = row.tfjsMs === null ? '-' : `${(row.tfjsMs / row.ortMs).toFixed(1)}x`;
    const asShipped = row.shippedMs === undefined ? '' : `   unrewritten ${row.shippedMs.toFixed(2)} ms (${(row.shippedMs / row.ortMs).toFixed(2)}x)`;
    console.log(`${row.id.padEnd(26)}${row.task.padEnd(17)}${String(row.batch).padStart(6)}${row.ortMs.toFixed(2).padStart(10)}${(row.tfjsMs?.toFixed(2) ?? '-').padStart(10)}${speed.padStart(10)}${asShipped}   load ${row.loadavg?.[0]}`);
  }
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'models.json');
mkdirSync(dirname(out), { recursive: true });
// a run over chosen ids replaces only their rows, so one model can be re-measured on its own
const kept: Row[] = only.length && existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Row[]).filter((r) => !only.includes(r.id)) : [];
writeFileSync(out, `${JSON.stringify([...kept, ...rows], null, 2)}\n`);
console.log(`wrote ${out}`);
