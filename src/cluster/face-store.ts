/**
 * The faces of one folder, cached: per image file its hash and the faces found in it (box,
 * detector score, quality), and one embedding per face. One file per embedding configuration
 * (model, detector, alignment ...), so switching `--no-detect` or the model does not throw the
 * other away.
 *
 * On disk: the 8-byte magic `FKFACES1`, a uint32 LE header length, the header as UTF-8 JSON,
 * zero padding to a multiple of 4, then the embeddings as a float32 LE matrix (one row per face,
 * in header order). Binary rather than JSON because a 10k-face folder is 20 MB of floats that must
 * load in milliseconds for `find`. Saved whole through a temporary file and a rename.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Box } from '../face.ts';
import { FacekitError } from '../errors/index.ts';
import { writeFileAtomic } from './atomic.ts';

export const FACE_STORE_VERSION = 1;
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
  files: Record<string, StoredFile>;
  faces: StoredFace[];
}

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

  private constructor(path: string, h: Header, vectors: Float32Array) {
    this.path = path;
    this.config = h.config;
    this.model = h.model;
    this.dims = h.dims;
    this.nextId = h.nextId;
    this.files = new Map(Object.entries(h.files));
    this.faces = h.faces;
    this.vectors = vectors;
  }

  /** An empty store for (config, model), not yet on disk. */
  static empty(path: string, config: string, model: string): FaceStore {
    return new FaceStore(path, { format: 'facekit-folder-faces', version: FACE_STORE_VERSION, config, model, dims: 0, nextId: 1, files: {}, faces: [] }, new Float32Array(0));
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
      const start = align4(12 + len);
      const count = h.faces.length * h.dims;
      if (size < start + count * 4) throw new FacekitError('STORE_ERROR', `${path} is truncated; delete it to rebuild`);
      const vectors = new Float32Array(count);
      const bytes = new Uint8Array(vectors.buffer);
      for (let off = 0; off < bytes.length; ) off += readSync(fd, bytes, off, bytes.length - off, start + off);
      return new FaceStore(path, h, vectors);
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
    const h: Header = {
      format: 'facekit-folder-faces', version: FACE_STORE_VERSION, config: this.config, model: this.model,
      dims: this.dims, nextId: this.nextId, files: Object.fromEntries(this.files), faces: this.faces,
    };
    const json = Buffer.from(JSON.stringify(h), 'utf8');
    const start = align4(12 + json.length);
    const bytes = this.faces.length * this.dims * 4;
    const out = Buffer.alloc(start + bytes);
    out.write(MAGIC, 0, 'latin1');
    out.writeUInt32LE(json.length, 8);
    json.copy(out, 12);
    Buffer.from(this.vectors.buffer, this.vectors.byteOffset, bytes).copy(out, start);
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
