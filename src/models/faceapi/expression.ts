import { GraphBuilder } from './graph.js';
import { dense, flatten, type Ctx } from './layers.js';
import { FEATURE_INPUT, faceFeatureExtractor } from './dense-features.js';
import type { WeightStore } from './weights.js';
import type { TfGraphModel } from '../tfjs/types.js';

/**
 * face-api's FaceExpressionNet (src/faceExpressionNet): the 112x112 dense feature extractor,
 * a fully connected layer to 7 logits and a softmax. Class order (face-api FaceExpressions):
 * neutral, happy, sad, angry, fearful, disgusted, surprised.
 */
export const EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];

export function buildExpression(w: WeightStore, inputName = 'input'): TfGraphModel {
  const g = new GraphBuilder(w.model);
  const c: Ctx = { g, w };
  const x = g.placeholder(inputName, [-1, FEATURE_INPUT, FEATURE_INPUT, 3]);
  const features = faceFeatureExtractor(c, x);
  const logits = dense(c, flatten(c, features, 'features_flat'), 'fc', EXPRESSIONS.length);
  g.softmax('expressions', logits);
  return g.build();
}
