/**
 * The gallery's data model and the storage contract both stores (SQLite, PostgreSQL) implement.
 * Stores deal in records and transactions only; the in-memory vector index lives in Gallery.
 */
import type { Box } from '../face.js';
import type { Calibration } from '../compare/calibration.js';

export type Metadata = Record<string, unknown>;

export interface Person {
  id: string;
  name: string;
  metadata: Metadata;
  /** ISO-8601 */
  created: string;
}

export interface FaceRecord {
  id: string;
  personId: string;
  /** recognition model id; embeddings of different models never mix */
  model: string;
  embedding: Float32Array;
  dims: number;
  detectorScore: number | null;
  quality: number | null;
  box: Box | null;
  imageSha256: string | null;
  created: string;
}

/** What a caller hands to addFaces / enrollPerson; ids and timestamps are filled by the store unless given. */
export interface NewFace {
  id?: string;
  model: string;
  embedding: Float32Array;
  detectorScore?: number | null;
  quality?: number | null;
  box?: Box | null;
  imageSha256?: string | null;
  created?: string;
  /**
   * The face crop to keep, so the collection can be re-embedded under another model later. Kept
   * only when the collection's settings turn keeping on (encrypted like the embeddings).
   */
  crop?: KeptCrop;
}

/** An encoded image around one face and where the face is in it (box, landmarks: the crop's pixels). */
export interface KeptCrop {
  image: Uint8Array;
  face: { box: Box; landmarks5?: [number, number][] | null; score?: number };
}

/** The collection every gallery had before collections existed; it cannot be deleted. */
export const DEFAULT_COLLECTION = 'default';

/** A collection's calibration fitted on the site's own labelled photos, and what it was fitted on. */
export interface SiteCalibration {
  calibration: Calibration;
  /** the folder (or pairs file) the pairs came from */
  source: string;
  /** ISO date of the fit */
  fittedAt: string;
}

export interface CollectionSettings {
  /** fitted calibrations by `<model>.<metric>`: verify and identify against the collection use them */
  calibrations?: Record<string, SiteCalibration>;
  /** keep enrolled face crops (needed to move the collection to another model) */
  keepCrops?: boolean;
}

export interface Collection {
  name: string;
  /** the recognition model of its embeddings; null: not fixed (faces of any model, as before collections) */
  model: string | null;
  created: string;
  settings: CollectionSettings;
}

export interface NewPerson {
  id?: string;
  name: string;
  metadata?: Metadata;
  created?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

/**
 * A committed change, as other processes learn of it (PostgreSQL LISTEN/NOTIFY; SQLite's change
 * table, polled). `origin` is the id of the store instance that wrote it, so an instance can skip
 * its own changes.
 */
export type GalleryChange =
  | { op: 'person'; origin: string; personId: string }
  | { op: 'person-deleted'; origin: string; personId: string; faceIds: string[] }
  | { op: 'faces-added'; origin: string; faceIds: string[] }
  | { op: 'face-deleted'; origin: string; faceId: string }
  /** the change feed lost events (reconnect): rebuild everything from the store */
  | { op: 'resync'; origin: string };
// every change a collection-aware store writes also names its collection (absent: 'default')

export interface ContentVersion {
  /** random per database, so a new database at the same path is not taken for the old one */
  gallery: string;
  faces: number;
}

export interface GalleryStore {
  readonly kind: 'sqlite' | 'postgres';
  /** the collection this store reads and writes; people, faces and changes of others are invisible */
  readonly collection: string;
  /** unique per open instance; stamped on the changes it publishes */
  readonly instanceId: string;
  readonly encrypted: boolean;

  createPerson(person: NewPerson): Promise<Person>;
  /** a person and their faces in one transaction: all of it is stored or none */
  enrollPerson(person: NewPerson, faces: NewFace[]): Promise<{ person: Person; faces: FaceRecord[] }>;
  getPerson(id: string): Promise<Person>;
  /** null instead of NOT_FOUND */
  findPerson(id: string): Promise<Person | null>;
  listPeople(opts?: { offset?: number; limit?: number }): Promise<Page<Person>>;
  renamePerson(id: string, name: string): Promise<Person>;
  setMetadata(id: string, metadata: Metadata): Promise<Person>;
  /** removes the person and their faces; returns the removed face ids */
  deletePerson(id: string): Promise<{ faceIds: string[] }>;
  addFaces(personId: string, faces: NewFace[]): Promise<FaceRecord[]>;
  listFaces(personId: string): Promise<FaceRecord[]>;
  getFacesByIds(ids: string[]): Promise<FaceRecord[]>;
  deleteFace(id: string): Promise<FaceRecord>;
  /** every face, streamed in batches (index build, export) */
  allFaces(batchSize?: number): AsyncIterable<FaceRecord[]>;
  /** every person, streamed in batches */
  allPeople(batchSize?: number): AsyncIterable<Person[]>;
  countFaces(): Promise<number>;
  /**
   * A folder where the gallery may save its HNSW graphs between runs (SQLite: beside the file);
   * absent or null = graphs are rebuilt at every open.
   */
  readonly graphCacheDir?: string | null;
  /** the faces' content version: `faces` grows with every face row inserted or deleted, by any process */
  contentVersion?(): Promise<ContentVersion>;
  /** changes committed by other instances (PostgreSQL: as they commit; SQLite: polled, within a second) */
  onChange?(listener: (change: GalleryChange) => void): void;
  close(): Promise<void>;

  // ---- collections (of the whole database, whichever collection this store is scoped to) ----
  listCollections(): Promise<Collection[]>;
  /** NOT_FOUND when there is none of that name */
  getCollection(name: string): Promise<Collection>;
  createCollection(c: { name: string; model?: string | null; settings?: CollectionSettings }): Promise<Collection>;
  /** sets the model and/or replaces the settings */
  updateCollection(name: string, patch: { model?: string | null; settings?: CollectionSettings }): Promise<Collection>;
  /** removes the collection with its people, faces and kept crops, in one transaction */
  deleteCollection(name: string): Promise<{ people: number; faces: number }>;
  /** counts of this collection's faces with and without a kept crop, per model */
  cropCounts(): Promise<{ model: string; faces: number; withCrop: number }[]>;
  /** this collection's kept crops, in batches */
  allCrops(batchSize?: number): AsyncIterable<{ faceId: string; personId: string; model: string; crop: KeptCrop }[]>;
  /**
   * Moves the collection to `model` in one transaction: each listed face gets its new embedding
   * and model, every other face of the collection is removed, and the collection records the model.
   */
  replaceEmbeddings(model: string, faces: { faceId: string; embedding: Float32Array }[]): Promise<void>;
}
