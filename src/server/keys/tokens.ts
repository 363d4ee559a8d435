import { createHash, createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * API keys are `fk_<id>_<secret>`: the id finds the record without scanning, the secret is 32
 * random bytes. What is stored is a salted scrypt hash, `scrypt$<N>$<r>$<p>$<salt>$<hash>`
 * (base64url), with its cost parameters recorded in each entry so they can be raised later
 * without breaking the keys made before.
 *
 * scrypt rather than HMAC with a server secret: an HMAC secret would have to live somewhere the
 * server reads, in practice beside the keys file, so whoever copies one copies the other; it
 * would have to be shared by every server reading one keys file and backed up with it (lose it
 * and every key dies). A per-key salt needs none of that, and a stolen file costs ~50 ms of
 * scrypt per guess per key. (Minted secrets are 256 bits, so no guess succeeds anyway; the
 * stored form also covers DEEPFACE_AUTH_TOKEN-style foreign tokens, which people choose.)
 *
 * The hash input is sha256(secret): a key file from before salting held exactly that, so its
 * entries are rewritten into this form without knowing the tokens (store.ts migrates them).
 *
 * Speed per request: a verified secret's keyed digest is kept in memory against the stored
 * hash, so scrypt runs once per key per process; later requests cost one HMAC and a
 * constant-time compare. A wrong secret always pays the scrypt (async, off the event loop), and
 * the auth-failure limit (plugins/auth.ts) bounds how often a client can make it.
 */
export const KEY_PREFIX = 'fk_';

/** scrypt's cost: N=2^14, r=8 (16 MiB, ~50 ms on one core of a 2020s machine), p=1. */
export const SCRYPT_COST = { N: 16384, r: 8, p: 1 } as const;

const HASH_BYTES = 32;
const SALT_BYTES = 16;
const SCHEME = 'scrypt';

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

/** sha256 of the secret: the hash input, and what key files stored before salting. */
function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** An entry of a key file from before salting: the hex sha256 of the secret. */
export function isUnsaltedHash(stored: string): boolean {
  return /^[0-9a-f]{64}$/.test(stored);
}

function encode(cost: { N: number; r: number; p: number }, salt: Buffer, hash: Buffer): string {
  return [SCHEME, cost.N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

const scryptOptions = (c: { N: number; r: number; p: number }): ScryptOptions => ({ ...c, maxmem: 256 * c.N * c.r + 1024 * 1024 });

function scryptOf(digest: Buffer, salt = randomBytes(SALT_BYTES)): string {
  return encode(SCRYPT_COST, salt, scryptSync(digest, salt, HASH_BYTES, scryptOptions(SCRYPT_COST)));
}

/** The stored form of a secret: salted scrypt (synchronous: key creation and start-up only). */
export function hashSecret(secret: string): string {
  return scryptOf(secretDigest(secret));
}

/** An unsalted entry (hex sha256) rewritten into the salted form; null when it is not one. */
export function saltUnsaltedHash(stored: string): string | null {
  return isUnsaltedHash(stored) ? scryptOf(Buffer.from(stored, 'hex')) : null;
}

interface ParsedHash {
  cost: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // N a power of two and a bounded cost: a hand-edited file must not make every request allocate gigabytes
  if (!(N > 1 && (N & (N - 1)) === 0 && N <= 2 ** 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return null;
  return { cost: { N, r, p }, salt: Buffer.from(m[4], 'base64url'), hash: Buffer.from(m[5], 'base64url') };
}

/** Per process: in-memory digests of verified secrets are keyed, so they are no plain sha256 either. */
const CACHE_KEY = randomBytes(32);
const MAX_CACHED = 10_000;
/** stored hash -> keyed digest of the secret that matched it */
const verified = new Map<string, Buffer>();

const cacheDigest = (secret: string): Buffer => createHmac('sha256', CACHE_KEY).update(secret, 'utf8').digest();

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a presented secret matches a stored hash (salted scrypt, or an unsalted sha256 entry
 * of a file that could not be rewritten, e.g. read-only). Compares in constant time.
 */
export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const digest = cacheDigest(secret);
  const known = verified.get(stored);
  if (known) return equal(known, digest);
  let ok: boolean;
  if (isUnsaltedHash(stored)) ok = equal(secretDigest(secret), Buffer.from(stored, 'hex'));
  else {
    const parsed = parseHash(stored);
    if (!parsed) return false;
    const derived = await new Promise<Buffer>((resolve, reject) =>
      scrypt(secretDigest(secret), parsed.salt, parsed.hash.length, scryptOptions(parsed.cost), (err, key) => (err ? reject(err) : resolve(key))));
    ok = equal(derived, parsed.hash);
  }
  if (ok) {
    if (verified.size >= MAX_CACHED) verified.delete(verified.keys().next().value!);
    verified.set(stored, digest);
  }
  return ok;
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
