/** facekit's REST server: build it around a FaceService and a KeyStore. */
export { buildServer, startServer, closeOnSignals, type BuildServerOptions, type FacekitServer } from './server.js';
export { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
export type * from './service.js';
export { ServerMetrics } from './metrics.js';
export { WorkQueue } from './queue.js';
export { FileKeyStore, MemoryKeyStore, defaultKeysFile, type KeyStore, type ApiKeyRecord } from './keys/store.js';
export { createKey, listKeys, revokeKey, authenticate, type KeyInfo } from './keys/manage.js';
export { SCOPES, parseScopes, type Scope } from './keys/scopes.js';
export { isLoopback, checkBind } from './plugins/auth.js';
export { DEEPFACE_MODELS, DEEPFACE_DETECTORS } from './deepface/names.js';
