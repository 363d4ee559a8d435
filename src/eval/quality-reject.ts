/**
 * The error-versus-reject curve (ISO/IEC 29794-1's EDC): how verification errors fall as the pairs
 * with the lowest-quality face are set aside. Each pair is ranked by the lower quality of its two
 * faces; for each reject fraction the lowest-ranked pairs are dropped and the 10-fold protocol is
 * run again on the pairs kept. A quality score that predicts recognisability makes accuracy rise
 * and FNMR fall along the curve; a useless one leaves them flat.
 */
import { MEASURE_KEYS, measureQuality, scoreQuality, type QualityMeasures } from '../analyze/quality.js';
import { refineQuality, type EmbeddingCues } from '../analyze/quality-embedding.js';
import { DEFAULT_DETECTOR, landmarkSourcesKey } from '../detect/index.js';
import type { Face } from '../face.js';
import type { RgbImage } from '../image/types.js';
import { embedFacesWithCues, loadAndFindFaces, type FaceOptions } from '../pipeline/index.js';
import { configKey, sha256File, type EmbeddingCache } from './cache.js';
import { lineChartSvg } from './plots.js';
import { evaluateVerification, type ScoredPair } from './verification.js';
import type { OnProgress } from './scoring.js';

/** The reject fractions every report lists. */
export const REJECT_FRACTIONS = [0, 0.01, 0.02, 0.05, 0.1] as const;

export interface QualityRejectRow {
  /** share of pairs set aside, lowest quality first */
  reject: number;
  pairsKept: number;
  /** 10-fold accuracy on the pairs kept */
  accuracy: number;
  /** false non-match rate at the threshold where the false match rate is 1e-3, on the pairs kept */
  fnmrAtFmr1e3: number;
}

/** Quality of each image's face (the one the evaluation embedded); null: no face. */
export type QualityMap = Map<string, number | null>;

/**
 * The curve over `scored` pairs. `qualityOf` gives an image's face quality (null: no face, ranked
 * below every face). Ties keep the pairs' order, so the curve is deterministic.
 */
export function qualityRejectCurve(
  scored: readonly ScoredPair[],
  qualityOf: (image: string) => number | null,
  opts: { folds?: number; fractions?: readonly number[] } = {},
): QualityRejectRow[] {
  const q = (img: string) => qualityOf(img) ?? -1;
  const ranked = scored.map((p, i) => ({ p, i, q: Math.min(q(p.img1), q(p.img2)) }))
    .sort((a, b) => b.q - a.q || a.i - b.i); // best first
  return (opts.fractions ?? REJECT_FRACTIONS).map((reject) => {
    const kept = ranked.slice(0, ranked.length - Math.round(reject * ranked.length)).sort((a, b) => a.i - b.i).map((r) => r.p);
    const r = evaluateVerification(kept, { folds: opts.folds, fars: [1e-3] });
    return { reject, pairsKept: kept.length, accuracy: r.accuracyMean, fnmrAtFmr1e3: 1 - r.tarAtFar[0].tar };
  });
}

/** The chart of a curve (or several, e.g. one per dataset): accuracy and FNMR against the reject fraction. */
export function qualityRejectSvg(curves: readonly { label: string; rows: readonly QualityRejectRow[] }[], opts: { title?: string } = {}): string {
  const series = curves.flatMap((c) => [
    { label: `${c.label}: error (1 - accuracy)`, points: c.rows.map((r) => ({ x: 100 * r.reject, y: 100 * (1 - r.accuracy) })) },
    { label: `${c.label}: FNMR at FMR 1e-3`, points: c.rows.map((r) => ({ x: 100 * r.reject, y: 100 * r.fnmrAtFmr1e3 })) },
  ]);
  return lineChartSvg(series, { title: opts.title ?? 'Error versus reject (lowest-quality pairs set aside)', xLabel: 'pairs rejected (%)', yLabel: 'error (%)', yMin: 0 });
}

/** The curve as the report's figure (writeVerificationReport's extraFigures). */
export function qualityRejectFigure(rows: readonly QualityRejectRow[]): { name: string; svg: string } {
  return { name: 'quality-reject', svg: qualityRejectSvg([{ label: 'this run', rows }]) };
}

