/** Gallery: people and their face embeddings in SQLite or PostgreSQL, with 1:N search. See README.md here. */
export { openGallery, openStore, type OpenGalleryOptions } from './open.js';
export { Gallery, type GalleryOptions, type SearchOptions, type SearchResult, type FaceCandidate, type PersonCandidate, type IdentifyOptions, type GraphOrigin } from './gallery.js';
// the stores are reached through openStore, which loads a store's driver only when it is used
export type { SqliteStoreOptions } from './sqlite-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export { exportGallery, importGallery, type ImportConflict, type ImportReport } from './portable.js';
export { ModelIndex, DEFAULT_EXACT_THRESHOLD, DEFAULT_HNSW, addToGraph, distance, type IndexMode, type IndexOptions, type HnswOptions, type Metric } from './vector-index.js';
export { graphFiles, type GraphLoadOutcome } from './graph-cache.js';
export { scorePerson, rankPeople, checkPersonRule, PERSON_RULES, DEFAULT_PERSON_RULE, type PersonRule, type PersonScore, type RankContext } from './decision.js';
export { PersonTemplates, buildTemplate, templateWeight } from './templates.js';
export { KEY_ENV } from './codec.js';
export type { Person, FaceRecord, NewFace, NewPerson, Metadata, Page, GalleryStore, GalleryChange, ContentVersion } from './types.js';
export { DEFAULT_COLLECTION, type Collection, type CollectionSettings, type SiteCalibration, type KeptCrop } from './types.js';
export { collectionCalibration, dropSiteCalibration, moveCollectionModel, siteCalibration, storeSiteCalibration, type MoveModelReport } from './collection-ops.js';
