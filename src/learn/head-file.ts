import { readFileSync, writeFileSync } from 'node:fs';
import { FacekitError } from '../errors/index.js';
import type { Calibration, Metric } from '../compare/index.js';
import { formatHeadSpec, parseHeadSpec, ProjectionHead, type NamedWeight } from './head.js';
import { base64ToFloat32, float32ToBase64, type HeadFile, type HeadMetadata } from './head-runtime.js';

export { base64ToFloat32, float32ToBase64, type HeadFile, type HeadMetadata };

export type HeadCalibrations = Partial<Record<Metric, Calibration>>;

export function serializeHead(head: ProjectionHead, metadata: HeadMetadata, calibrations?: HeadCalibrations): HeadFile {
  return {
    format: 'facekit-projection-head',
    version: 1,
    head: formatHeadSpec(head.spec),
    inputDim: head.inputDim,
    weights: head.getWeights().map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32', data: float32ToBase64(w.data) })),
    metadata,
    ...(calibrations ? { calibrations } : {}),
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

export function saveHead(path: string, head: ProjectionHead, metadata: HeadMetadata, calibrations?: HeadCalibrations): void {
  writeHeadFile(path, serializeHead(head, metadata, calibrations));
}

export function writeHeadFile(path: string, file: HeadFile): void {
  writeFileSync(path, JSON.stringify(file, null, 1));
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
