import { FacekitError } from '../../errors/index.ts';
import type { TfGraphModel } from '../tfjs/types.ts';
import { buildRecognition } from './recognition.ts';
import { buildSsdMobilenet } from './ssd-mobilenet.ts';
import { buildLandmark68, buildLandmark68Tiny } from './landmark68.ts';
import { buildAgeGender } from './age-gender.ts';
import { buildExpression } from './expression.ts';
import { buildTinyDetector } from './tiny-detector.ts';
import { readFaceApiWeights, WeightStore } from './weights.ts';

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

export { readFaceApiWeights, WeightStore } from './weights.ts';
export { EXPRESSIONS } from './expression.ts';
