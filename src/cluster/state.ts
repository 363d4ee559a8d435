/**
 * The clusters of a folder as they stand between runs: which faces (by their stable face id in
 * the folder's face cache) belong to which cluster id, and the names given. Versioned JSON in the
 * folder's cache, written through a temporary file and a rename.
 */
import { existsSync, readFileSync } from 'node:fs';
import { FacekitError } from '../errors/index.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import type { ClusterMethod } from './methods.js';

export const CLUSTER_STATE_VERSION = 1;

export interface ClusterRecord {
  id: string;
  /** face ids, in the folder's face cache */
  faces: number[];
  name?: string;
  /** gallery person the cluster was enrolled as */
  personId?: string;
  /** face ids already enrolled into the gallery for this cluster */
  enrolled?: number[];
}

export interface ClusterState {
  format: 'facekit-clusters';
  version: number;
  config: string;
  model: string;
  method: ClusterMethod;
  threshold: number;
  minQuality: number;
  /** the number the next new cluster id takes (ids are never reused) */
  nextCluster: number;
  clusters: ClusterRecord[];
  updated: string;
}

export function emptyState(p: Pick<ClusterState, 'config' | 'model' | 'method' | 'threshold' | 'minQuality'>): ClusterState {
  return { format: 'facekit-clusters', version: CLUSTER_STATE_VERSION, ...p, nextCluster: 1, clusters: [], updated: new Date().toISOString() };
}

export function loadState(path: string): ClusterState | null {
  if (!existsSync(path)) return null;
  let s: ClusterState;
  try {
    s = JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
  } catch {
    throw new FacekitError('STORE_ERROR', `${path} is not readable JSON; delete it to cluster afresh`);
  }
  if (s.format !== 'facekit-clusters' || s.version !== CLUSTER_STATE_VERSION || !Array.isArray(s.clusters)) {
    throw new FacekitError('STORE_ERROR', `${path} is not version ${CLUSTER_STATE_VERSION} of the cluster state`);
  }
  return s;
}

export function saveState(path: string, s: ClusterState): void {
  s.updated = new Date().toISOString();
  writeFileAtomic(path, JSON.stringify(s, null, 1) + '\n');
}

export function newClusterId(s: ClusterState): string {
  return `c${s.nextCluster++}`;
}

export function findCluster(s: ClusterState, id: string, where: string): ClusterRecord {
  const c = s.clusters.find((x) => x.id === id);
  if (!c) throw new FacekitError('NOT_FOUND', `cluster ${id} not found in ${where} (have: ${s.clusters.slice(0, 20).map((x) => x.id).join(', ')}${s.clusters.length > 20 ? ', ...' : ''})`, { cluster: id });
  return c;
}
