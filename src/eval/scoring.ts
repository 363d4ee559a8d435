/**
 * Glue between the embedding pipeline and the protocols: embed each distinct image once (through
 * the cache when given, with progress), then score pairs with a metric or a fusion.
 */
import { FacekitError } from '../errors/index.js';
import { distance, type Metric } from '../compare/distance.js';
import type { FusionScorer } from '../compare/fusion.js';
import { EmbeddingCache, sha256File } from './cache.js';
import type { PairList } from './pairs.js';
import type { ScoredPair } from './verification.js';

export type OnProgress = (done: number, total: number) => void;

/** Embeds one image; null (or a NO_FACE / BAD_IMAGE FacekitError) means "no usable face". */
export type Embedder = (path: string) => Promise<Float32Array | null>;

export interface EmbedOptions {
  cache?: EmbeddingCache;
  /** configuration string for the cache key (see configKey); required with a cache */
  config?: string;
  onProgress?: OnProgress;
}

export type EmbeddingMap = Map<string, Float32Array | null>;

export async function embedImages(paths: readonly string[], embed: Embedder, opts: EmbedOptions = {}): Promise<EmbeddingMap> {
  if (opts.cache && !opts.config) throw new FacekitError('BAD_ARGUMENT', 'an embedding cache needs a configuration string (model, detector, align ...)');
  const out: EmbeddingMap = new Map();
  const unique = [...new Set(paths)];
  let done = 0;
  opts.onProgress?.(0, unique.length);
  for (const p of unique) {
    const sha = opts.cache ? sha256File(p) : '';
    let e = opts.cache ? opts.cache.get(sha, opts.config!) : undefined;
    if (e === undefined) {
      try {
        e = await embed(p);
      } catch (err) {
        if (err instanceof FacekitError && (err.code === 'NO_FACE' || err.code === 'BAD_IMAGE')) e = null;
        else throw err;
      }
      opts.cache?.put(sha, opts.config!, e);
    }
    out.set(p, e);
    opts.onProgress?.(++done, unique.length);
  }
  return out;
}

/** Distance of each pair, or null when either image has no embedding (or the scorer returns NaN). */
export function scorePairs(
  list: PairList,
  score: (img1: string, img2: string) => number | null,
): ScoredPair[] {
  return list.pairs.map((p) => {
    const d = score(p.img1, p.img2);
    return { ...p, distance: d === null || Number.isNaN(d) ? null : d };
  });
}

export function metricScorer(embeddings: EmbeddingMap, metric: Metric, key: (p: string) => string = (p) => p) {
  return (a: string, b: string): number | null => {
    const ea = embeddings.get(key(a)), eb = embeddings.get(key(b));
    if (ea === undefined || eb === undefined) throw new FacekitError('BAD_ARGUMENT', `no embedding computed for ${ea === undefined ? a : b}`);
    return ea && eb ? distance(ea, eb, metric) : null;
  };
}

/** A fusion as a pair scorer: one embedding map per member, in `fusion.members` order. */
export function fusionPairScorer(perMember: readonly EmbeddingMap[], fusion: FusionScorer, key: (p: string) => string = (p) => p) {
  if (perMember.length !== fusion.members.length) throw new FacekitError('BAD_ARGUMENT', `fusion '${fusion.id}' needs ${fusion.members.length} embedding sets, got ${perMember.length}`);
  const scorers = perMember.map((m, i) => metricScorer(m, fusion.members[i].metric, key));
  return (a: string, b: string): number | null => {
    const d = fusion.distance(scorers.map((s) => s(a, b) ?? NaN));
    return Number.isNaN(d) ? null : d;
  };
}
