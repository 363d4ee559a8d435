/**
 * `facekit find IMG --in DIR`: every image in the folder showing the face in IMG, nearest first.
 * The folder's faces come from its cache (folder.ts), so only files new since the last look are
 * embedded; the search itself is one linear scan of the cached embeddings (the answer ranks every
 * image, so an exact scan is what is needed anyway).
 */
import { usearchLib } from '../gallery/usearch-native.js';
import { confidence, getCalibrationOr, type Calibration } from '../compare/index.js';
import { FacekitError } from '../errors/index.js';
import type { Box, Face } from '../face.js';
import type { ImageInput } from '../image/index.js';
import { embedFaces, loadAndFindFaces } from '../pipeline/index.js';
import { roundBox, roundMeasure } from '../rounding.js';
import { calibrationFor } from '../verify/index.js';
import { indexFolder, type FolderFaces, type FolderOptions } from './folder.js';

export interface FindOptions extends FolderOptions {
  /** cosine distance; default: the calibrated threshold of the model */
  threshold?: number;
  /** also list images beyond the threshold */
  all?: boolean;
  /** at most this many images (default: all that match) */
  topK?: number;
}

export interface FoundImage {
  file: string;
  box: Box;
  faceId: number;
  distance: number;
  /** calibrated P(same person) at this distance */
  confidence: number;
  quality: number;
}

export interface FindResult {
  query: { box: Box; score: number };
  model: string;
  threshold: number;
  /** faces searched (all faces of the folder, whatever their quality) */
  searched: number;
  matches: FoundImage[];
  folder: FolderFaces['stats'];
  ms: { query: number; folder: number; search: number };
}

function largest(faces: Face[]): Face {
  return faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
}

/** Nearest face per image to `query` (an L2-normalised embedding), nearest image first. */
export function searchFolder(folder: FolderFaces, query: Float32Array, opts: { threshold: number; all?: boolean; topK?: number; calibration?: Calibration }): FoundImage[] {
  const { store } = folder;
  if (store.size > 0 && query.length !== store.dims) {
    throw new FacekitError('BAD_ARGUMENT', `the query embedding has ${query.length} dimensions, the folder's ${store.dims}`);
  }
  const best = new Map<string, { row: number; d: number }>();
  if (store.size > 0) {
    // usearch's SIMD scan ranks every face ('ip' = 1 - dot = cosine distance for unit vectors)
    const m = usearchLib().exactSearch(store.vectors, query.slice(), store.dims, store.size, 'ip' as never, 0) as { keys: BigUint64Array; distances: Float32Array };
    for (let i = 0; i < m.keys.length; i++) {
      const d = m.distances[i];
      const row = Number(m.keys[i]);
      if (row >= store.size || (!opts.all && d > opts.threshold)) continue;
      const file = store.faces[row].file;
      const b = best.get(file);
      if (!b || d < b.d) best.set(file, { row, d });
    }
  }
  const out = [...best.values()].sort((a, b) => a.d - b.d || a.row - b.row).slice(0, opts.topK ?? Infinity);
  return out.map(({ row, d }) => {
    const f = store.faces[row];
    return { file: f.file, box: roundBox(f.box), faceId: f.id, distance: roundMeasure(d), confidence: opts.calibration ? roundMeasure(confidence(d, opts.calibration)) : NaN, quality: f.quality };
  });
}

export async function findInFolder(image: ImageInput, dir: string, opts: FindOptions = {}): Promise<FindResult> {
  const t0 = performance.now();
  const { image: img, faces } = await loadAndFindFaces(image, opts);
  if (faces.length === 0) throw new FacekitError('NO_FACE', `no face found in ${typeof image === 'string' ? image : 'the query image'}`);
  const face = largest(faces);
  const [q] = await embedFaces(img, [face], opts);
  const t1 = performance.now();
  const folder = await indexFolder(dir, opts);
  const t2 = performance.now();
  const cal = opts.threshold === undefined ? calibrationFor(folder.model, 'cosine') : getCalibrationOr(folder.model, 'cosine', opts.threshold);
  const threshold = opts.threshold ?? cal.threshold;
  const matches = searchFolder(folder, q.embedding!.vector, { threshold, all: opts.all, topK: opts.topK, calibration: cal });
  const t3 = performance.now();
  return {
    query: { box: roundBox(face.box), score: roundMeasure(face.score) },
    model: folder.model,
    threshold,
    searched: folder.store.size,
    matches,
    folder: folder.stats,
    ms: { query: t1 - t0, folder: t2 - t1, search: t3 - t2 },
  };
}
