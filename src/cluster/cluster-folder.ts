/**
 * `facekit cluster DIR`: the folder's faces (folder.ts) grouped by person, kept between runs.
 *
 * First run: every face at or above the quality bar is clustered (methods.ts); clusters get ids
 * c1, c2 ... largest first. Faces below the bar are "unclustered".
 * Later runs: the clusters stand. A new face joins the cluster that its nearest clustered faces
 * (k nearest within the threshold, votes weighted by similarity) point to; the new faces that join
 * none are clustered among themselves into new clusters with fresh ids. Faces of removed files
 * leave their clusters. Ids are never reused, so a cluster keeps its id (and name) across runs.
 * `recluster` starts the grouping afresh, then gives each new cluster the old id it shares the
 * most faces with (names follow the ids); manual merges and splits are then redone by the method.
 */
import { QUALITY_BAR } from '../analyze/index.js';
import { FacekitError } from '../errors/index.js';
import type { Box } from '../face.js';
import { roundBox, roundMeasure } from '../rounding.js';
import { calibrationFor } from '../verify/index.js';
import { DEFAULT_HNSW_FROM, DEFAULT_K, indexRows } from './knn.js';
import { clusterRows, DEFAULT_METHOD, type ClusterMethod, type ClusterOptions } from './methods.js';
import { cachePaths, indexFolder, openFolderFaces, type FolderFaces, type FolderOptions, type FolderStats } from './folder.js';
import { emptyState, loadState, newClusterId, saveState, type ClusterRecord, type ClusterState } from './state.js';

export interface ClusterFolderOptions extends FolderOptions, Omit<ClusterOptions, 'threshold' | 'method'> {
  method?: ClusterMethod;
  /** cosine distance; default: the calibrated threshold of the model */
  threshold?: number;
  /** faces with a lower quality score are not clustered (default QUALITY_BAR) */
  minQuality?: number;
  /** group every face afresh (ids kept by overlap) instead of adding new faces to the clusters */
  recluster?: boolean;
}

export interface ClusterFace {
  faceId: number;
  file: string;
  box: Box;
  score: number;
  quality: number;
}

export interface FolderCluster {
  id: string;
  name?: string;
  personId?: string;
  faces: ClusterFace[];
}

export interface ClusterRunStats extends FolderStats {
  /** faces clustered for the first time in this run */
  newFaces: number;
  /** of those, how many joined an existing cluster */
  joined: number;
  newClusters: number;
}

export interface FolderClusters {
  root: string;
  model: string;
  method: ClusterMethod;
  threshold: number;
  minQuality: number;
  /** largest first */
  clusters: FolderCluster[];
  unclustered: ClusterFace[];
  stats: ClusterRunStats;
}

/** The threshold clustering uses: given, or the calibrated one for (model, cosine). */
export function clusterThreshold(model: string, threshold?: number): number {
  return threshold ?? calibrationFor(model, 'cosine').threshold;
}

export async function clusterFolder(dir: string, opts: ClusterFolderOptions = {}): Promise<FolderClusters> {
  const folder = await indexFolder(dir, opts);
  const paths = cachePaths(folder.root, opts);
  const method = opts.method ?? DEFAULT_METHOD;
  const threshold = clusterThreshold(folder.model, opts.threshold);
  const minQuality = opts.minQuality ?? QUALITY_BAR;
  const { store } = folder;
  const rowOf = new Map(store.faces.map((f, i) => [f.id, i]));
  const eligible = new Set(store.faces.filter((f) => f.quality >= minQuality).map((f) => f.id));

  const previous = loadState(paths.clusters);
  const state = previous ?? emptyState({ config: folder.config, model: folder.model, method, threshold, minQuality });
  // faces that are gone (file removed or changed) or no longer clear the bar leave their clusters
  for (const c of state.clusters) c.faces = c.faces.filter((id) => eligible.has(id));
  state.clusters = state.clusters.filter((c) => c.faces.length > 0);
  const clustered = new Set(state.clusters.flatMap((c) => c.faces));
  const fresh = [...eligible].filter((id) => !clustered.has(id));
  const copts: ClusterOptions = { ...opts, method, threshold };
  // two faces of one photo are two people (cannot-link)
  const fileNo = new Map<string, number>();
  const photoOf = (id: number) => {
    const file = store.faces[rowOf.get(id)!].file;
    if (!fileNo.has(file)) fileNo.set(file, fileNo.size);
    return fileNo.get(file)!;
  };
  const cannotLink = (ids: number[]) => ids.map(photoOf);
  let joined = 0;
  let newClusters = 0;

  if (opts.recluster || state.clusters.length === 0) {
    const ids = [...eligible];
    const groups = groupsOf(ids, clusterRows(store.vectors, store.dims, ids.map((id) => rowOf.get(id)!), { ...copts, cannotLink: cannotLink(ids) }));
    newClusters = assignIds(state, groups);
  } else if (fresh.length) {
    // new faces vote among their nearest clustered faces
    const clusterOf = new Map<number, ClusterRecord>();
    for (const c of state.clusters) for (const id of c.faces) clusterOf.set(id, c);
    const known = [...clusterOf.keys()];
    const index = indexRows(store.vectors, store.dims, known.map((id) => rowOf.get(id)!), { hnsw: known.length >= (opts.hnswFrom ?? DEFAULT_HNSW_FROM), hnswOptions: opts.hnsw });
    const idOfRow = new Map(known.map((id) => [rowOf.get(id)!, id]));
    const loners: number[] = [];
    const additions: [ClusterRecord, number][] = [];
    for (const id of fresh) {
      const hits = index.search(store.vector(rowOf.get(id)!), opts.k ?? DEFAULT_K);
      const votes = new Map<ClusterRecord, number>();
      for (const h of hits) {
        if (h.distance > threshold) continue;
        const c = clusterOf.get(idOfRow.get(Number(h.faceId))!)!;
        if (c.faces.some((f) => photoOf(f) === photoOf(id))) continue;
        votes.set(c, (votes.get(c) ?? 0) + (1 - h.distance));
      }
      let best: ClusterRecord | null = null;
      let bestW = 0;
      for (const [c, w] of votes) if (w > bestW) [best, bestW] = [c, w];
      if (best) additions.push([best, id]);
      else loners.push(id);
    }
    // added after all votes, so the result does not depend on the order of the new faces
    for (const [c, id] of additions) c.faces.push(id);
    joined = additions.length;
    if (loners.length) {
      const groups = groupsOf(loners, clusterRows(store.vectors, store.dims, loners.map((id) => rowOf.get(id)!), { ...copts, cannotLink: cannotLink(loners) }));
      for (const g of groups) state.clusters.push({ id: newClusterId(state), faces: g });
      newClusters = groups.length;
    }
  }
  Object.assign(state, { method, threshold, minQuality });
  saveState(paths.clusters, state);
  return resultOf(folder, state, {
    ...folder.stats,
    newFaces: opts.recluster || !previous ? eligible.size : fresh.length,
    joined,
    newClusters,
  });
}

