import { FacekitError } from '../../errors/index.ts';
import type { TfGraphModel } from '../tfjs/types.ts';
import { buildRecognition } from './recognition.ts';
import { readFaceApiWeights, WeightStore } from './weights.ts';

/**
 * face-api ships weights only; its networks live in its source. Each architecture is rebuilt
 * here as a TF graph over those weights (one file per architecture), so face-api models go
 * through the same TF->ONNX compiler as TF.js graph models.
 */
const builders: Record<string, (w: WeightStore) => TfGraphModel> = {
  faceRecognitionNet: buildRecognition,
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
