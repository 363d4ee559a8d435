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
