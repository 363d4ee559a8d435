/**
 * Every face in every image under a folder, embedded once: a re-run hashes only files whose size
 * or modification time changed and embeds only files whose content (SHA-256) it has not seen, so a
 * grown folder costs only its new photos. The cache lives in `<DIR>/.facekit/` (or `cacheDir`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { assessQuality } from '../analyze/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { FacekitError, isFacekitError } from '../errors/index.js';
import { IMAGE_EXTENSIONS, sha256File } from '../eval/index.js';
import { embeddingConfig } from '../eval/run.js';
import { loadImage } from '../image/index.js';
import { embedFaces, findFaces, type FaceOptions } from '../pipeline/index.js';
import { FaceStore, type StoredFace, type StoredFile } from './face-store.js';

export const CACHE_FOLDER = '.facekit';

export interface FolderOptions extends FaceOptions {
  /** where the folder's cache files go (default `<DIR>/.facekit`) */
  cacheDir?: string;
  /** false: use the cache as it is, without looking for new or changed files */
  refresh?: boolean;
  /** called as new files are embedded */
  onProgress?: (done: number, total: number) => void;
  /** write the cache after this many newly embedded files, so an interrupted run keeps its work (default 50) */
  saveEvery?: number;
}

export interface FolderStats {
  /** image files in the folder */
  files: number;
  /** files embedded in this run */
  embedded: number;
  /** files whose content was already cached under another name */
  reused: number;
  /** files gone since the last run */
  removed: number;
  /** files that could not be read as images */
  unreadable: number;
  faces: number;
}

export interface FolderFaces {
  root: string;
  store: FaceStore;
  model: string;
  config: string;
  stats: FolderStats;
}

/** Cache file names carry a digest of the embedding configuration. */
export function configDigest(config: string): string {
  return createHash('sha256').update(config).digest('hex').slice(0, 12);
}

export function cachePaths(dir: string, opts: FolderOptions = {}): { folder: string; faces: string; clusters: string; config: string; model: string } {
  const config = embeddingConfig(opts);
  const digest = configDigest(config);
  const folder = resolve(opts.cacheDir ?? join(dir, CACHE_FOLDER));
  return { folder, faces: join(folder, `faces-${digest}.bin`), clusters: join(folder, `clusters-${digest}.json`), config, model: opts.model ?? DEFAULT_EMBED_MODEL };
}

/** Image files under `dir`, recursively, relative and '/'-separated, sorted; dot-entries are skipped. */
export function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function checkFolder(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new FacekitError('NOT_FOUND', `folder not found: ${dir}`);
  return resolve(dir);
}

/** Opens the folder's face cache without looking at the folder (NOT_FOUND when there is none yet). */
export function openFolderFaces(dir: string, opts: FolderOptions = {}): FolderFaces {
  const root = checkFolder(dir);
  const p = cachePaths(root, opts);
  if (!existsSync(p.faces)) throw new FacekitError('NOT_FOUND', `${root} has no face cache for this configuration yet: run \`facekit cluster ${dir}\` (with the same options) first`);
  const store = FaceStore.load(p.faces, p.config, p.model);
  return { root, store, model: p.model, config: p.config, stats: { files: store.files.size, embedded: 0, reused: 0, removed: 0, unreadable: 0, faces: store.size } };
}

interface Row { face: StoredFace; vector: Float32Array }

