import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { FacekitError } from '../../errors/index.js';
import { fileStamp } from '../../file-cache.js';
import type { Scope } from './scopes.js';
import { isUnsaltedHash, saltUnsaltedHash } from './tokens.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: Scope[];
  /** the secret's salted scrypt hash (tokens.ts); files from before salting held its hex sha256 */
  hash: string;
  createdAt: string;
  revokedAt?: string;
  /** the gallery collections this key may read and write; absent: every collection */
  collections?: string[];
}

/** Where API keys live. Async so a database-backed store can implement it too. */
export interface KeyStore {
  /** every record, revoked ones included */
  list(): Promise<ApiKeyRecord[]>;
  /** an active (not revoked) key by id */
  find(id: string): Promise<ApiKeyRecord | undefined>;
  activeCount(): Promise<number>;
  add(record: ApiKeyRecord): Promise<void>;
  /** false when no active key has that id */
  revoke(id: string): Promise<boolean>;
}

export function defaultKeysFile(): string {
  return process.env.FACEKIT_KEYS_FILE ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'facekit', 'keys.json');
}

interface KeysFile {
  version: 1;
  keys: ApiKeyRecord[];
}

/**
 * Keys in one JSON file, mode 0600, replaced atomically (temp file + rename) so a crash never
 * leaves half a file. The file is re-read when its mtime or size changes, so keys created or
 * revoked with the CLI take effect on a running server without a restart.
 */
export class FileKeyStore implements KeyStore {
  readonly path: string;
  private cache: { stamp: string; keys: ApiKeyRecord[] } | null = null;

  constructor(path: string = defaultKeysFile()) {
    this.path = path;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.load().map((k) => ({ ...k }));
  }

  async find(id: string): Promise<ApiKeyRecord | undefined> {
    return this.load().find((k) => k.id === id && !k.revokedAt);
  }

  async activeCount(): Promise<number> {
    return this.load().filter((k) => !k.revokedAt).length;
  }

  async add(record: ApiKeyRecord): Promise<void> {
    const keys = this.load();
    if (keys.some((k) => k.id === record.id)) throw new FacekitError('CONFLICT', `key id ${record.id} already exists`);
    this.save([...keys, record]);
  }

  async revoke(id: string): Promise<boolean> {
    const keys = this.load();
    const k = keys.find((x) => x.id === id && !x.revokedAt);
    if (!k) return false;
    this.save(keys.map((x) => (x === k ? { ...x, revokedAt: new Date().toISOString() } : x)));
    return true;
  }

  private stamp(): string | null {
    return fileStamp(this.path);
  }

  private load(): ApiKeyRecord[] {
    const stamp = this.stamp();
    if (stamp === null) return [];
    if (this.cache?.stamp === stamp) return this.cache.keys;
    let parsed: KeysFile;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8')) as KeysFile;
    } catch (e) {
      throw new FacekitError('STORE_ERROR', `cannot read API keys file ${this.path}: ${(e as Error).message}`);
    }
    if (!parsed || !Array.isArray(parsed.keys)) throw new FacekitError('STORE_ERROR', `API keys file ${this.path} has no "keys" list`);
    if (parsed.keys.some((k) => isUnsaltedHash(k.hash)) && this.saltUnsalted(parsed.keys, stamp)) return this.load();
    this.cache = { stamp, keys: parsed.keys };
    return parsed.keys;
  }

  /**
   * Rewrites a file from before salting (entries holding the secret's plain sha256) into salted
   * scrypt entries, which verify the same tokens (tokens.ts hashes sha256(secret)). Only when the
   * file is still the one read, so a key another process added meanwhile is not overwritten; true
   * when the file should be read again. A file that cannot be written (read-only config) keeps
   * working as it is, with a warning.
   */
  private saltUnsalted(keys: ApiKeyRecord[], stamp: string): boolean {
    const salted = keys.map((k) => ({ ...k, hash: saltUnsaltedHash(k.hash) ?? k.hash }));
    try {
      this.save(salted, stamp);
      return true;
    } catch (e) {
      process.emitWarning(`API keys file ${this.path} holds unsalted key hashes and could not be rewritten: ${(e as Error).message}`);
      return false;
    }
  }

  /** Replaces the file atomically; with `ifStamp`, only if the file still has that stamp (else returns leaving it). */
  private save(keys: ApiKeyRecord[], ifStamp?: string): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    const body: KeysFile = { version: 1, keys };
    writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    this.cache = null;
    if (ifStamp !== undefined && this.stamp() !== ifStamp) {
      rmSync(tmp, { force: true });
      return;
    }
    renameSync(tmp, this.path);
  }
}

/** For tests and embedding: keys held in memory only. */
export class MemoryKeyStore implements KeyStore {
  private keys: ApiKeyRecord[] = [];
  async list(): Promise<ApiKeyRecord[]> { return this.keys.map((k) => ({ ...k })); }
  async find(id: string): Promise<ApiKeyRecord | undefined> { return this.keys.find((k) => k.id === id && !k.revokedAt); }
  async activeCount(): Promise<number> { return this.keys.filter((k) => !k.revokedAt).length; }
  async add(record: ApiKeyRecord): Promise<void> {
    if (this.keys.some((k) => k.id === record.id)) throw new FacekitError('CONFLICT', `key id ${record.id} already exists`);
    this.keys.push(record);
  }
  async revoke(id: string): Promise<boolean> {
    const k = this.keys.find((x) => x.id === id && !x.revokedAt);
    if (!k) return false;
    k.revokedAt = new Date().toISOString();
    return true;
  }
}
