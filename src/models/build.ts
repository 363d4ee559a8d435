import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { facekitCacheDir } from '../data-dir.js';
import { FacekitError } from '../errors/index.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { installedPackageDir, packageFile } from './package-files.js';
import type { ModelRecord } from './types.js';
import { COMPILER_VERSION } from './onnx/version.js';
import { OPTIMISER_VERSION } from './onnx/optimise-version.js';

/**
 * Turns a registry record into ONNX bytes on disk: ready ONNX files are used in place; TF.js
 * graph models and face-api nets are compiled once and cached under a key made of the source
 * files' hash and the compiler version, so upgrading either recompiles and nothing stale runs.
 */
export function cacheDir(): string {
  return facekitCacheDir();
}

/** The source files a record's weights come from (the JSON plus every weight shard it lists). */
export function sourceFiles(record: ModelRecord): string[] {
  const main = packageFile(record.source.package, record.source.file);
  if (record.source.kind === 'onnx' || record.source.kind === 'tflite') return [main];
  let json: any;
  try {
    json = JSON.parse(readFileSync(main, 'utf8'));
  } catch (e) {
    throw new FacekitError('MODEL_SOURCE_CORRUPT', `model ${record.id}: ${main} is not valid JSON (${(e as Error).message})`);
  }
  const manifest: { paths: string[] }[] = Array.isArray(json) ? json : json.weightsManifest;
  if (!Array.isArray(manifest)) throw new FacekitError('MODEL_SOURCE_CORRUPT', `model ${record.id}: ${main} has no weights manifest`);
  const files = [main];
  for (const group of manifest) {
    for (const p of group.paths) {
      const f = join(dirname(main), p);
      if (!existsSync(f)) throw new FacekitError('MODEL_SOURCE_MISSING', `model ${record.id}: weight file ${f} is missing`);
      files.push(f);
    }
  }
  return files;
}

export function sourceHash(record: ModelRecord): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(record.source));
  // the compiler bakes the input's name and size into the graph: a changed input is a new build
  h.update(JSON.stringify(record.input));
  for (const f of sourceFiles(record)) h.update(readFileSync(f));
  if (record.optimise) h.update(`optimise ${OPTIMISER_VERSION}`);
  // a compiled graph is optimised after ONNX Runtime's own rewrite (ortFoldedGraph): another ORT, another graph
  if (record.optimise && record.source.kind !== 'onnx') h.update(`ort ${ortVersion()}`);
  return h.digest('hex');
}

/** The installed onnxruntime-node's version, read from its package.json (not by loading ORT). */
function ortVersion(): string {
  return JSON.parse(readFileSync(join(installedPackageDir('onnxruntime-node'), 'package.json'), 'utf8')).version;
}

/**
 * Compile a non-ONNX record to ONNX bytes (no caching). The compiler, the TF.js reader and
 * onnx-proto are imported here, on a cache miss, so running an already-built model never loads them.
 */
export async function compileRecord(record: ModelRecord, size?: { width: number; height: number }): Promise<Uint8Array> {
  const src = record.source;
  const main = packageFile(src.package, src.file);
  if (src.kind === 'onnx') {
    if (!record.optimise) return readFileSync(main);
    const { optimiseOnnx } = await import('./onnx/optimise.js');
    return optimiseOnnx(readFileSync(main));
  }
  const { compileTfGraph } = await import('./onnx/compile.js');
  if (src.kind === 'tflite') {
    const { readTfliteModel } = await import('./tflite/read.js');
    const { tfliteToGraph } = await import('./tflite/to-graph.js');
    const graph = tfliteToGraph(readTfliteModel(main, record.id), { openInputSize: src.openInputSize });
    // a fully convolutional model (openInputSize) is compiled for the size asked, else the record's
    const { width, height } = src.openInputSize && size ? size : record.input;
    return compileTfGraph(graph, { outputs: graph.outputs, inputName: record.input.name, inputShape: [-1, height, width, -1] });
  }
  if (src.kind === 'tfjs-graph') {
    const { readTfjsGraphModel } = await import('./tfjs/read.js');
    const compiled = compileTfGraph(readTfjsGraphModel(main, record.id), {
      outputs: src.outputs,
      inputName: record.input.name,
      // fixes sizes the model leaves open (faceboxes); a record contradicting the model is an error
      inputShape: [-1, record.input.height, record.input.width, -1],
      repairFusedReluPrelu: src.repairs?.includes('fused-relu-prelu'),
      negatePreluSlopes: src.repairs?.includes('negated-prelu-slopes'),
    });
    if (!record.optimise) return compiled;
    // the compiler's PReLUs sit between NHWC transposes: ORT folds those first, then the rewrite applies
    const { optimiseOnnx, ortFoldedGraph } = await import('./onnx/optimise.js');
    return optimiseOnnx(await ortFoldedGraph(compiled));
  }
  const { buildFaceApiGraph } = await import('./faceapi/index.js');
  return compileTfGraph(buildFaceApiGraph(src.arch, main, record.id), { inputName: record.input.name });
}

export interface BuiltModel {
  path: string;
  cached: boolean;
}

/** A ready ONNX file run as shipped, straight from its npm package (not compiled, not optimised). */
function runsAsShipped(record: ModelRecord): boolean {
  return record.source.kind === 'onnx' && !record.optimise;
}

/** Where the record's ONNX file is: in its npm package, or in the cache once compiled or optimised. */
export function onnxPath(record: ModelRecord): string {
  return runsAsShipped(record) ? packageFile(record.source.package, record.source.file) : cachedPath(record);
}

/** Path of the record's ONNX file, compiling and caching it first when needed. */
export async function ensureBuilt(record: ModelRecord): Promise<BuiltModel> {
  const path = onnxPath(record);
  if (runsAsShipped(record) || (existsSync(path) && statSync(path).size > 0)) return { path, cached: true };
  const bytes = await compileRecord(record);
  // a killed compile never leaves a truncated model that looks cached
  writeFileAtomic(path, bytes);
  return { path, cached: false };
}

export function cachedPath(record: ModelRecord): string {
  return join(cacheDir(), 'models', `${record.id}-${sourceHash(record).slice(0, 16)}-c${COMPILER_VERSION}.onnx`);
}

export function isBuilt(record: ModelRecord): boolean {
  return runsAsShipped(record) || existsSync(cachedPath(record));
}
