export { assessQuality, QUALITY_BAR, type FaceQuality } from './quality.ts';
export { estimatePose, interOcularDistance, type HeadPose } from './pose.ts';
export { checkLiveness, eyeAspectRatio, LIVENESS_DEFAULTS, type LivenessFrame, type LivenessChallenge, type LivenessResult, type LivenessOptions } from './liveness.ts';
