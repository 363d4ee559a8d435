/** facekit's REST server: build it around a FaceService and a KeyStore. */
export { buildServer, startServer, closeOnSignals, DEFAULT_LIMITS, type BuildServerOptions, type ServerLimits, type FacekitServer } from './server.ts';
export type * from './service.ts';
export { ServerMetrics } from './metrics.ts';
export { WorkQueue } from './queue.ts';
export { FileKeyStore, MemoryKeyStore, defaultKeysFile, type KeyStore, type ApiKeyRecord } from './keys/store.ts';
export { createKey, listKeys, revokeKey, authenticate, type KeyInfo } from './keys/manage.ts';
export { SCOPES, parseScopes, type Scope } from './keys/scopes.ts';
export { isLoopback, checkBind } from './plugins/auth.ts';
export { DEEPFACE_MODELS, DEEPFACE_DETECTORS } from './deepface/names.ts';
