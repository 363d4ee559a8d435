/**
 * Embedding <-> stored bytes. Plain: Float32 little-endian. Encrypted: AES-256-GCM with a fresh
 * 12-byte IV per blob, stored as IV | tag(16) | ciphertext, so a wrong key fails loudly (the tag does
 * not verify) instead of yielding garbage vectors.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FacekitError } from '../errors/index.js';

export const KEY_ENV = 'FACEKIT_GALLERY_KEY';
/** encrypted under the store's key and kept in its settings, to tell a wrong key at open */
const KEY_CHECK_PLAINTEXT = Buffer.from('facekit-gallery-key-check-v1');

export function parseKey(text: string): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else {
    const b = Buffer.from(t, 'base64');
    if (b.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) key = b;
  }
  if (!key) {
    throw new FacekitError('BAD_ARGUMENT', `${KEY_ENV} must be 32 bytes as 64 hex digits or base64 (got ${t.length} characters)`);
  }
  return key;
}

/** the key given explicitly, else from the environment, else none (no encryption) */
export function resolveKey(explicit: string | Buffer | null | undefined): Buffer | null {
  if (explicit === null) return null;
  if (Buffer.isBuffer(explicit)) {
    if (explicit.length !== 32) throw new FacekitError('BAD_ARGUMENT', `encryption key must be 32 bytes, got ${explicit.length}`);
    return explicit;
  }
  const text = explicit ?? process.env[KEY_ENV];
  return text ? parseKey(text) : null;
}

function seal(key: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

export function float32ToBytes(v: Float32Array): Buffer {
  const b = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeFloatLE(v[i], i * 4);
  return b;
}

export function bytesToFloat32(b: Uint8Array): Float32Array {
  if (b.length % 4 !== 0) throw new FacekitError('STORE_ERROR', `stored embedding has ${b.length} bytes, not a multiple of 4`);
  const out = new Float32Array(b.length / 4);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export class EmbeddingCodec {
  constructor(private readonly key: Buffer | null) {}

  get encrypted(): boolean {
    return this.key !== null;
  }

  encode(v: Float32Array): Buffer {
    const plain = float32ToBytes(v);
    return this.key ? seal(this.key, plain) : plain;
  }

  /** other bytes kept beside the embeddings (face crops), sealed the same way */
  encodeBytes(plain: Buffer): Buffer {
    return this.key ? seal(this.key, plain) : plain;
  }

  decodeBytes(stored: Uint8Array, what: string): Buffer {
    const b = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    if (!this.key) return b;
    try {
      return open(this.key, b);
    } catch {
      throw new FacekitError('STORE_ERROR', `cannot decrypt ${what}: wrong ${KEY_ENV} or corrupt data`);
    }
  }

  decode(stored: Uint8Array, faceId: string): Float32Array {
    if (!this.key) return bytesToFloat32(stored);
    try {
      return bytesToFloat32(open(this.key, Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)));
    } catch {
      throw new FacekitError('STORE_ERROR', `cannot decrypt the embedding of face ${faceId}: wrong ${KEY_ENV} or corrupt data`);
    }
  }
}

export function makeKeyCheck(key: Buffer): string {
  return seal(key, KEY_CHECK_PLAINTEXT).toString('base64');
}

/**
 * Decides the codec for an opened store from what the store records and the key at hand:
 * an encrypted store needs the right key; a plain store with faces refuses a key (mixing plain and
 * encrypted blobs would be unreadable later); a plain empty store becomes encrypted when given one.
 * Returns the codec and, when encryption is being switched on, the key check to persist.
 */
export function chooseCodec(
  storedCheck: string | null,
  key: Buffer | null,
  faceCount: number,
  where: string,
): { codec: EmbeddingCodec; newKeyCheck: string | null } {
  if (storedCheck) {
    if (!key) {
      throw new FacekitError('STORE_ERROR', `gallery ${where} is encrypted: set ${KEY_ENV} to its 32-byte key (hex or base64)`);
    }
    let ok: boolean;
    try {
      ok = open(key, Buffer.from(storedCheck, 'base64')).equals(KEY_CHECK_PLAINTEXT);
    } catch {
      ok = false;
    }
    if (!ok) throw new FacekitError('STORE_ERROR', `wrong encryption key for gallery ${where} (${KEY_ENV} does not match the key it was created with)`);
    return { codec: new EmbeddingCodec(key), newKeyCheck: null };
  }
  if (key) {
    if (faceCount > 0) {
      throw new FacekitError(
        'STORE_ERROR',
        `gallery ${where} holds ${faceCount} unencrypted faces; encryption can only be switched on for an empty gallery ` +
          `(export it, then import into a new gallery opened with ${KEY_ENV} set), or unset ${KEY_ENV}`,
      );
    }
    return { codec: new EmbeddingCodec(key), newKeyCheck: makeKeyCheck(key) };
  }
  return { codec: new EmbeddingCodec(null), newKeyCheck: null };
}
