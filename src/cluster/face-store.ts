/**
 * The faces of one folder, cached: per image file its hash and the faces found in it (box,
 * detector score, quality), and one embedding per face. One file per embedding configuration
 * (model, detector, alignment ...), so switching `--no-detect` or the model does not throw the
 * other away.
 *
 * On disk: the 8-byte magic `FKFACES1`, a uint32 LE header length, the header as UTF-8 JSON
 * (configuration, and the files as `[path, sha256, size, mtimeMs, error|null]` rows), zero padding
 * to a multiple of 4, then per face, column by column: file index (int32), face id (int32), box
 * x, y, w, h, detector score, quality (float32), and last the embeddings as a float32 matrix (one
 * row per face). Columns rather than JSON objects because `find` must load a 10k-face folder (20 MB
 * of floats, 10k boxes) in milliseconds. Little-endian throughout. Saved whole through a temporary
 * file and a rename.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Box } from '../face.js';
import { FacekitError } from '../errors/index.js';
import { writeFileAtomic } from '../write-file-atomic.js';

export const FACE_STORE_VERSION = 2;
const MAGIC = 'FKFACES1';

export interface StoredFace {
  /** stable id within the folder: never reused, survives re-runs while the file is unchanged */
  id: number;
  /** path relative to the folder, '/'-separated */
  file: string;
  box: Box;
  /** detector score (1 with --no-detect) */
  score: number;
  /** assessQuality score in 0..1 */
  quality: number;
}

export interface StoredFile {
  sha256: string;
  size: number;
  mtimeMs: number;
  /** ids of its faces (empty: no face found, or unreadable) */
  faces: number[];
  /** set when the file could not be read as an image */
  error?: string;
}

interface Header {
  format: 'facekit-folder-faces';
  version: number;
  config: string;
  model: string;
  dims: number;
  nextId: number;
  count: number;
  files: [string, string, number, number, string | null][];
}

/** int32 file index, int32 id, 4 box floats, score, quality */
const FACE_COLUMNS = 8;

export class FaceStore {
  readonly path: string;
  readonly config: string;
  readonly model: string;
  dims: number;
  nextId: number;
  files: Map<string, StoredFile>;
  /** faces in matrix row order */
  faces: StoredFace[];
  /** row-major, dims x faces.length */
  vectors: Float32Array;

  private constructor(path: string, config: string, model: string) {
    this.path = path;
    this.config = config;
    this.model = model;
    this.dims = 0;
    this.nextId = 1;
    this.files = new Map();
    this.faces = [];
    this.vectors = new Float32Array(0);
  }

  /** An empty store for (config, model), not yet on disk. */
  static empty(path: string, config: string, model: string): FaceStore {
    return new FaceStore(path, config, model);
  }

