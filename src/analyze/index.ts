export { assessQuality, QUALITY_BAR, type FaceQuality } from './quality.ts';
export { estimatePose, interOcularDistance, type HeadPose } from './pose.ts';
export { checkLiveness, eyeAspectRatio, LIVENESS_DEFAULTS, type LivenessFrame, type LivenessChallenge, type LivenessResult, type LivenessOptions } from './liveness.ts';
export { analyzeFace, analyzeFaces, runAttributeModel, candidateModels, defaultModel, ATTRIBUTE_MODELS, ACTIONS, type AnalyzeOptions, type AttributeModelEntry } from './attributes.ts';
export { decoders, softmax, ssrnetValue, type Action, type AttributeResult, type Decoder } from './decoders.ts';
export { checkSpoof, spoofCheckIfAsked, type SpoofResult, type AntiSpoofOption } from './spoof.ts';
export { faceLandmarks, isLandmarkKind, LANDMARK_KINDS, type LandmarkKind } from './landmarks.ts';
export { predictMesh, cropAndResize, meshRegion, type FaceMesh, type Point3 } from './mesh.ts';
