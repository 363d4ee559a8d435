/** Input checks shared by both stores, so bad input is a BAD_ARGUMENT before any SQL runs. */
import { FacekitError } from '../errors/index.js';
import type { CollectionSettings, Metadata, NewFace, NewPerson } from './types.js';

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new FacekitError('BAD_ARGUMENT', 'a person needs a non-empty name');
  return name;
}

/**
 * Largest person metadata, in bytes of its JSON: it is returned with every person in every
 * listing, so one oversized record would slow every page that shows it.
 */
export const MAX_METADATA_BYTES = 64 * 1024;

export function checkMetadata(metadata: unknown): Metadata {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new FacekitError('BAD_ARGUMENT', 'person metadata must be a JSON object');
  }
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch {
    throw new FacekitError('BAD_ARGUMENT', 'person metadata must be serialisable as JSON');
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_METADATA_BYTES) {
    throw new FacekitError('BAD_ARGUMENT', `person metadata is ${bytes} bytes as JSON; the limit is ${MAX_METADATA_BYTES}`, { bytes, limit: MAX_METADATA_BYTES });
  }
  return metadata as Metadata;
}

export function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id === '') throw new FacekitError('BAD_ARGUMENT', `${what} id must be a non-empty string`);
  return id;
}

export function checkNewPerson(p: NewPerson): void {
  if (!p || typeof p !== 'object') throw new FacekitError('BAD_ARGUMENT', 'person must be an object with a name');
  checkName(p.name);
  checkMetadata(p.metadata);
  if (p.id !== undefined) checkId(p.id, 'person');
}

export function checkNewFaces(faces: NewFace[]): void {
  if (!Array.isArray(faces) || faces.length === 0) throw new FacekitError('BAD_ARGUMENT', 'addFaces needs at least one face');
  faces.forEach((f, i) => {
    if (typeof f?.model !== 'string' || f.model === '') throw new FacekitError('BAD_ARGUMENT', `face ${i}: model id missing`);
    checkEmbedding(f.embedding, `face ${i}`);
    if (f.id !== undefined) checkId(f.id, 'face');
  });
}

export function checkEmbedding(v: unknown, what: string): Float32Array {
  if (!(v instanceof Float32Array) || v.length === 0) throw new FacekitError('BAD_ARGUMENT', `${what}: embedding must be a non-empty Float32Array`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new FacekitError('BAD_ARGUMENT', `${what}: embedding has a non-finite value at ${i}`);
  }
  return v;
}

export function notFound(what: 'person' | 'face', id: string): FacekitError {
  return new FacekitError('NOT_FOUND', `${what} ${id} not found`, { [`${what}Id`]: id });
}

/** Collection names go into URLs, CLI options and graph file names: letters, digits, . _ - */
export function checkCollectionName(name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new FacekitError('BAD_ARGUMENT', `collection name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(name)}`);
  }
  return name;
}

export function collectionNotFound(name: string): FacekitError {
  return new FacekitError('NOT_FOUND', `collection ${name} not found (create it: facekit collections create ${name})`, { collection: name });
}

/** Settings are a JSON object kept with the collection (no size cap: a fitted calibration's table is a few KB). */
export function checkCollectionSettings(settings: unknown): CollectionSettings {
  if (settings === undefined || settings === null) return {};
  if (typeof settings !== 'object' || Array.isArray(settings)) throw new FacekitError('BAD_ARGUMENT', 'collection settings must be a JSON object');
  if (settings && 'keepCrops' in settings && typeof (settings as CollectionSettings).keepCrops !== 'boolean') throw new FacekitError('BAD_ARGUMENT', 'keepCrops must be true or false');
  return settings as CollectionSettings;
}
