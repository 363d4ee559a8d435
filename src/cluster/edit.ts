/**
 * Changing clusters by hand: naming one (its best faces are enrolled into the gallery as that
 * person, so `identify` knows them), merging several into one, splitting faces off into a new one.
 * Every change is saved to the folder's cluster state at once.
 */
import { FacekitError } from '../errors/index.js';
import type { Gallery, NewFace, Person } from '../gallery/index.js';
import { personNamed } from '../identify/index.js';
import { readFolderClusters, resultOf, type ClusterFace, type FolderClusters } from './cluster-folder.js';
import { cachePaths, type FolderFaces, type FolderOptions } from './folder.js';
import { findCluster, newClusterId, saveState, type ClusterRecord, type ClusterState } from './state.js';

export const DEFAULT_BEST_FACES = 5;

export interface NameOptions extends FolderOptions {
  /** faces enrolled per naming (default 5) */
  best?: number;
}

export interface NameResult {
  cluster: string;
  person: Person;
  /** true when the gallery person was created by this call */
  created: boolean;
  enrolled: ClusterFace[];
}

/**
 * The cluster's most representative good faces: ranked by quality times closeness to the
 * cluster's mean embedding, so a sharp frontal face that is typical of the person comes first and
 * a stray face that slipped into the cluster comes last.
 */
export function bestFaces(folder: FolderFaces, faceIds: readonly number[], n: number): number[] {
  const { store } = folder;
  const rowOf = new Map(store.faces.map((f, i) => [f.id, i]));
  const rows = faceIds.map((id) => rowOf.get(id)).filter((r): r is number => r !== undefined);
  const mean = new Float32Array(store.dims);
  for (const r of rows) for (let i = 0; i < store.dims; i++) mean[i] += store.vectors[r * store.dims + i];
  const norm = Math.hypot(...mean) || 1;
  const score = (r: number): number => {
    let dot = 0;
    for (let i = 0; i < store.dims; i++) dot += (mean[i] / norm) * store.vectors[r * store.dims + i];
    return store.faces[r].quality * Math.max(0, dot);
  };
  return rows.map((r) => ({ r, s: score(r) })).sort((a, b) => b.s - a.s || a.r - b.r).slice(0, n).map((x) => store.faces[x.r].id);
}

function save(folder: FolderFaces, state: ClusterState, opts: FolderOptions): FolderClusters {
  saveState(cachePaths(folder.root, opts).clusters, state);
  return resultOf(folder, state, { ...folder.stats, newFaces: 0, joined: 0, newClusters: 0 });
}

export async function nameCluster(gallery: Gallery, dir: string, clusterId: string, name: string, opts: NameOptions = {}): Promise<NameResult> {
  if (typeof name !== 'string' || name.trim() === '') throw new FacekitError('BAD_ARGUMENT', 'a cluster needs a non-empty name');
  const { folder, state } = readFolderClusters(dir, opts);
  const c = findCluster(state, clusterId, folder.root);
  const done = new Set(c.enrolled ?? []);
  const picks = bestFaces(folder, c.faces.filter((id) => !done.has(id)), opts.best ?? DEFAULT_BEST_FACES);
  const { store } = folder;
  const rowOf = new Map(store.faces.map((f, i) => [f.id, i]));
  const faces: NewFace[] = picks.map((id) => {
    const r = rowOf.get(id)!;
    const f = store.faces[r];
    return { model: folder.model, embedding: store.vector(r).slice(), detectorScore: f.score, quality: f.quality, box: { ...f.box }, imageSha256: store.files.get(f.file)?.sha256 ?? null };
  });

  let person: Person | null = null;
  if (c.personId) {
    try {
      person = await gallery.getPerson(c.personId);
    } catch (e) {
      if (!(e instanceof FacekitError && e.code === 'NOT_FOUND')) throw e;
      person = null; // deleted from the gallery since: enroll afresh
      c.enrolled = [];
    }
  }
  // the enrollment rule for names: the one person of that name, else a new one
  if (!person) person = await personNamed(gallery, name);
  let created = false;
  if (!person) {
    if (faces.length === 0) throw new FacekitError('BAD_ARGUMENT', `cluster ${clusterId} has no faces to enroll`);
    person = (await gallery.enrollPerson({ name }, faces)).person;
    created = true;
  } else {
    if (person.name !== name) person = await gallery.renamePerson(person.id, name);
    if (faces.length) await gallery.addFaces(person.id, faces);
  }
  const r = recordNaming(dir, clusterId, name, person.id, picks, opts);
  const byId = new Map(r.clusters.flatMap((x) => x.faces).map((f) => [f.faceId, f]));
  return { cluster: c.id, person, created, enrolled: picks.map((id) => byId.get(id)!).filter(Boolean) };
}