  /**
   * Reads the store at `path`; an absent file gives an empty store. A file of another version or
   * configuration is a STORE_ERROR (the caller decides whether to start afresh).
   */
  static load(path: string, config: string, model: string): FaceStore {
    if (!existsSync(path)) return FaceStore.empty(path, config, model);
    // read straight into the Float32Array's own memory: one copy, aligned, and usearch (which reads
    // a typed array's whole buffer) can scan it as it is
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const head = Buffer.alloc(12);
      if (size < 12 || readSync(fd, head, 0, 12, 0) !== 12 || head.toString('latin1', 0, 8) !== MAGIC) throw new FacekitError('STORE_ERROR', `${path} is not a facekit folder-faces file`);
      const len = head.readUInt32LE(8);
      if (12 + len > size) throw new FacekitError('STORE_ERROR', `${path} is truncated; delete it to rebuild`);
      const json = Buffer.alloc(len);
      readSync(fd, json, 0, len, 12);
      let h: Header;
      try {
        h = JSON.parse(json.toString('utf8')) as Header;
      } catch {
        throw new FacekitError('STORE_ERROR', `${path}: unreadable header (a torn write?); delete it to rebuild`);
      }
      if (h.format !== 'facekit-folder-faces' || h.version !== FACE_STORE_VERSION) {
        throw new FacekitError('STORE_ERROR', `${path} is version ${h.version} of the folder-faces format; this facekit reads version ${FACE_STORE_VERSION}`);
      }
      if (h.config !== config) throw new FacekitError('STORE_ERROR', `${path} holds embeddings of another configuration`);
      if (!Number.isInteger(h.count) || !Number.isInteger(h.dims) || !Array.isArray(h.files)) throw new FacekitError('STORE_ERROR', `${path}: malformed header; delete it to rebuild`);
      const start = align4(12 + len);
      const n = h.count;
      const metaBytes = n * FACE_COLUMNS * 4;
      if (size < start + metaBytes + n * h.dims * 4) throw new FacekitError('STORE_ERROR', `${path} is truncated; delete it to rebuild`);
      const meta = new ArrayBuffer(metaBytes);
      readFully(fd, new Uint8Array(meta), start);
      // the embeddings get their own buffer: usearch reads a typed array's whole buffer from its start
      const vectors = new Float32Array(n * h.dims);
      readFully(fd, new Uint8Array(vectors.buffer), start + metaBytes);
      const fileIx = new Int32Array(meta, 0, n);
      const ids = new Int32Array(meta, 4 * n, n);
      const f32 = new Float32Array(meta, 8 * n, 6 * n);
      const store = new FaceStore(path, config, model);
      store.dims = h.dims;
      store.nextId = h.nextId;
      store.vectors = vectors;
      const files = h.files.map(([name, sha256, fsize, mtimeMs, error]): [string, StoredFile] => [name, { sha256, size: fsize, mtimeMs, faces: [], ...(error ? { error } : {}) }]);
      store.files = new Map(files);
      store.faces = new Array(n);
      for (let i = 0; i < n; i++) {
        const [file, entry] = files[fileIx[i]];
        const o = 6 * i;
        store.faces[i] = { id: ids[i], file, box: { x: f32[o], y: f32[o + 1], w: f32[o + 2], h: f32[o + 3] }, score: f32[o + 4], quality: f32[o + 5] };
        entry.faces.push(ids[i]);
      }
      return store;
    } finally {
      closeSync(fd);
    }
  }

  get size(): number {
    return this.faces.length;
  }

  vector(row: number): Float32Array {
    return this.vectors.subarray(row * this.dims, (row + 1) * this.dims);
  }

  save(): void {
    const n = this.faces.length;
    const names = [...this.files.keys()];
    const fileIndex = new Map(names.map((name, i) => [name, i]));
    const h: Header = {
      format: 'facekit-folder-faces', version: FACE_STORE_VERSION, config: this.config, model: this.model, dims: this.dims, nextId: this.nextId, count: n,
      files: names.map((name) => {
        const e = this.files.get(name)!;
        return [name, e.sha256, e.size, e.mtimeMs, e.error ?? null];
      }),
    };
    const meta = new ArrayBuffer(n * FACE_COLUMNS * 4);
    const fileIx = new Int32Array(meta, 0, n);
    const ids = new Int32Array(meta, 4 * n, n);
    const f32 = new Float32Array(meta, 8 * n, 6 * n);
    this.faces.forEach((f, i) => {
      const ix = fileIndex.get(f.file);
      if (ix === undefined) throw new FacekitError('INTERNAL', `face ${f.id} belongs to ${f.file}, which the store does not list`);
      fileIx[i] = ix;
      ids[i] = f.id;
      f32.set([f.box.x, f.box.y, f.box.w, f.box.h, f.score, f.quality], 6 * i);
    });
    const json = Buffer.from(JSON.stringify(h), 'utf8');
    const start = align4(12 + json.length);
    const vecBytes = n * this.dims * 4;
    const out = Buffer.alloc(start + meta.byteLength + vecBytes);
    out.write(MAGIC, 0, 'latin1');
    out.writeUInt32LE(json.length, 8);
    json.copy(out, 12);
    Buffer.from(meta).copy(out, start);
    Buffer.from(this.vectors.buffer, this.vectors.byteOffset, vecBytes).copy(out, start + meta.byteLength);
    writeFileAtomic(this.path, out);
  }

  /**
   * Replaces the store's content: `files` as given, faces and vectors rebuilt from `rows`
   * (each a face and its embedding). Keeps face ids as given.
   */
  replace(files: Map<string, StoredFile>, rows: { face: StoredFace; vector: Float32Array }[]): void {
    if (rows.length && this.dims === 0) this.dims = rows[0].vector.length;
    const v = new Float32Array(rows.length * this.dims);
    rows.forEach((r, i) => {
      if (r.vector.length !== this.dims) throw new FacekitError('INTERNAL', `embedding of ${r.face.file} has ${r.vector.length} dims, the store ${this.dims}`);
      v.set(r.vector, i * this.dims);
    });
    this.files = files;
    this.faces = rows.map((r) => r.face);
    this.vectors = v;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let off = 0; off < into.length; ) {
    const got = readSync(fd, into, off, into.length - off, position + off);
    if (got === 0) throw new FacekitError('STORE_ERROR', 'face cache file ended early');
    off += got;
  }
}