/** Brings the folder's face cache up to date and returns it. */
export async function indexFolder(dir: string, opts: FolderOptions = {}): Promise<FolderFaces> {
  const root = checkFolder(dir);
  const p = cachePaths(root, opts);
  if (opts.refresh === false && existsSync(p.faces)) return openFolderFaces(root, opts);
  let store: FaceStore;
  try {
    store = FaceStore.load(p.faces, p.config, p.model);
  } catch (e) {
    // an unreadable or outdated cache is only a cache: start again rather than fail
    if (!isFacekitError(e) || e.code !== 'STORE_ERROR') throw e;
    store = FaceStore.empty(p.faces, p.config, p.model);
  }
  const rowOf = new Map(store.faces.map((f, i) => [f.id, i]));
  const oldRows = (ids: number[]): Row[] => ids.map((id) => ({ face: store.faces[rowOf.get(id)!], vector: store.vector(rowOf.get(id)!) }));
  const bySha = new Map<string, { entry: StoredFile; rows: Row[] }>();
  for (const [, entry] of store.files) bySha.set(entry.sha256, { entry, rows: oldRows(entry.faces) });

  const images = listImages(root);
  const files = new Map<string, StoredFile>();
  const rows: Row[] = [];
  const pending: { rel: string; sha256: string; size: number; mtimeMs: number }[] = [];
  const stats: FolderStats = { files: images.length, embedded: 0, reused: 0, removed: 0, unreadable: 0, faces: 0 };
  for (const rel of images) {
    const st = statSync(join(root, rel));
    const old = store.files.get(rel);
    if (old && old.size === st.size && old.mtimeMs === st.mtimeMs) {
      files.set(rel, old);
      rows.push(...oldRows(old.faces));
      continue;
    }
    const sha256 = sha256File(join(root, rel));
    if (old && old.sha256 === sha256) {
      files.set(rel, { ...old, size: st.size, mtimeMs: st.mtimeMs });
      rows.push(...oldRows(old.faces));
      continue;
    }
    const seen = bySha.get(sha256);
    if (seen) {
      // same bytes under another name (a copy or a move): the embeddings are reused, the faces are new
      const copied = seen.rows.map((r) => ({ face: { ...r.face, id: store.nextId++, file: rel }, vector: r.vector }));
      files.set(rel, { sha256, size: st.size, mtimeMs: st.mtimeMs, faces: copied.map((r) => r.face.id), ...(seen.entry.error ? { error: seen.entry.error } : {}) });
      rows.push(...copied);
      stats.reused++;
      continue;
    }
    pending.push({ rel, sha256, size: st.size, mtimeMs: st.mtimeMs });
  }
  for (const rel of store.files.keys()) if (!files.has(rel)) stats.removed++;

  const saveEvery = opts.saveEvery ?? 50;
  opts.onProgress?.(0, pending.length);
  for (let i = 0; i < pending.length; i++) {
    const f = pending[i];
    const found = await facesOf(join(root, f.rel), f.rel, opts);
    const ids: number[] = [];
    for (const r of found.rows) {
      r.face.id = store.nextId++;
      ids.push(r.face.id);
      rows.push(r);
    }
    files.set(f.rel, { sha256: f.sha256, size: f.size, mtimeMs: f.mtimeMs, faces: ids, ...(found.error ? { error: found.error } : {}) });
    stats.embedded++;
    opts.onProgress?.(i + 1, pending.length);
    if ((i + 1) % saveEvery === 0 && i + 1 < pending.length) {
      store.replace(new Map(files), rows);
      store.save();
    }
  }
  // keep the order of the listing, so rows (and every result built on them) do not depend on history
  const order = new Map(images.map((rel, i) => [rel, i]));
  rows.sort((a, b) => order.get(a.face.file)! - order.get(b.face.file)! || a.face.id - b.face.id);
  const changed = pending.length > 0 || stats.reused > 0 || stats.removed > 0 || files.size !== store.files.size
    || [...files].some(([rel, e]) => store.files.get(rel)?.mtimeMs !== e.mtimeMs) || !existsSync(p.faces);
  store.replace(files, rows);
  if (changed) store.save();
  stats.unreadable = [...files.values()].filter((e) => e.error).length;
  stats.faces = store.size;
  return { root, store, model: p.model, config: p.config, stats };
}

/** Every face of one image: box, score, quality and embedding. An unreadable image has none. */
async function facesOf(path: string, rel: string, opts: FaceOptions): Promise<{ rows: Row[]; error?: string }> {
  let image;
  try {
    image = await loadImage(path, opts);
  } catch (e) {
    if (isFacekitError(e) && (e.code === 'BAD_IMAGE' || e.code === 'IMAGE_TOO_LARGE')) return { rows: [], error: e.message };
    throw e;
  }
  const faces = await findFaces(image, opts);
  const embedded = await embedFaces(image, faces, opts);
  const rows: Row[] = [];
  for (const f of embedded) {
    const q = await assessQuality(image, f);
    const { x, y, w, h } = f.box;
    rows.push({ face: { id: 0, file: rel, box: { x, y, w, h }, score: f.score, quality: q.score }, vector: f.embedding!.vector });
  }
  return { rows };
}
