import { availableParallelism } from 'node:os';

/** The server's limits and their defaults, apart from the server so the CLI can show them in --help without loading Fastify. */
export interface ServerLimits {
  /** JSON body bytes; base64 makes an image 4/3 larger, and verify carries two */
  bodyBytes: number;
  /** bytes per multipart file (and per image file read from the image root) */
  imageBytes: number;
  /** files per multipart request */
  files: number;
  /** decoded pixels per image, enforced by the service's decoder */
  maxPixels: number;
  /** requests per API key per window; 0 disables. Keyless requests (protected mode, loopback only) are not metered */
  rateMax: number;
  rateWindowMs: number;
  /** failed authentications per client address per window before its requests get 429; 0 disables */
  authFailuresMax: number;
  /** inference jobs running at once */
  concurrency: number;
  /** inference jobs allowed to wait; beyond this requests get 503 + Retry-After */
  maxQueued: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  bodyBytes: 32 * 1024 * 1024,
  imageBytes: 15 * 1024 * 1024,
  files: 20,
  maxPixels: 40_000_000,
  rateMax: 600,
  rateWindowMs: 60_000,
  authFailuresMax: 20,
  concurrency: 2,
  maxQueued: 64,
};

/** ms one image's work in the server may take before it fails with TIMEOUT and its inference worker is replaced; 0: none */
export const DEFAULT_DEADLINE_MS = 20_000;

/**
 * Inference workers by default: one per core, up to MAX_DEFAULT_WORKERS (each holds its own model
 * sessions, a few hundred MB). On the 2-core reference machine, quiet, two workers of one ONNX
 * Runtime thread each served identify (1280x853, 3 faces) at 24.4 / 27.3 / 28.3 req/s with 4 / 16 /
 * 64 clients against 19.5 / 20.7 / 20.7 for one worker on both cores, and one request nearly as
 * fast (p50 59 vs 55 ms): a request is a chain of small models, and splitting each small
 * convolution across cores costs hand-offs, while separate requests share nothing
 * (bench/server.ts: bench/results/server.json, and server-w1-t2.json for one worker on both cores).
 */
export const MAX_DEFAULT_WORKERS = 4;

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_DEFAULT_WORKERS));
}

/** ONNX Runtime threads per worker: the cores shared out, unless FACEKIT_ORT_THREADS says otherwise. */
export function threadsPerWorker(workers: number): number {
  return Math.max(1, Math.floor(availableParallelism() / workers));
}
