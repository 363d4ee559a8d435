import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import { packageVersion } from '../version.js';
import Fastify, { type FastifyInstance } from 'fastify';
import type { KeyStore } from './keys/store.js';
import { ServerMetrics } from './metrics.js';
import { checkBind, installAuth, PROTECTED_MODE_WARNING } from './plugins/auth.js';
import { AuditLog, installAudit } from './plugins/audit.js';
import { installRequestSignal } from './request-signal.js';
import { installDocs } from './plugins/docs.js';
import { installErrors } from './plugins/errors.js';
import { installMetrics } from './plugins/metrics.js';
import { installRateLimit } from './plugins/rate-limit.js';
import { installUploads } from './plugins/uploads.js';
import { WorkQueue } from './queue.js';
import { HttpError } from './http-error.js';
import { registerClusterRoutes, type ClusterRouteService } from './routes/clusters.js';
import { URLS_OFF, type UrlFetchPolicy } from './deepface/fetch-url.js';
import { registerDeepfaceRoutes } from './routes/deepface.js';
import { registerDetectRoutes } from './routes/detect.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerLivenessRoutes } from './routes/liveness.js';
import { registerPeopleRoutes } from './routes/people.js';
import { registerStreamRoutes, streamsOf } from './routes/streams.js';
import { footageOf, registerStrangerRoutes } from './routes/strangers.js';
import { registerVerifyRoutes } from './routes/verify.js';
import { registerCollectionRoutes } from './routes/collections.js';
import type { FaceService } from './service.js';



export interface BuildServerOptions {
  service: FaceService;
  keyStore: KeyStore;
  /** the address the caller will listen on; decides protected mode */
  host: string;
  port: number;
  limits?: Partial<ServerLimits>;
  /** JSON-lines audit log of every write; null/absent disables */
  auditLog?: string | null;
  /** directory deepface-style image paths may be read from; absent refuses paths */
  imageRoot?: string | null;
  /** whether deepface-style requests may name image URLs for the server to fetch; default off */
  fetchUrls?: Partial<UrlFetchPolicy>;
  /** photo folders for /v1/clusters and /v1/find (src/cluster/service.ts); absent: those routes answer 404 */
  clusters?: ClusterRouteService | null;
  /** pass one in to hand `metrics.observeInference` to the service before building it */
  metrics?: ServerMetrics;
  logger?: boolean | Record<string, unknown>;
}

export interface FacekitServer extends FastifyInstance {
  facekit: { host: string; port: number; queue: WorkQueue; metrics: ServerMetrics; authOff: boolean };
}

/**
 * Builds the REST server around a face service. Refuses (FacekitError BAD_ARGUMENT) to be built
 * for a non-loopback host while no API key exists. Listen with `app.listen({ host, port })` using
 * the same host, or use startServer().
 */
export async function buildServer(opts: BuildServerOptions): Promise<FacekitServer> {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const { authOff } = await checkBind(opts.host, opts.keyStore);
  const version = packageVersion();
  const metrics = opts.metrics ?? new ServerMetrics();
  const queue = new WorkQueue({ concurrency: limits.concurrency, maxQueued: limits.maxQueued });

  const app = Fastify({
    bodyLimit: limits.bodyBytes,
    logger: opts.logger ?? false,
    // our own onRequest hook answers 503 while closing, in the one JSON error shape
    return503OnClosing: false,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, useDefaults: true, allErrors: false, allowUnionTypes: true } },
  }) as unknown as FacekitServer;
  app.decorate('facekit', { host: opts.host, port: opts.port, queue, metrics, authOff });
  if (authOff) app.log.warn(PROTECTED_MODE_WARNING);

  installErrors(app);
  installRequestSignal(app);
  let closing = false;
  app.addHook('onRequest', async () => {
    if (closing) throw new HttpError(503, 'SHUTTING_DOWN', 'server is shutting down; retry on another instance', { 'retry-after': '5', connection: 'close' });
  });
  await installDocs(app, { version });
  installAuth(app, { keyStore: opts.keyStore, host: opts.host, failures: { max: limits.authFailuresMax, windowMs: limits.rateWindowMs } });
  await installRateLimit(app, { max: limits.rateMax, windowMs: limits.rateWindowMs });
  await installUploads(app, { fileBytes: limits.imageBytes, files: limits.files, totalBytes: limits.bodyBytes });
  installAudit(app, opts.auditLog ? new AuditLog(opts.auditLog) : null, { refusalWindowMs: limits.rateWindowMs });
  installMetrics(app, { metrics, service: opts.service, queue });

  const deps = { service: opts.service, queue, maxPixels: limits.maxPixels, imageRoot: opts.imageRoot ?? null };
  registerHealthRoutes(app, { queue, version, authOn: async () => !(await checkBind(opts.host, opts.keyStore)).authOff });
  registerDetectRoutes(app, deps);
  registerVerifyRoutes(app, deps);
  registerLivenessRoutes(app, deps);
  registerPeopleRoutes(app, deps);
  registerKeyRoutes(app, { keyStore: opts.keyStore });
  registerDeepfaceRoutes(app, { ...deps, maxImageBytes: limits.imageBytes, urls: { ...URLS_OFF, maxBytes: limits.imageBytes, ...opts.fetchUrls } });
  registerClusterRoutes(app, { ...deps, clusters: opts.clusters ?? null });
  registerStreamRoutes(app, { ...deps, streams: streamsOf(opts.service) });
  registerCollectionRoutes(app, deps);
  registerStrangerRoutes(app, { ...deps, footage: footageOf(opts.service) });

  // graceful close: Fastify stops accepting and answers new requests 503 while in-flight ones
  // finish; their keep-alive connections are closed as each response goes out (else close()
  // would wait for the keep-alive timeout); then wait for queued inference, release the service
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onClose', async () => {
    await queue.idle();
    await opts.service.close?.();
  });
  return app;
}

/** Builds, listens on opts.host:opts.port, and returns the server with its bound address. */
export async function startServer(opts: BuildServerOptions): Promise<{ app: FacekitServer; address: string }> {
  const app = await buildServer(opts);
  const address = await app.listen({ host: opts.host, port: opts.port });
  return { app, address };
}

/**
 * SIGTERM/SIGINT: stop accepting, let in-flight requests and queued inference finish, close the
 * service, exit. A second signal, or `graceMs` passing, exits at once.
 */
export function closeOnSignals(app: FastifyInstance, opts: { graceMs?: number; signals?: NodeJS.Signals[]; exit?: (code: number) => void } = {}): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return exit(1);
    closing = true;
    app.log.info(`${signal}: finishing in-flight requests, then closing`);
    const timer = setTimeout(() => exit(1), opts.graceMs ?? 30_000);
    timer.unref();
    app.close().then(() => exit(0), (err) => {
      app.log.error({ err }, 'error while closing');
      exit(1);
    });
  };
  for (const s of signals) process.on(s, onSignal);
  return () => { for (const s of signals) process.off(s, onSignal); };
}
