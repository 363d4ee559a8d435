import { readFileSync, writeFileSync } from 'node:fs';
import { FacekitError } from '../errors/index.ts';
import { formatHeadSpec, parseHeadSpec, ProjectionHead, type NamedWeight } from './head.ts';

/** What a saved head says about how it was made, so a result can be traced back to its run. */
export interface HeadMetadata {
  baseModel: string;
  loss: string;
  mining?: string;
  margin: number;
  epochs: number;
  seed: number;
  dataset: string;
  identities: (string | number)[];
  date: string;
  finalLoss: number;
  [extra: string]: unknown;
}

export interface HeadFile {
  format: 'facekit-projection-head';
  version: 1;
  head: string;
  inputDim: number;
  weights: { name: string; shape: number[]; dtype: 'float32'; data: string }[];
  metadata: HeadMetadata;
}

export function float32ToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function base64ToFloat32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  // copy: the Buffer may not be 4-byte aligned inside Node's pool
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function serializeHead(head: ProjectionHead, metadata: HeadMetadata): HeadFile {
  return {
    format: 'facekit-projection-head',
    version: 1,
    head: formatHeadSpec(head.spec),
    inputDim: head.inputDim,
    weights: head.getWeights().map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32', data: float32ToBase64(w.data) })),
    metadata,
  };
}

export function deserializeHead(file: unknown, label = 'head'): { head: ProjectionHead; metadata: HeadMetadata } {
  const f = file as Partial<HeadFile> | null;
  if (!f || f.format !== 'facekit-projection-head' || f.version !== 1 || !Array.isArray(f.weights) || typeof f.head !== 'string' || typeof f.inputDim !== 'number') {
    throw new FacekitError('BAD_ARGUMENT', `${label} is not a facekit projection head file (format facekit-projection-head, version 1)`);
  }
  const weights: NamedWeight[] = f.weights.map((w) => ({ name: w.name, shape: w.shape, data: base64ToFloat32(w.data) }));
  return { head: ProjectionHead.fromWeights(parseHeadSpec(f.head), f.inputDim, weights), metadata: f.metadata as HeadMetadata };
}

export function saveHead(path: string, head: ProjectionHead, metadata: HeadMetadata): void {
  writeFileSync(path, JSON.stringify(serializeHead(head, metadata), null, 1));
}

export function loadHead(path: string): { head: ProjectionHead; metadata: HeadMetadata } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new FacekitError('BAD_ARGUMENT', `cannot read head file ${path}: ${(e as Error).message}`);
  }
  return deserializeHead(json, path);
}
