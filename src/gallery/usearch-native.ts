/**
 * usearch's compiled HNSW index, reached without its JavaScript wrapper. The wrapper's add/search
 * convert every typed array to Float32Array before calling the native code, and the native
 * float->i8 cast then scales each vector by its L2 norm and truncates: a 512-d unit vector keeps
 * only about ±18 levels per component. Called directly, the native index takes Int8Array codes
 * as they are (see quantizeI8), so the graph sees all ±127 levels.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export interface NativeIndex {
  add(keys: BigUint64Array, vectors: Float32Array | Int8Array, threads: number): void;
  /** [keys, distances, counts] for the queries (one row of `k` per query) */
  search(vectors: Float32Array | Int8Array, k: number, threads: number): [BigUint64Array, Float32Array, BigUint64Array];
  remove(keys: BigUint64Array): number[];
  size(): number;
  save(path: string): void;
  load(path: string): void;
}

interface Compiled {
  CompiledIndex: new (dims: number, metric: string, quantization: string, connectivity: number, expansionAdd: number, expansionSearch: number, multi: boolean) => NativeIndex;
}

let compiled: Compiled | null = null;
let wrapper: typeof import('usearch') | null = null;

/**
 * usearch's JavaScript wrapper (exactSearch, Index), required on first use: its native binding
 * costs start-up that the library's import and the commands without a gallery should not pay.
 */
export function usearchLib(): typeof import('usearch') {
  return (wrapper ??= require('usearch') as typeof import('usearch'));
}

function binding(): Compiled {
  if (!compiled) {
    // the package root (its entry point is javascript/dist/cjs/usearch.js), and node-gyp-build
    // resolved from usearch itself, whose dependency it is, as usearch loads its binary
    const entry = require.resolve('usearch');
    const root = join(entry, '..', '..', '..', '..');
    compiled = (createRequire(entry)('node-gyp-build') as (dir: string) => Compiled)(root);
  }
  return compiled;
}

export function newNativeIndex(o: { dims: number; metric: string; quantization: string; connectivity: number; expansionAdd: number; expansionSearch: number }): NativeIndex {
  return new (binding().CompiledIndex)(o.dims, o.metric, o.quantization, o.connectivity, o.expansionAdd, o.expansionSearch, false);
}
