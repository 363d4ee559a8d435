import { FacekitError } from '../../errors/index.js';
import { parseCollections, type Scope } from './scopes.js';
import type { ApiKeyRecord, KeyStore } from './store.js';
import { foreignTokenId, newToken, parseToken, secretMatches } from './tokens.js';

/** What `keys list` and GET /v1/keys show: never the hash. */
export interface KeyInfo {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt?: string;
  /** the only collections the key may use; absent: all */
  collections?: string[];
}

export function keyInfo(r: ApiKeyRecord): KeyInfo {
  return { id: r.id, name: r.name, scopes: [...r.scopes], createdAt: r.createdAt, ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}), ...(r.collections ? { collections: [...r.collections] } : {}) };
}

/** Creates a key; the returned token is shown once and never stored. */
export async function createKey(store: KeyStore, opts: { scopes: Scope[]; name?: string; collections?: readonly string[] }): Promise<{ token: string; key: KeyInfo }> {
  if (opts.scopes.length === 0) throw new FacekitError('BAD_ARGUMENT', 'a key needs at least one scope');
  const collections = opts.collections === undefined ? undefined : parseCollections(opts.collections);
  const t = newToken();
  const record: ApiKeyRecord = { id: t.id, name: opts.name ?? '', scopes: [...opts.scopes], hash: t.hash, createdAt: new Date().toISOString(), ...(collections ? { collections } : {}) };
  await store.add(record);
  return { token: t.token, key: keyInfo(record) };
}

export async function listKeys(store: KeyStore, opts: { includeRevoked?: boolean } = {}): Promise<KeyInfo[]> {
  return (await store.list()).filter((k) => opts.includeRevoked || !k.revokedAt).map(keyInfo);
}

export async function revokeKey(store: KeyStore, id: string): Promise<void> {
  if (!(await store.revoke(id))) throw new FacekitError('NOT_FOUND', `no active API key with id '${id}'`);
}

/** The key a presented token belongs to, or null when it matches none. */
export async function authenticate(store: KeyStore, token: string): Promise<ApiKeyRecord | null> {
  // a token not minted here (keys/env-token.ts) is its own secret, under an id derived from it
  const parsed = parseToken(token) ?? { id: foreignTokenId(token), secret: token };
  const record = await store.find(parsed.id);
  if (!record) return null;
  return (await secretMatches(parsed.secret, record.hash)) ? record : null;
}