/** The curve as text lines, for the CLI. */
export function formatQualityReject(rows: readonly QualityRejectRow[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  return [
    'error versus reject (pairs ranked by the lower quality of their two faces):',
    ...rows.map((r) => `  reject ${pct(r.reject).padStart(6)}: ${String(r.pairsKept).padStart(6)} pairs kept, accuracy ${pct(r.accuracy)}, FNMR at FMR 1e-3 ${pct(r.fnmrAtFmr1e3)}`),
  ].join('\n');
}

/** The cache configuration of quality measures: what changes the face found, not the recognizer. */
export function qualityConfig(opts: FaceOptions): string {
  return configKey({
    quality: 'measures-v3',
    detector: opts.detect === false ? 'none' : (opts.detector ?? DEFAULT_DETECTOR),
    context: opts.detect !== false && opts.context !== false ? 'canvas3' : undefined,
    scoreThreshold: opts.scoreThreshold,
    minFaceSize: opts.minFaceSize,
    landmarkModel: opts.landmarkModel,
    landmarks: opts.detect === false ? undefined : landmarkSourcesKey(opts),
    maxSide: opts.maxSide,
  });
}

const toVector = (m: QualityMeasures) => Float32Array.from(MEASURE_KEYS.map((k) => m[k]));
const fromVector = (v: Float32Array) => Object.fromEntries(MEASURE_KEYS.map((k, i) => [k, v[i]])) as unknown as QualityMeasures;

/** Stores the measures of an image's evaluated face beside its embedding (the evaluation's embedder calls this). */
export function cacheQualityMeasures(cache: EmbeddingCache, path: string, config: string, image: RgbImage, face: Face | undefined): void {
  cache.put(sha256File(path), config, face ? toVector(measureQuality(image, face)) : null);
}

/**
 * The quality measures of each image's largest face, through the cache (the evaluation's embedder
 * fills it as it goes, so this decodes and detects only images embedded before it did).
 */
export async function qualityMeasuresFor(paths: readonly string[], opts: FaceOptions & { cache: EmbeddingCache; onProgress?: OnProgress }): Promise<Map<string, QualityMeasures | null>> {
  const config = qualityConfig(opts);
  const out = new Map<string, QualityMeasures | null>();
  const unique = [...new Set(paths)];
  let done = 0;
  for (const p of unique) {
    const sha = sha256File(p);
    let v = opts.cache.get(sha, config);
    if (v === undefined) {
      try {
        const { image, faces } = await loadAndFindFaces(p, opts);
        const face = faces.length ? faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a)) : undefined;
        v = face ? toVector(measureQuality(image, face)) : null;
      } catch {
        v = null; // unreadable: no face, as the embedding counts it
      }
      opts.cache.put(sha, config, v);
    }
    out.set(p, v === null ? null : fromVector(v));
    opts.onProgress?.(++done, unique.length);
  }
  return out;
}

/** The cache configuration of an image's embedding cues: that of its embedding (embeddingConfig in run.ts) plus the cue version. */
export function embeddingCuesConfig(embeddingConfig: string): string {
  return configKey({ quality: 'embedding-cues-v1', embedding: embeddingConfig });
}

const cuesToVector = (c: EmbeddingCues) => Float32Array.of(c.rawNorm ?? NaN, c.mirrorCosine ?? NaN);
const cuesFromVector = (v: Float32Array): EmbeddingCues => ({ ...(Number.isNaN(v[0]) ? {} : { rawNorm: v[0] }), ...(Number.isNaN(v[1]) ? {} : { mirrorCosine: v[1] }) });

/** Stores the embedding cues of an image's evaluated face beside its embedding (the evaluation's embedder calls this). */
export function cacheEmbeddingCues(cache: EmbeddingCache, path: string, config: string, cues: EmbeddingCues | undefined): void {
  cache.put(sha256File(path), config, cues ? cuesToVector(cues) : null);
}

/**
 * The embedding cues (raw norm; mirror cosine with flip) of each image's largest face, through the
 * cache under `config` (embeddingCuesConfig); images embedded before the cues were cached are
 * detected and embedded again, once.
 */
export async function embeddingCuesFor(paths: readonly string[], opts: FaceOptions & { cache: EmbeddingCache; config: string; onProgress?: OnProgress }): Promise<Map<string, EmbeddingCues | null>> {
  const out = new Map<string, EmbeddingCues | null>();
  const unique = [...new Set(paths)];
  let done = 0;
  for (const p of unique) {
    const sha = sha256File(p);
    let v = opts.cache.get(sha, opts.config);
    if (v === undefined) {
      try {
        const { image, faces } = await loadAndFindFaces(p, opts);
        const face = faces.length ? faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a)) : undefined;
        v = face ? cuesToVector((await embedFacesWithCues(image, [face], opts)).cues[0]) : null;
      } catch {
        v = null; // unreadable: no face, as the embedding counts it
      }
      opts.cache.put(sha, opts.config, v);
    }
    out.set(p, v === null ? null : cuesFromVector(v));
    opts.onProgress?.(++done, unique.length);
  }
  return out;
}

/**
 * Quality scores from measures (the shipped model), refined by the embedding cues of `model`
 * where given, as embedFaces refines a face's quality.
 */
export function qualityScores(measures: Map<string, QualityMeasures | null>, embedding?: { model: string; cues: Map<string, EmbeddingCues | null> }): QualityMap {
  return new Map([...measures].map(([p, m]) => {
    if (m === null) return [p, null];
    const q = scoreQuality(m);
    const cues = embedding?.cues.get(p);
    return [p, cues ? refineQuality(q, embedding!.model, cues).score : q.score];
  }));
}
