export {
  assessQuality, checkEnrollFaceSize, checkEnrollQuality, MIN_ENROLL_FACE_SIDE, QUALITY_BAR, DEFAULT_MIN_QUALITY, measureQuality, scoreQuality, qualitySummary, withQuality, MEASURE_KEYS,
  type FaceQuality, type QualityMeasures, type QualitySummary, type QualityComponent,
} from './quality.js';
export { estimatePose, interOcularDistance, type HeadPose } from './pose.js';
export { checkLiveness, eyeAspectRatio, LIVENESS_DEFAULTS, type LivenessFrame, type LivenessChallenge, type LivenessResult, type LivenessOptions } from './liveness.js';
export { analyzeFace, analyzeFaces, runAttributeModel, candidateModels, defaultModel, ATTRIBUTE_MODELS, ACTIONS, type AnalyzeOptions, type AttributeModelEntry } from './attributes.js';
export { decoders, softmax, ssrnetValue, type Action, type AttributeResult, type Decoder } from './decoders.js';
export { checkSpoof, spoofCheckIfAsked, type SpoofResult, type AntiSpoofOption } from './spoof.js';
export { faceLandmarks, isLandmarkKind, LANDMARK_KINDS, type LandmarkKind } from './landmarks.js';
export { predictMesh, cropAndResize, meshRegion, type FaceMesh, type Point3 } from './mesh.js';
