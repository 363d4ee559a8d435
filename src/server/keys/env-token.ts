import { FacekitError } from '../../errors/index.js';
import type { ApiKeyRecord, KeyStore } from './store.js';
import { foreignTokenId, hashSecret } from './tokens.js';

/**
 * deepface's API server reads one bearer token from its environment (DEEPFACE_AUTH_TOKEN) and
 * its clients send it as `Authorization: Bearer <token>`. facekit serves such clients by making
 * that token one of its API keys for the life of the process: with read and write scopes (what
 * deepface's routes need; not admin), listed beside the stored keys, and counted, so it turns
 * authentication on like any key. The key store on disk is not changed.
 */
export const DEEPFACE_TOKEN_ENV = 'DEEPFACE_AUTH_TOKEN';

export function withEnvironmentToken(store: KeyStore, token: string | undefined, name = DEEPFACE_TOKEN_ENV): KeyStore {
  if (token === undefined || token === '') return store;
  if (/\s/.test(token)) throw new FacekitError('BAD_ARGUMENT', `${name} must be one word (it is sent as "Authorization: Bearer <token>")`);
  const record: ApiKeyRecord = { id: foreignTokenId(token), name, scopes: ['read', 'write'], hash: hashSecret(token), createdAt: new Date().toISOString() };
  let revoked = false;
  return {
    list: async () => [...(await store.list()), { ...record, ...(revoked ? { revokedAt: new Date().toISOString() } : {}) }],
    find: async (id) => (id === record.id && !revoked ? record : store.find(id)),
    activeCount: async () => (await store.activeCount()) + (revoked ? 0 : 1),
    add: (r) => store.add(r),
    revoke: async (id) => {
      if (id !== record.id) return store.revoke(id);
      const was = !revoked;
      revoked = true;
      return was;
    },
  };
}
