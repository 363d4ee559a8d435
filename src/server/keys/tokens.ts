import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys are `fk_<id>_<secret>`: the id finds the record without scanning, the secret is 32
 * random bytes. Only sha256(secret) is stored; a slow hash (scrypt) buys nothing for 256 bits of
 * randomness and would cost milliseconds on every request.
 */
export const KEY_PREFIX = 'fk_';

export interface NewToken {
  id: string;
  secret: string;
  token: string;
  hash: string;
}

export function newToken(): NewToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `${KEY_PREFIX}${id}_${secret}`, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Splits a presented token; null when it is not shaped like one of ours. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const m = /^fk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1], secret: m[2] } : null;
}

/**
 * The key id of a token not minted by facekit (deepface's DEEPFACE_AUTH_TOKEN, see
 * env-token.ts): derived from the token itself, as such a token carries no id.
 */
export function foreignTokenId(token: string): string {
  return `ext-${createHash('sha256').update(`facekit-key-id:${token}`, 'utf8').digest('hex').slice(0, 16)}`;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
