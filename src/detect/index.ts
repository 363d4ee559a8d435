export { iou } from './iou.ts';
export { nms, weightedNms } from './nms.ts';
export type { Candidate, NmsOptions } from './nms.ts';
export type { Detector, DetectorRunOptions, RawDetection } from './types.ts';
export { detectFaces, registerDetector, listDetectors, getDetector, DEFAULT_DETECTOR } from './detect-faces.ts';
export type { DetectOptions } from './detect-faces.ts';
export { frDetect, decodeUltraLight } from './fr-detect.ts';
export { predictLandmarks68, landmarks5From68, landmarkCropRegion } from './landmarks68.ts';
