/**
 * The gallery's data model and the storage contract both stores (SQLite, PostgreSQL) implement.
 * Stores deal in records and transactions only; the in-memory vector index lives in Gallery.
 */
import type { Box } from '../face.js';

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

export interface ContentVersion {
  /** random per database, so a new database at the same path is not taken for the old one */
  gallery: string;
  faces: number;
}

export interface GalleryStore {
  readonly kind: 'sqlite' | 'postgres';
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
}
