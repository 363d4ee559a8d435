/**
 * Embedding cache for evaluation runs: one JSON-lines file under a cache dir, keyed by the image's
 * SHA-256 and a configuration string (model, detector, alignment ...). Changing the metric or the
 * protocol re-uses every embedding; changing the configuration or the image bytes does not.
 * "No face" is cached too (as null), so a re-run does not retry it.
 *
 * The file is named for facekit's version and PIPELINE_REVISION: an embedding computed by other
 * code (another release, or a change to detection, landmarks, alignment or a model) is never read
 * back as if this code had computed it. Files of other versions are left alone.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../version.js';

/**
 * Bumped with every change to what the pipeline outputs for an image (detection, landmarks,
 * alignment, embedding, quality measures) within one release; a release changes the version anyway.
 */
// 2: fr_landmark's crop resampled by the align stage's warp (five points move by ~0.1% of the eye distance)
export const PIPELINE_REVISION = 2;

export const CACHE_FILE = `embeddings-${packageVersion()}-r${PIPELINE_REVISION}.jsonl`;

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A stable configuration string: keys sorted, so option order does not split the cache. */
export function configKey(parts: Record<string, string | number | boolean | undefined>): string {
  return Object.keys(parts).sort().filter((k) => parts[k] !== undefined).map((k) => `${k}=${parts[k]}`).join(';');
}

function encode(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

function decode(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  // copy: the Buffer may sit at an offset not aligned for Float32Array
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export class EmbeddingCache {
  readonly file: string;
  private readonly map = new Map<string, Float32Array | null>();

  private constructor(file: string) { this.file = file; }

  /** Opens (or starts) the cache in `dir`. A torn last line from an interrupted run is skipped. */
  static open(dir: string): EmbeddingCache {
    mkdirSync(dir, { recursive: true });
    const c = new EmbeddingCache(join(dir, CACHE_FILE));
    if (existsSync(c.file)) {
      for (const line of readFileSync(c.file, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const r = JSON.parse(line) as { sha: string; cfg: string; e: string | null };
          c.map.set(`${r.sha}\0${r.cfg}`, r.e === null ? null : decode(r.e));
        } catch { /* torn line: that embedding is simply recomputed */ }
      }
    }
    return c;
  }

  get size(): number { return this.map.size; }

  /** undefined: not cached; null: cached as "no face"; else the embedding. */
  get(sha: string, config: string): Float32Array | null | undefined {
    return this.map.get(`${sha}\0${config}`);
  }

  put(sha: string, config: string, embedding: Float32Array | null): void {
    this.map.set(`${sha}\0${config}`, embedding);
    appendFileSync(this.file, JSON.stringify({ sha, cfg: config, e: embedding === null ? null : encode(embedding) }) + '\n');
  }
}