/** The first id survives and takes every face of the others (and the first name among them). */
export function mergeClusters(dir: string, ids: string[], opts: FolderOptions = {}): FolderClusters {
  if (ids.length < 2) throw new FacekitError('BAD_ARGUMENT', 'merging needs at least two cluster ids');
  if (new Set(ids).size !== ids.length) throw new FacekitError('BAD_ARGUMENT', `a cluster id is given twice: ${ids.join(' ')}`);
  const { folder, state } = readFolderClusters(dir, opts);
  const parts = ids.map((id) => findCluster(state, id, folder.root));
  const named = parts.filter((p) => p.personId || p.name);
  const keep: ClusterRecord = parts[0];
  if (!keep.name && named.length) {
    keep.name = named[0].name;
    keep.personId = named[0].personId;
  }
  for (const p of parts.slice(1)) {
    keep.faces.push(...p.faces);
    if (p.personId && p.personId === keep.personId) keep.enrolled = [...(keep.enrolled ?? []), ...(p.enrolled ?? [])];
  }
  const gone = new Set(parts.slice(1));
  state.clusters = state.clusters.filter((c) => !gone.has(c));
  return save(folder, state, opts);
}

/**
 * The given faces (face ids, or files: every face of that file in the cluster) leave the cluster
 * and form a new one; its id is returned with the clusters.
 */
export function splitCluster(dir: string, id: string, which: { faceIds?: number[]; files?: string[] }, opts: FolderOptions = {}): { newId: string; clusters: FolderClusters } {
  const { folder, state } = readFolderClusters(dir, opts);
  const c = findCluster(state, id, folder.root);
  const files = new Set(which.files ?? []);
  const fileOf = new Map(folder.store.faces.map((f) => [f.id, f.file]));
  const wanted = new Set(which.faceIds ?? []);
  const moving = c.faces.filter((f) => wanted.has(f) || files.has(fileOf.get(f)!));
  const missing = [...wanted].filter((f) => !c.faces.includes(f));
  if (missing.length) throw new FacekitError('NOT_FOUND', `face${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not in cluster ${id}`);
  const seenFiles = new Set(moving.map((f) => fileOf.get(f)));
  const absent = [...files].filter((f) => !seenFiles.has(f));
  if (absent.length) throw new FacekitError('NOT_FOUND', `no face of ${absent.join(', ')} in cluster ${id}`);
  if (moving.length === 0) throw new FacekitError('BAD_ARGUMENT', 'name the faces (face ids or files) to split off');
  if (moving.length === c.faces.length) throw new FacekitError('BAD_ARGUMENT', `that is every face of cluster ${id}: nothing would be left`);
  const out = new Set(moving);
  c.faces = c.faces.filter((f) => !out.has(f));
  if (c.enrolled) c.enrolled = c.enrolled.filter((f) => !out.has(f));
  const newId = newClusterId(state);
  state.clusters.push({ id: newId, faces: moving });
  return { newId, clusters: save(folder, state, opts) };
}

/** Records that faces of a cluster were enrolled as a gallery person (names the cluster). */
export function recordNaming(dir: string, clusterId: string, name: string, personId: string, faceIds: readonly number[], opts: FolderOptions = {}): FolderClusters {
  const { folder, state } = readFolderClusters(dir, opts);
  const c = findCluster(state, clusterId, folder.root);
  if (c.personId !== personId) c.enrolled = [];
  c.name = name;
  c.personId = personId;
  c.enrolled = [...new Set([...(c.enrolled ?? []), ...faceIds])];
  return save(folder, state, opts);
}

/** The cluster's best faces not yet enrolled for it (see bestFaces), with its gallery person if named. */
export function facesToEnroll(dir: string, clusterId: string, n: number, opts: FolderOptions = {}): { folder: FolderFaces; faceIds: number[]; personId?: string } {
  const { folder, state } = readFolderClusters(dir, opts);
  const c = findCluster(state, clusterId, folder.root);
  const done = new Set(c.enrolled ?? []);
  return { folder, faceIds: bestFaces(folder, c.faces.filter((id) => !done.has(id)), n), personId: c.personId };
}
