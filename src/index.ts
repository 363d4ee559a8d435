/**
 * facekit's public API. The flow is image -> detect -> align -> embed -> compare -> gallery;
 * each stage is a folder with its own small surface, re-exported here. The CLI and the server
 * call only what is exported from this file's modules.
 */
export { FacekitError, isFacekitError, type ErrorCode } from './errors/index.js';
export { packageVersion } from './version.js';
export { summarizeFace, type Face, type FaceSummary, type Box, type Point, type Landmarks5, type FaceEmbedding } from './face.js';

// image -> detect -> align -> embed
export { loadImage, drawFaces, type ImageInput, type LoadImageOptions, type RgbImage } from './image/index.js';
export { detectFaces, listDetectors, DEFAULT_DETECTOR, iou, nms, type DetectOptions } from './detect/index.js';
export { alignToTemplate, alignFace, similarityTransform, warpAffine, arcfaceTemplate, dlibTemplate, ARCFACE_112 } from './align/index.js';
export { embedCrops, DEFAULT_EMBED_MODEL, type EmbedOptions } from './embed/index.js';

// the calls most users start with
export { findFaces, extractFaces, represent, embedFaces, type FaceOptions, type RepresentResult } from './pipeline/index.js';
export { verify, DEFAULT_METRIC, type VerifyOptions, type VerifyResult, type VerifiedFace } from './verify/index.js';

// compare: distances, thresholds, calibration, fusion
export {
  cosineDistance, euclideanDistance, euclideanL2Distance, l2Normalize, distance, METRICS,
  fitCalibration, confidence, getCalibration, saveCalibration, removeCalibration, userCalibrationDir, type Metric, type Calibration,
} from './compare/index.js';

// gallery: 1:N storage and search
export { openGallery, Gallery, exportGallery, importGallery, type Person, type FaceRecord } from './gallery/index.js';

// evaluation
export { runVerificationEval, type EvalVerifyOptions, type EvalVerifySummary } from './eval/run.js';
export { evaluateVerification, rocCurve, auc, eer, tarAtFar, samplePairs, listDataset, writeVerificationReport } from './eval/index.js';

// models and runtime
export { listModels, getModelRecord, loadModel, ensureBuilt, type ModelRecord } from './models/index.js';

// video: sources through ffmpeg, tracking, per-track decisions, events and attendance
export {
  watchVideo, openVideoSource, FaceTracker, StreamManager, withStreams, attendanceCsv,
  type WatchOptions, type WatchResult, type WatchEvent, type Track, type TrackerOptions, type SourceOptions,
} from './video/index.js';

// learned similarity: apply a head trained by `facekit train` (training itself is in src/learn)
export { readRuntimeHead, type RuntimeHead } from './learn/head-runtime.js';

// analysis: attributes, quality, anti-spoofing, liveness
export {
  analyzeFace, analyzeFaces, assessQuality, QUALITY_BAR, checkSpoof, checkLiveness, estimatePose, faceLandmarks, predictMesh,
  type FaceQuality, type AnalyzeOptions, type SpoofResult, type AntiSpoofOption, type LivenessResult, type LandmarkKind, type FaceMesh,
} from './analyze/index.js';

// a long-running face service, what `facekit serve` runs: inference on worker threads (one per
// core), so the two photos of a verify are read at once; the gallery and its calibrations
export { createService, type CreateServiceOptions } from './service/index.js';
export type { FaceService } from './server/service.js';

// 1:N identification over a gallery
export {
  enroll, identify, findPerson, type EnrollOptions, type EnrollResult, type IdentifyImageOptions, type IdentifyResult, type IdentifiedFace, type PersonMatch,
} from './identify/index.js';

// photo collections: cluster a folder's faces by person, name clusters, find a face in a folder
export {
  clusterFolder, findInFolder, nameCluster, mergeClusters, splitCluster, writeContactSheet, createClusterService,
  type ClusterFolderOptions, type FolderClusters, type FindOptions, type FindResult, type NameOptions,
} from './cluster/index.js';
// person templates (the default identify rule) and the demographic report (eval verify --group-by)
export { buildTemplate, PERSON_RULES, DEFAULT_PERSON_RULE, type PersonRule } from './gallery/index.js';
export { groupReport, groupLabels, readGroupCsv, groupsFromPattern, formatGroupReport, type GroupReport, type GroupRates, type GroupLabelOptions } from './eval/index.js';

// face image quality for recognition: the score every face carries, the decision gate, the reject curve
export { DEFAULT_MIN_QUALITY, measureQuality, scoreQuality, type QualityMeasures } from './analyze/index.js';
export type { QualitySummary } from './face.js';
export type { Undecided } from './verify/index.js';
export { qualityRejectCurve, REJECT_FRACTIONS, type QualityRejectRow } from './eval/quality-reject.js';
// gallery collections: isolated galleries in one store, their fitted calibrations and model moves
export {
  DEFAULT_COLLECTION, siteCalibration, storeSiteCalibration, dropSiteCalibration, type Collection, type CollectionSettings, type SiteCalibration,
} from './gallery/index.js';
export { moveToModel } from './identify/index.js';
// the recognizer's own quality cues (raw embedding norm, mirror agreement) and how they refine a face's quality
export { embedCropsDetailed, type EmbeddedCrop } from './embed/index.js';
export { refineQuality, type EmbeddingCues } from './analyze/quality-embedding.js';
