import { GraphBuilder } from './graph.js';
import { dense, flatten, type Ctx } from './layers.js';
import { FEATURE_INPUT, faceFeatureExtractor, tinyFaceFeatureExtractor } from './dense-features.js';
import type { WeightStore } from './weights.js';
import type { TfGraphModel } from '../tfjs/types.js';

/**
 * face-api's FaceLandmark68Net and FaceLandmark68TinyNet (src/faceLandmarkNet): a dense feature
 * extractor and one fully connected layer to 136 values, x0, y0, x1, y1, ... relative to the
 * 112x112 input (0..1). For a square input face-api's postProcess is the identity, so the graph
 * output is what face-api returns before scaling to the image.
 */
function build(w: WeightStore, tiny: boolean, inputName: string): TfGraphModel {
  const g = new GraphBuilder(w.model);
  const c: Ctx = { g, w };
  const x = g.placeholder(inputName, [-1, FEATURE_INPUT, FEATURE_INPUT, 3]);
  const features = tiny ? tinyFaceFeatureExtractor(c, x) : faceFeatureExtractor(c, x);
  dense(c, flatten(c, features, 'features_flat'), 'fc', 136, 'landmarks');
  return g.build();
}

export function buildLandmark68(w: WeightStore, inputName = 'input'): TfGraphModel {
  return build(w, false, inputName);
}

export function buildLandmark68Tiny(w: WeightStore, inputName = 'input'): TfGraphModel {
  return build(w, true, inputName);
}
