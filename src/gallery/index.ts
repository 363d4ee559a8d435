/** Gallery: people and their face embeddings in SQLite or PostgreSQL, with 1:N search. See README.md here. */
export { openGallery, openStore, type OpenGalleryOptions } from './open.ts';
export { Gallery, type GalleryOptions, type SearchOptions, type SearchResult, type FaceCandidate, type PersonCandidate, type IdentifyOptions, type GraphOrigin } from './gallery.ts';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
export { PostgresStore, type PostgresStoreOptions } from './postgres-store.ts';
export { exportGallery, importGallery, type ImportConflict, type ImportReport } from './portable.ts';
export { ModelIndex, DEFAULT_EXACT_THRESHOLD, DEFAULT_HNSW, addToGraph, distance, type IndexMode, type IndexOptions, type HnswOptions, type Metric } from './vector-index.ts';
export { graphFiles, type GraphLoadOutcome } from './graph-cache.ts';
export { scorePerson, type PersonRule, type PersonScore } from './decision.ts';
export { KEY_ENV } from './codec.ts';
export type { Person, FaceRecord, NewFace, NewPerson, Metadata, Page, GalleryStore, GalleryChange, ContentVersion } from './types.ts';
