/**
 * The cluster stage behind the server's /v1/clusters and /v1/find routes (the contract is
 * ClusterRouteService in src/server/routes/clusters.ts). Folders are named relative to one photos
 * root and must resolve (symbolic links followed) inside it.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { loadSharp } from '../image/sharp.js';
import { FacekitError } from '../errors/index.js';
import type { FaceOptions } from '../pipeline/index.js';
import type { ClusterRouteService, ClustersJson } from '../server/routes/clusters.js';
import { clusterFolder, readFolderClusters, type FolderClusters } from './cluster-folder.js';
import { facesToEnroll, mergeClusters, recordNaming, splitCluster } from './edit.js';
import { findInFolder } from './find.js';
import { isClusterMethod } from './methods.js';

export interface ClusterServiceOptions {
  /** photos root: every folder a request names lies under it */
  root: string;
  faceOptions?: FaceOptions;
}

function toJson(dir: string, r: FolderClusters): ClustersJson {
  const face = (f: FolderClusters['unclustered'][number]) => ({ faceId: f.faceId, file: f.file, box: f.box, quality: f.quality });
  return {
    dir, method: r.method, threshold: r.threshold,
    clusters: r.clusters.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}), ...(c.personId ? { personId: c.personId } : {}), faces: c.faces.map(face) })),
    unclustered: r.unclustered.map(face),
    stats: { ...r.stats },
  };
}

async function faceJpeg(path: string, b: { x: number; y: number; w: number; h: number }, margin: number, size: number): Promise<Buffer> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(path).rotate().toBuffer({ resolveWithObject: true });
  const m = margin * Math.max(b.w, b.h);
  const left = Math.max(0, Math.floor(b.x - m));
  const top = Math.max(0, Math.floor(b.y - m));
  const width = Math.max(1, Math.min(info.width - left, Math.ceil(b.w + 2 * m)));
  const height = Math.max(1, Math.min(info.height - top, Math.ceil(b.h + 2 * m)));
  return sharp(data).extract({ left, top, width, height }).resize(size, size, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer();
}

export function createClusterService(opts: ClusterServiceOptions): ClusterRouteService {
  if (!existsSync(opts.root) || !statSync(opts.root).isDirectory()) throw new FacekitError('NOT_FOUND', `photos root not found: ${opts.root}`);
  const root = realpathSync(opts.root);
  const fo = opts.faceOptions ?? {};
  const folder = (dir: string): string => {
    if (isAbsolute(dir)) throw new FacekitError('BAD_ARGUMENT', 'name the folder relative to the photos root');
    const p = resolve(root, dir);
    if (!existsSync(p)) throw new FacekitError('NOT_FOUND', `folder not found: ${dir}`);
    const real = realpathSync(p);
    const rel = relative(root, real);
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) throw new FacekitError('BAD_ARGUMENT', `${dir} is outside the photos root`);
    if (!statSync(real).isDirectory()) throw new FacekitError('BAD_ARGUMENT', `${dir} is not a folder`);
    return real;
  };
  const faceOf = (dir: string, faceId: number) => {
    const { folder: f } = readFolderClusters(dir, fo);
    const face = f.store.faces.find((x) => x.id === faceId);
    if (!face) throw new FacekitError('NOT_FOUND', `face ${faceId} not found`);
    return { root: f.root, face };
  };
  return {
    async list(dir) {
      return toJson(dir, readFolderClusters(folder(dir), fo).result);
    },
    async run(dir, o) {
      if (o.method !== undefined && !isClusterMethod(o.method)) throw new FacekitError('BAD_ARGUMENT', `unknown method ${o.method}`);
      return toJson(dir, await clusterFolder(folder(dir), { ...fo, method: o.method as never, recluster: o.recluster }));
    },
    async bestFaces(dir, clusterId, n) {
      const d = folder(dir);
      const { folder: f, faceIds, personId } = facesToEnroll(d, clusterId, n, fo);
      const byId = new Map(f.store.faces.map((x) => [x.id, x]));
      // a tight crop (10% margin) so a neighbour in a group photo does not make it a two-face image
      const crops = await Promise.all(faceIds.map((id) => faceJpeg(join(f.root, byId.get(id)!.file), byId.get(id)!.box, 0.1, 400)));
      return { faceIds, crops, ...(personId ? { personId } : {}) };
    },
    async named(dir, clusterId, name, personId, faceIds) {
      recordNaming(folder(dir), clusterId, name, personId, faceIds, fo);
    },
    async merge(dir, ids) {
      return toJson(dir, mergeClusters(folder(dir), ids, fo));
    },
    async split(dir, id, faceIds) {
      const r = splitCluster(folder(dir), id, { faceIds }, fo);
      return { newId: r.newId, clusters: toJson(dir, r.clusters) };
    },
    async find(image, dir, o) {
      const r = await findInFolder(image, folder(dir), { ...fo, ...o });
      return { threshold: r.threshold, searched: r.searched, matches: r.matches.map((m) => ({ file: m.file, box: m.box, faceId: m.faceId, distance: m.distance, confidence: m.confidence })) };
    },
    async thumbnail(dir, faceId) {
      const { root: r, face } = faceOf(folder(dir), faceId);
      return faceJpeg(join(r, face.file), face.box, 0.25, 128);
    },
  };
}
