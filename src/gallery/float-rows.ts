/**
 * Where a ModelIndex keeps its float32 vectors, the source of truth for every distance it reports.
 *
 * 'memory': one flat Float32Array. It grows by doubling while small and by a quarter once large,
 * so a 10M x 512 matrix (20 GB) is not rounded up to 16M rows (32 GB).
 *
 * 'file': rows in a scratch file read back with pread, for galleries whose float32 matrix does not
 * fit in RAM (10M x 512 = 20 GB on a 23 GB machine). The file is unlinked as soon as it is opened,
 * so it lives exactly as long as the index's descriptor and nothing is left behind by a crash. A
 * search reads only the few rows it re-ranks (the page cache keeps the hot ones); a full scan
 * streams the file in blocks.
 */
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { facekitCacheDir } from '../data-dir.js';

export interface FloatRows {
  readonly dims: number;
  /** makes room for `rows` rows (keeping the first `used`) */
  reserve(rows: number, used: number): void;
  /** writes consecutive rows starting at `row` */
  write(row: number, vectors: Float32Array): void;
  /** rows [from, to) as a Float32Array (a view for 'memory', a fresh copy or `into` for 'file') */
  read(from: number, to: number, into?: Float32Array): Float32Array;
  /** copies row `from` over row `to` */
  move(from: number, to: number): void;
  /** forgets rows from `rows` on (after removals), where that frees anything */
  truncate(rows: number): void;
  /** bytes this store holds in RAM */
  readonly residentBytes: number;
  close(): void;
}

/** a matrix at least this large (in elements) grows by a quarter instead of doubling */
const GROW_SLOWLY_FROM = 32 * 2 ** 20;

/** The row capacity a matrix of `cap` rows of `dims` grows to for `rows` rows (float rows and int8 codes alike). */
export function grownCapacity(cap: number, rows: number, dims: number): number {
  while (cap < rows) cap = cap * dims < GROW_SLOWLY_FROM ? cap * 2 : Math.ceil(cap * 1.25);
  return cap;
}

export class MemoryRows implements FloatRows {
  readonly dims: number;
  private data: Float32Array;

  constructor(dims: number, initialRows = 1024) {
    this.dims = dims;
    this.data = new Float32Array(dims * initialRows);
  }

  get residentBytes(): number {
    return this.data.byteLength;
  }

  reserve(rows: number, used: number): void {
    if (rows * this.dims <= this.data.length) return;
    const cap = grownCapacity(this.data.length / this.dims, rows, this.dims);
    const next = new Float32Array(cap * this.dims);
    next.set(this.data.subarray(0, used * this.dims));
    this.data = next;
  }

  write(row: number, vectors: Float32Array): void {
    this.data.set(vectors, row * this.dims);
  }

  read(from: number, to: number): Float32Array {
    return this.data.subarray(from * this.dims, to * this.dims);
  }

  move(from: number, to: number): void {
    this.data.copyWithin(to * this.dims, from * this.dims, (from + 1) * this.dims);
  }

  truncate(): void {
    // the matrix keeps its capacity for the next adds
  }

  close(): void {
    this.data = new Float32Array(0);
  }
}

export class FileRows implements FloatRows {
  readonly dims: number;
  readonly residentBytes = 0;
  private fd: number;

  /** `dir`: where the scratch file goes (default: facekit's cache directory, on disk: a tmpfs /tmp would hold the rows in RAM again) */
  constructor(dims: number, dir = join(facekitCacheDir(), 'scratch')) {
    this.dims = dims;
    mkdirSync(dir, { recursive: true });
    const own = mkdtempSync(join(dir, 'facekit-vectors-'));
    const path = join(own, 'vectors.f32');
    this.fd = openSync(path, 'w+', 0o600);
    // unlinked at once: the rows live as long as the descriptor (until close() or the process ends)
    rmSync(own, { recursive: true, force: true });
  }

  reserve(): void {
    // a file grows as it is written
  }

  write(row: number, vectors: Float32Array): void {
    const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, row * this.dims * 4 + done);
  }

  read(from: number, to: number, into?: Float32Array): Float32Array {
    const n = (to - from) * this.dims;
    const out = into && into.length >= n ? into.subarray(0, n) : new Float32Array(n);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(this.fd, bytes, done, bytes.length - done, from * this.dims * 4 + done);
      if (got === 0) throw new Error(`vector file ends before row ${to}`);
      done += got;
    }
    return out;
  }

  move(from: number, to: number): void {
    this.write(to, this.read(from, from + 1));
  }

  /** the file does not keep removed rows */
  truncate(rows: number): void {
    ftruncateSync(this.fd, rows * this.dims * 4);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