/** The clusters as they were left, without looking at the folder or changing anything. */
export function readFolderClusters(dir: string, opts: FolderOptions = {}): { folder: FolderFaces; state: ClusterState; result: FolderClusters } {
  const folder = openFolderFaces(dir, opts);
  const paths = cachePaths(folder.root, opts);
  const state = loadState(paths.clusters);
  if (!state) throw new FacekitError('NOT_FOUND', `${folder.root} has not been clustered yet: run \`facekit cluster ${dir}\` first`);
  return { folder, state, result: resultOf(folder, state, { ...folder.stats, newFaces: 0, joined: 0, newClusters: 0 }) };
}

function groupsOf(ids: readonly number[], labels: Int32Array): number[][] {
  const groups: number[][] = [];
  labels.forEach((l, i) => (groups[l] ??= []).push(ids[i]));
  // largest first; ties keep the order of first appearance
  return groups.map((g, i) => ({ g, i })).sort((a, b) => b.g.length - a.g.length || a.i - b.i).map((x) => x.g);
}

/**
 * New groups replace the state's clusters. Each old cluster hands its id (and name) to the new
 * group it shares the most faces with, biggest overlaps first; other groups get fresh ids.
 */
function assignIds(state: ClusterState, groups: number[][]): number {
  const old = state.clusters;
  const owner = new Map<number, ClusterRecord>();
  for (const c of old) for (const id of c.faces) owner.set(id, c);
  const overlaps: { g: number; c: ClusterRecord; n: number }[] = [];
  groups.forEach((faces, g) => {
    const count = new Map<ClusterRecord, number>();
    for (const id of faces) {
      const c = owner.get(id);
      if (c) count.set(c, (count.get(c) ?? 0) + 1);
    }
    for (const [c, n] of count) overlaps.push({ g, c, n });
  });
  overlaps.sort((a, b) => b.n - a.n || a.g - b.g);
  const taken = new Set<ClusterRecord>();
  const heir = new Map<number, ClusterRecord>();
  for (const o of overlaps) {
    if (taken.has(o.c) || heir.has(o.g)) continue;
    taken.add(o.c);
    heir.set(o.g, o.c);
  }
  let fresh = 0;
  state.clusters = groups.map((faces, g) => {
    const prev = heir.get(g);
    if (prev) return { ...prev, faces };
    fresh++;
    return { id: newClusterId(state), faces };
  });
  return fresh;
}

export function resultOf(folder: FolderFaces, state: ClusterState, stats: ClusterRunStats): FolderClusters {
  const { store } = folder;
  const byId = new Map(store.faces.map((f) => [f.id, f]));
  const face = (id: number): ClusterFace => {
    const f = byId.get(id)!;
    // boxes are stored as float32 (416.29998779296875): reported to 0.1 px like every face
    return { faceId: f.id, file: f.file, box: roundBox(f.box), score: roundMeasure(f.score), quality: f.quality };
  };
  const inCluster = new Set(state.clusters.flatMap((c) => c.faces));
  const clusters = state.clusters
    .map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}), ...(c.personId ? { personId: c.personId } : {}), faces: c.faces.filter((id) => byId.has(id)).map(face) }))
    .filter((c) => c.faces.length > 0)
    .sort((a, b) => b.faces.length - a.faces.length || idNumber(a.id) - idNumber(b.id));
  const unclustered = store.faces.filter((f) => !inCluster.has(f.id)).map((f) => face(f.id));
  return { root: folder.root, model: folder.model, method: state.method, threshold: state.threshold, minQuality: state.minQuality, clusters, unclustered, stats };
}

function idNumber(id: string): number {
  return Number(id.replace(/^\D+/, '')) || 0;
}

/** The `--out` file: paths relative to the folder. */
export function clustersJson(r: FolderClusters): { clusters: { id: string; name?: string; faces: { file: string; box: Box }[] }[]; unclustered: { file: string; box: Box }[] } {
  const fb = (f: ClusterFace) => ({ file: f.file, box: f.box });
  return {
    clusters: r.clusters.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}), faces: c.faces.map(fb) })),
    unclustered: r.unclustered.map(fb),
  };
}
