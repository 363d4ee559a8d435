/**
 * Photo collections: every face in a folder embedded once (cached by file hash), grouped by
 * person, kept between runs with stable ids, named into the gallery; and finding one face across
 * a folder. See README.md here.
 */
export {
  indexFolder, openFolderFaces, listImages, cachePaths, CACHE_FOLDER,
  type FolderOptions, type FolderFaces, type FolderStats,
} from './folder.ts';
export { FaceStore, FACE_STORE_VERSION, type StoredFace, type StoredFile } from './face-store.ts';
export {
  clusterFolder, readFolderClusters, clustersJson, clusterThreshold,
  type ClusterFolderOptions, type FolderClusters, type FolderCluster, type ClusterFace, type ClusterRunStats,
} from './cluster-folder.ts';
export { clusterRows, METHODS, DEFAULT_METHOD, DEFAULT_MIN_POINTS, DBSCAN_MAX_FACES, isClusterMethod, type ClusterMethod, type ClusterOptions } from './methods.ts';
export { knnGraph, DEFAULT_K, DEFAULT_HNSW_FROM, type Graph, type KnnOptions } from './knn.ts';
export { chineseWhispers, connectedComponents } from './graph.ts';
export { scoreClustering, type ClusteringScores, type PrecisionRecall } from './scores.ts';
export { findInFolder, searchFolder, type FindOptions, type FindResult, type FoundImage } from './find.ts';
export { createClusterService, type ClusterServiceOptions } from './service.ts';
export { nameCluster, mergeClusters, splitCluster, recordNaming, facesToEnroll, bestFaces, DEFAULT_BEST_FACES, type NameOptions, type NameResult } from './edit.ts';
export { registerFolder, registeredFolders, registryPath, type RegisteredFolder } from './registry.ts';
export { writeContactSheet, type ContactSheetOptions } from './report.ts';
