import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { FacekitError } from '../errors/index.js';

/**
 * One place that owns ONNX Runtime sessions: created once per (model, options) and reused, since
 * creating a session costs far more than running it. Every stage calls `run` with plain typed
 * arrays and gets plain typed arrays back, so no stage depends on ORT's Tensor class.
 */
export interface SessionOptions {
  /** intra-op threads; default: $FACEKIT_ORT_THREADS, else all cores (2 on the reference machine) */
  threads?: number;
  /**
   * Where ONNX Runtime's own optimised graph of a model file is kept (the user's cache dir). The
   * first session saves it; later processes load it with optimisation off, which halves session
   * creation (fr_feature: about 190 ms to 85 ms). Unset, or FACEKIT_ORT_CACHE=0: not kept.
   */
  optimisedDir?: string;
}

export interface TensorData {
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  dims: readonly number[];
}

export interface ModelSession {
  readonly key: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** declared input shapes (symbolic dims as strings), by input name */
  readonly inputShapes: Readonly<Record<string, readonly (number | string)[]>>;
  run(feeds: Record<string, TensorData>, outputs?: readonly string[]): Promise<Record<string, TensorData>>;
}

const sessions = new Map<string, Promise<ModelSession>>();

function tensorType(data: TensorData['data']): 'float32' | 'int32' | 'int64' | 'uint8' {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'uint8';
}

// loaded with the first session, not at import: the library's import and the commands that run
// no model (--help, people list) skip ONNX Runtime's native start-up
let ortModule: Promise<typeof Ort> | null = null;
const loadOrt = (): Promise<typeof Ort> => (ortModule ??= import('onnxruntime-node'));

/**
 * The saved ORT-optimised graph for a model file: named by the file's identity, the ORT version and
 * the CPU, since the graph ORT saves at level 'all' is laid out for this CPU's vector width.
 */
function optimisedPath(ort: typeof Ort, file: string, dir: string): string {
  const st = statSync(file);
  const id = [file, st.size, st.mtimeMs, ort.env.versions?.common ?? '', process.arch, cpus()[0]?.model ?? ''].join('|');
  return join(dir, `${basename(file, '.onnx')}-${createHash('sha256').update(id).digest('hex').slice(0, 16)}.ort.onnx`);
}

async function openSession(ort: typeof Ort, model: Uint8Array | string, o: Ort.InferenceSession.SessionOptions, dir: string | undefined): Promise<Ort.InferenceSession> {
  if (typeof model !== 'string') return ort.InferenceSession.create(model, o);
  if (!dir || process.env.FACEKIT_ORT_CACHE === '0') return ort.InferenceSession.create(model, o);
  const saved = optimisedPath(ort, model, dir);
  if (existsSync(saved)) {
    try {
      return await ort.InferenceSession.create(saved, { ...o, graphOptimizationLevel: 'disabled' });
    } catch {
      rmSync(saved, { force: true }); // unreadable (another ORT build wrote it?): made again below
    }
  }
  // ORT writes the file itself while creating the session: a temporary name, renamed once whole
  const tmp = `${saved}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    return ort.InferenceSession.create(model, o); // a read-only cache dir only costs the saving
  }
  try {
    const session = await ort.InferenceSession.create(model, { ...o, optimizedModelFilePath: tmp });
    try {
      renameSync(tmp, saved);
    } catch {
      rmSync(tmp, { force: true });
    }
    return session;
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Intra-op threads when a caller names none. One request is served fastest by one process using
 * every core (0 = ORT's default, all cores): a verify is a chain of small models, each split across
 * the cores. Many requests are served best by one worker per core with one thread each, which is
 * what `facekit serve`'s worker pool does by default (src/server/limits.ts: it gives each worker
 * its share of the cores through FACEKIT_ORT_THREADS): no thread hand-offs inside small
 * convolutions and no cores idle while a worker decodes (measured by bench/server.ts; BENCH_WORKERS
 * and BENCH_ORT_THREADS try other layouts). FACEKIT_ORT_THREADS set by the user wins everywhere.
 */
function defaultThreads(): number {
  const n = Number(process.env.FACEKIT_ORT_THREADS);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

async function createSession(key: string, model: Uint8Array | string, opts: SessionOptions): Promise<ModelSession> {
  const ort = await loadOrt();
  let session: Ort.InferenceSession;
  try {
    const o: Ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: opts.threads ?? defaultThreads(),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
      // ORT warns about benign things (initializers listed as inputs in exported models)
      logSeverityLevel: 3,
      // every session has its own thread pool; threads that spin after a run steal the cores
      // from the next model in the pipeline (detect -> landmarks -> embed)
      extra: { session: { intra_op: { allow_spinning: process.env.FACEKIT_ORT_SPIN ?? '0' } } },
    };
    session = await openSession(ort, model, o, opts.optimisedDir);
  } catch (e) {
    throw new FacekitError('MODEL_SOURCE_CORRUPT', `ONNX Runtime could not load model ${key}: ${(e as Error).message}`);
  }
  return {
    key,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputShapes: Object.fromEntries(
      session.inputMetadata.map((m) => [m.name, m.isTensor ? (m.shape as (number | string)[]) : []]),
    ),
    async run(feeds, outputs) {
      const ortFeeds: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(tensorType(t.data), t.data, t.dims);
      const res = outputs ? await session.run(ortFeeds, outputs as string[]) : await session.run(ortFeeds);
      const out: Record<string, TensorData> = {};
      for (const [name, t] of Object.entries(res)) out[name] = { data: t.data as TensorData['data'], dims: t.dims };
      return out;
    },
  };
}

/** A cached session for `key`; `load` supplies the model bytes or path on first use only. */
export function getSession(key: string, load: () => Promise<Uint8Array | string>, opts: SessionOptions = {}): Promise<ModelSession> {
  const k = `${key}|t${opts.threads ?? 0}`;
  let s = sessions.get(k);
  if (!s) {
    s = load().then((m) => createSession(key, m, opts));
    sessions.set(k, s);
    s.catch(() => sessions.delete(k));
  }
  return s;
}

/** Drop every cached session (tests, and servers reloading models). */
export function clearSessions(): void {
  sessions.clear();
}
