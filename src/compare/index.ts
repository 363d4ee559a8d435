/** Compare stage: distances between embeddings, thresholds, calibration to P(same), fusion. */
export {
  cosineDistance, euclideanDistance, euclideanL2Distance, l2Normalize, distance, isMetric, METRICS,
  toMatrix, matrixFor, batchDistances, type Metric, type EmbeddingMatrix,
} from './distance.js';
export { thresholdAtFar, justBelow, type FarThreshold } from './threshold.js';
export { sigmoid, fitLogisticRegression, type LogisticFit, type LogisticOptions } from './logistic.js';
export { anchorIsotonic, fitIsotonic, isotonicProbability, type IsotonicTable } from './isotonic.js';
export {
  fitCalibration, confidence, fallbackCalibration, getCalibration, getCalibrationOr, listCalibrations, calibrationPath, readCalibration,
  saveCalibration, writeCalibration, removeCalibration, refuseShippedCalibrationPath, userCalibrationDir, validateCalibration, SHIPPED_CALIBRATIONS_DIR, DEFAULT_TARGET_FAR, type Calibration, type CalibratedScore, type FitCalibrationOptions,
} from './calibration.js';
export {
  meanProbabilityFusion, fitLogisticFusion, fusionFromRecord, fusionId, parseFusionId, refuseMetricForFusion, ACCURATE_FUSION,
  type FusionMember, type FusionRecord, type FusionScorer, type FusionSample,
} from './fusion.js';
