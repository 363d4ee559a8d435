import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { FacekitError } from '../../errors/index.js';
import { DEEPFACE_TOKEN_ENV, withEnvironmentToken } from '../../server/keys/env-token.js';
import { defaultKeysFile, FileKeyStore } from '../../server/keys/store.js';
import { DEFAULT_DEADLINE_MS, DEFAULT_LIMITS, defaultWorkerCount, MAX_DEFAULT_WORKERS, type ServerLimits } from '../../server/limits.js';
import type { FacekitServer } from '../../server/server.js';
import type { CreateService } from '../../server/service.js';
import { action } from '../run.js';

export interface ServeOptions {
  port: string;
  host: string;
  db?: string;
  keysFile?: string;
  auditLog: string;
  imageRoot?: string;
  photosRoot?: string;
  fetchUrls?: boolean;
  fetchPrivateUrls?: boolean;
  /** absent: as many as there are inference workers, at least DEFAULT_LIMITS.concurrency */
  concurrency?: string;
  /** absent: one per core, up to MAX_DEFAULT_WORKERS */
  workers?: string;
  maxQueued: string;
  rate: string;
  maxBodyMb: string;
  maxPixels: string;
  /** seconds (absent: the default) */
  deadline?: string;
  authFailures?: string;
}

function defaultAuditLog(): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'facekit', 'audit.jsonl');
}

function int(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new FacekitError('BAD_ARGUMENT', `--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

function envFlag(name: string): boolean {
  return ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());
}

/** Checks the bind before loading models (refusal is instant), then builds and listens. */
export async function runServe(opts: ServeOptions, createService: CreateService): Promise<{ app: FacekitServer; address: string }> {
  const port = int('port', opts.port, 0);
  // Fastify, its plugins and the face service load here, not when the CLI starts
  const [{ checkBind, PROTECTED_MODE_WARNING }, { ServerMetrics }, { startServer }, { createClusterService }] = await Promise.all([
    import('../../server/plugins/auth.js'), import('../../server/metrics.js'), import('../../server/server.js'), import('../../cluster/index.js'),
  ]);
  // a deepface client's bearer token, from the environment deepface's server reads it from
  const keyStore = withEnvironmentToken(new FileKeyStore(opts.keysFile ?? defaultKeysFile()), process.env[DEEPFACE_TOKEN_ENV]);
  const { authOff } = await checkBind(opts.host, keyStore);
  const workers = opts.workers === undefined ? defaultWorkerCount() : int('workers', opts.workers, 1);
  const limits: ServerLimits = {
    ...DEFAULT_LIMITS,
    // every worker busy, none waiting on another's job
    concurrency: opts.concurrency === undefined ? Math.max(DEFAULT_LIMITS.concurrency, workers) : int('concurrency', opts.concurrency, 1),
    maxQueued: int('max-queued', opts.maxQueued, 0),
    rateMax: int('rate', opts.rate, 0),
    rateWindowMs: 60_000,
    bodyBytes: int('max-body-mb', opts.maxBodyMb, 1) * 1024 * 1024,
    maxPixels: int('max-pixels', opts.maxPixels, 1),
    authFailuresMax: opts.authFailures === undefined ? DEFAULT_LIMITS.authFailuresMax : int('auth-failures', opts.authFailures, 0),
  };
  const deadlineMs = opts.deadline === undefined ? DEFAULT_DEADLINE_MS : int('deadline', opts.deadline, 0) * 1000;
  const clusters = opts.photosRoot ? createClusterService({ root: opts.photosRoot }) : null;
  const metrics = new ServerMetrics();
  const service = await createService({ db: opts.db, onInference: metrics.observeInference, deadlineMs, workers });
  if (authOff) process.stderr.write(`\n*** ${PROTECTED_MODE_WARNING} ***\n\n`);
  const fetchUrls = { enabled: Boolean(opts.fetchUrls || envFlag('FACEKIT_FETCH_URLS')), allowPrivate: Boolean(opts.fetchPrivateUrls || envFlag('FACEKIT_FETCH_PRIVATE_URLS')) };
  return startServer({
    service, keyStore, metrics, host: opts.host, port, limits, auditLog: opts.auditLog, imageRoot: opts.imageRoot ?? null, fetchUrls, clusters, logger: { level: 'info' },
  });
}

/**
 * `facekit serve`. The face service comes from the factory the caller passes (the library's
 * createService), so this file compiles and is testable without the library.
 */
export function registerServe(program: Command, createService: CreateService): void {
  program
    .command('serve')
    .description('run the REST API (OpenAPI docs at /docs); without API keys it binds loopback only and runs without auth')
    .option('--port <n>', 'port', '3000')
    .option('--host <h>', 'address to bind; anything but loopback needs an API key (facekit keys create)', '127.0.0.1')
    .option('--db <file|url>', 'gallery store: a SQLite file or postgres://... (default: gallery.db in $FACEKIT_DATA_DIR, else $XDG_DATA_HOME/facekit; :memory: for none)')
    .option('--keys-file <file>', `API keys file (default: ${defaultKeysFile()})`)
    .option('--audit-log <file>', 'JSON-lines log of every write', defaultAuditLog())
    .option('--image-root <dir>', 'let deepface-style requests name image files under this directory')
    .option('--fetch-urls', 'let deepface-style requests name http(s) image URLs for the server to fetch (public addresses only; env FACEKIT_FETCH_URLS=1)')
    .option('--fetch-private-urls', 'with --fetch-urls, also fetch from private and loopback addresses (env FACEKIT_FETCH_PRIVATE_URLS=1)')
    .option('--photos-root <dir>', 'photo folders under this directory can be clustered and searched (/v1/clusters, /v1/find and the page)')
    .option('--workers <n>', `inference worker threads, each with its own models and its share of the cores (default: one per core, up to ${MAX_DEFAULT_WORKERS}; here ${defaultWorkerCount()})`)
    .option('--concurrency <n>', `inference jobs at once (default: the number of workers, at least ${DEFAULT_LIMITS.concurrency})`)
    .option('--max-queued <n>', 'jobs allowed to wait before 503', String(DEFAULT_LIMITS.maxQueued))
    .option('--rate <n>', 'requests per minute per key (0: unlimited)', String(DEFAULT_LIMITS.rateMax))
    .option('--max-body-mb <n>', 'largest JSON body in MiB', String(DEFAULT_LIMITS.bodyBytes / 1024 / 1024))
    .option('--max-pixels <n>', 'largest decoded image in pixels', String(DEFAULT_LIMITS.maxPixels))
    .option('--deadline <s>', 'seconds one image\'s work may take before the request fails with TIMEOUT (503) and its inference worker is replaced (0: none)', String(DEFAULT_DEADLINE_MS / 1000))
    .option('--auth-failures <n>', 'failed authentications per client address per minute before its requests get 429 (0: unlimited)', String(DEFAULT_LIMITS.authFailuresMax))
    .action(action(async (opts: ServeOptions) => {
      const { app } = await runServe(opts, createService);
      (await import('../../server/server.js')).closeOnSignals(app);
    }));
}
