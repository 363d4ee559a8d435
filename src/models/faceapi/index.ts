import { FacekitError } from '../../errors/index.js';
import type { TfGraphModel } from '../tfjs/types.js';
import { buildRecognition } from './recognition.js';
import { buildSsdMobilenet } from './ssd-mobilenet.js';
import { buildLandmark68, buildLandmark68Tiny } from './landmark68.js';
import { buildAgeGender } from './age-gender.js';
import { buildExpression } from './expression.js';
import { buildTinyDetector } from './tiny-detector.js';
import { readFaceApiWeights, WeightStore } from './weights.js';

/**
 * face-api ships weights only; its networks live in its source. Each architecture is rebuilt
 * here as a TF graph over those weights (one file per architecture), so face-api models go
 * through the same TF->ONNX compiler as TF.js graph models.
 */
const builders: Record<string, (w: WeightStore) => TfGraphModel> = {
  faceRecognitionNet: buildRecognition,
  ssdMobilenetv1: buildSsdMobilenet,
  faceLandmark68Net: buildLandmark68,
  faceLandmark68TinyNet: buildLandmark68Tiny,
  ageGenderNet: buildAgeGender,
  faceExpressionNet: buildExpression,
  tinyFaceDetector: buildTinyDetector,
};

export const FACEAPI_ARCHITECTURES = Object.keys(builders);

export function buildFaceApiGraph(arch: string, manifestPath: string, name: string): TfGraphModel {
  const build = builders[arch];
  if (!build) {
    throw new FacekitError('UNSUPPORTED_OP', `model ${name}: unknown face-api architecture "${arch}" (known: ${FACEAPI_ARCHITECTURES.join(', ')})`);
  }
  return build(new WeightStore(readFaceApiWeights(manifestPath, name), name));
}

export { readFaceApiWeights, WeightStore } from './weights.js';
export { EXPRESSIONS } from './expression.js';
