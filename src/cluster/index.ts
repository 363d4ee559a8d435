/**
 * Photo collections: every face in a folder embedded once (cached by file hash), grouped by
 * person, kept between runs with stable ids, named into the gallery; and finding one face across
 * a folder. See README.md here.
 */
export {
  indexFolder, openFolderFaces, listImages, cachePaths, CACHE_FOLDER,
  type FolderOptions, type FolderFaces, type FolderStats,
} from './folder.js';
export { FaceStore, FACE_STORE_VERSION, type StoredFace, type StoredFile } from './face-store.js';
export {
  clusterFolder, readFolderClusters, clustersJson, clusterThreshold,
  type ClusterFolderOptions, type FolderClusters, type FolderCluster, type ClusterFace, type ClusterRunStats,
} from './cluster-folder.js';
export { clusterRows, METHODS, DEFAULT_METHOD, DEFAULT_MIN_POINTS, DBSCAN_MAX_FACES, isClusterMethod, type ClusterMethod, type ClusterOptions } from './methods.js';
export { knnGraph, DEFAULT_K, DEFAULT_HNSW_FROM, type Graph, type KnnOptions } from './knn.js';
export { chineseWhispers, connectedComponents } from './graph.js';
export { scoreClustering, type ClusteringScores, type PrecisionRecall } from './scores.js';
export { findInFolder, searchFolder, type FindOptions, type FindResult, type FoundImage } from './find.js';
export { createClusterService, type ClusterServiceOptions } from './service.js';
export { nameCluster, mergeClusters, splitCluster, recordNaming, facesToEnroll, bestFaces, DEFAULT_BEST_FACES, type NameOptions, type NameResult } from './edit.js';
export { registerFolder, registeredFolders, registryPath, type RegisteredFolder } from './registry.js';
export { writeContactSheet, type ContactSheetOptions } from './report.js';
