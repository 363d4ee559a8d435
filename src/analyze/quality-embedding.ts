/**
 * The recognizer's own quality cues, folded into a face's quality once it is embedded
 * (src/pipeline/represent.ts embedFaces does it, so verify, identify, enroll and eval see the
 * refined score; detect and analyze, which embed nothing, show the image-cue score of quality.ts).
 *
 * - norm: the L2 norm of the recognizer's output before normalisation. Recognizers trained with a
 *   margin loss give clear, typical faces a larger norm (MagFace); on bench/quality.ts's sets it
 *   predicts the recognizer's errors better than any image cue. The norm's scale is the model's
 *   own, so the ramp is per model: a model not listed (one whose output is already normalised, or
 *   whose norm was not measured) has no norm cue, and its score is not touched by one.
 * - mirror: the cosine between the embeddings of the crop and of its mirror image. It costs a
 *   second embedding, so it is used only when the caller embeds the mirror anyway (`flip`).
 *
 * The refined score is a weighted geometric mean of the image-cue score and the embedding
 * components present, like quality.ts's own combination; weights and ramps were fitted by
 * `bench/quality.ts --fit` on the development half of its people only.
 */
import type { QualitySummary } from '../face.js';
import { REASON_BAR, qualitySummary, ramp, type Ramp } from './quality.js';

/** What the embedding step knows about a crop (src/embed's EmbeddedCrop). */
export interface EmbeddingCues {
  /** L2 norm of the model's output before normalisation */
  rawNorm?: number;
  /** cosine between the embeddings of the crop and of its mirror image */
  mirrorCosine?: number;
}

/** The cues an embedded crop carries (the mirror's only when it was embedded with flip). */
export function embeddingCues(e: { rawNorm: number; mirrorCosine?: number }): EmbeddingCues {
  return e.mirrorCosine === undefined ? { rawNorm: e.rawNorm } : { rawNorm: e.rawNorm, mirrorCosine: e.mirrorCosine };
}

/**
 * Fitted by `bench/quality.ts --fit-embedding` on the development half (2026-12-07): the norm
 * weighs twice the image-cue score; the image floor lets the norm rank the faces the image cues
 * zero. The mirror cue lowered the development loss a little (0.1389 -> 0.1377) and made no
 * difference on the held-out people, so it stays at the fitted weight but only where it is free.
 */
export const EMBEDDING_QUALITY = {
  /** per recognition model: the raw norm at which the norm component is 0, and 1 */
  norm: { fr_feature: [2.2, 3.94] } as Record<string, Ramp>,
  /** mirror cosine: [0 at, 1 at] (measured on fr_feature) */
  mirror: [0.85, 0.98] as Ramp,
  weights: { image: 1, norm: 2, mirror: 0.5 },
  /**
   * The image-cue score enters as floor + (1 - floor) * score: with a floor, a face the image cues
   * zero (a profile, dark glasses) is still ranked by its embedding cues instead of tying at 0.
   */
  imageFloor: 0.05,
};

export type EmbeddingQualityModel = typeof EMBEDDING_QUALITY;

/** The embedding components in 0..1 that this model and these cues give (absent: no such cue). */
export function embeddingComponents(model: string, cues: EmbeddingCues, params: EmbeddingQualityModel = EMBEDDING_QUALITY): { norm?: number; mirror?: number } {
  const normRamp = Object.hasOwn(params.norm, model) ? params.norm[model] : undefined;
  return {
    ...(normRamp && cues.rawNorm !== undefined && Number.isFinite(cues.rawNorm) ? { norm: ramp(cues.rawNorm, normRamp) } : {}),
    ...(cues.mirrorCosine !== undefined && Number.isFinite(cues.mirrorCosine) ? { mirror: ramp(cues.mirrorCosine, params.mirror) } : {}),
  };
}

/** The refined score: weighted geometric mean of the image-cue score and the embedding components present. */
export function refinedScore(imageScore: number, components: { norm?: number; mirror?: number }, weights: EmbeddingQualityModel['weights'] = EMBEDDING_QUALITY.weights, imageFloor = EMBEDDING_QUALITY.imageFloor): number {
  const parts: [number, number][] = [[imageFloor + (1 - imageFloor) * imageScore, weights.image]];
  if (components.norm !== undefined) parts.push([components.norm, weights.norm]);
  if (components.mirror !== undefined) parts.push([components.mirror, weights.mirror]);
  let log = 0;
  let total = 0;
  for (const [v, w] of parts) {
    if (w === 0) continue;
    if (v <= 0) return 0;
    log += w * Math.log(v);
    total += w;
  }
  return total > 0 ? Math.exp(log / total) : imageScore;
}

/**
 * A face's quality refined by its embedding's cues: the score as refinedScore, and 'weak embedding'
 * / 'unstable under mirroring' added to the reasons when that component is below REASON_BAR.
 * Without a usable cue the quality is returned unchanged.
 */
export function refineQuality(quality: QualitySummary, model: string, cues: EmbeddingCues, params: EmbeddingQualityModel = EMBEDDING_QUALITY): QualitySummary {
  const c = embeddingComponents(model, cues, params);
  if (c.norm === undefined && c.mirror === undefined) return quality;
  const added: [string, number][] = [];
  if (c.norm !== undefined && params.weights.norm > 0 && c.norm < REASON_BAR) added.push(['weak embedding', c.norm]);
  if (c.mirror !== undefined && params.weights.mirror > 0 && c.mirror < REASON_BAR) added.push(['unstable under mirroring', c.mirror]);
  added.sort((a, b) => a[1] - b[1]);
  return qualitySummary({
    score: refinedScore(quality.score, c, params.weights, params.imageFloor),
    reasons: [...quality.reasons, ...added.map(([word]) => word).filter((w) => !quality.reasons.includes(w))],
  });
}
