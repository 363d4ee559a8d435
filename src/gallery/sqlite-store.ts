/**
 * GalleryStore on one SQLite file (better-sqlite3, WAL). better-sqlite3 is synchronous; the async
 * surface is kept so callers treat both stores alike. Write transactions are BEGIN IMMEDIATE so
 * several processes writing the same file queue on the lock (busy_timeout) instead of failing
 * with SQLITE_BUSY on a read->write upgrade.
 *
 * Several processes may share the file, as they may share a PostgreSQL database: each write
 * transaction also appends what it changed to the `changes` table, and a store with a listener
 * polls `PRAGMA data_version` (which moves only when another connection commits, and costs no
 * I/O beyond the WAL index) to read the new rows and report them like PostgreSQL's NOTIFYs.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { FacekitError } from '../errors/index.js';
import { chooseCodec, resolveKey, type EmbeddingCodec } from './codec.js';
import { COLLECTION_SIDE_TABLES, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { DEFAULT_COLLECTION, type Collection, type CollectionSettings, type ContentVersion, type FaceRecord, type GalleryChange, type GalleryStore, type KeptCrop, type Metadata, type NewFace, type NewPerson, type Page, type Person } from './types.js';
import { checkCollectionName, checkCollectionSettings, checkId, checkMetadata, checkName, checkNewFaces, collectionNotFound, notFound } from './validate.js';
import { changeConcerns, checkFaceModels, collectionGraphDir } from './collections.js';
import { newFaceRecord, newPersonRecord } from './new-records.js';

interface PersonRow {
  id: string;
  name: string;
  metadata: string;
  created: string;
}
interface FaceRow {
  id: string;
  person_id: string;
  model: string;
  embedding: Buffer;
  dims: number;
  detector_score: number | null;
  quality: number | null;
  box: string | null;
  image_sha256: string | null;
  created: string;
}

export interface SqliteStoreOptions {
  /** 32-byte key (hex/base64 text or Buffer); undefined = read FACEKIT_GALLERY_KEY; null = no encryption */
  encryptionKey?: string | Buffer | null;
  /** ms to wait for another writer's lock */
  busyTimeoutMs?: number;
  /** ms between looks for other processes' commits, once something listens (default 500) */
  changePollMs?: number;
  /** the collection to read and write (default 'default'); it must exist */
  collection?: string;
}

interface CollectionRow {
  name: string;
  model: string | null;
  created: string;
  settings: string;
}

function toCollection(r: CollectionRow): Collection {
  return { name: r.name, model: r.model, created: r.created, settings: JSON.parse(r.settings) as CollectionSettings };
}

/** change rows kept; a reader that fell further behind (a suspended process) reloads everything */
const CHANGES_KEPT = 10_000;

/** A change as a write describes it; the row adds this instance's id as its origin. */
type WithoutOrigin<C> = C extends GalleryChange ? Omit<C, 'origin'> : never;
type ChangeRecord = WithoutOrigin<GalleryChange>;

function toPerson(r: PersonRow): Person {
  return { id: r.id, name: r.name, metadata: JSON.parse(r.metadata) as Metadata, created: r.created };
}

export class SqliteStore implements GalleryStore {
  readonly kind = 'sqlite' as const;
  readonly instanceId = randomUUID();
  readonly collection: string;
  private readonly db: Database.Database;
  private readonly codec: EmbeddingCodec;
  private readonly changePollMs: number;
  private readonly listeners: ((c: GalleryChange) => void)[] = [];
  private poller: NodeJS.Timeout | null = null;
  /** the last change row read (or present at open) */
  private lastSeq: number;
  private dataVersion: number;

  readonly graphCacheDir: string | null;

  private constructor(db: Database.Database, codec: EmbeddingCodec, path: string, changePollMs: number, collection: string) {
    this.db = db;
    this.collection = collection;
    this.codec = codec;
    this.changePollMs = changePollMs;
    this.lastSeq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM changes').get() as { seq: number }).seq;
    this.dataVersion = this.readDataVersion();
    // an in-memory or temporary database has no place on disk to keep graphs
    this.graphCacheDir = path === '' || path === ':memory:' || path.startsWith('file::memory:') ? null : collectionGraphDir(`${path}-graphs`, collection);
  }

  get encrypted(): boolean {
    return this.codec.encrypted;
  }

  /**
   * The open file and the key's codec, for records other modules keep in the same file
   * (src/strangers/sql.ts knows its type). Typed unknown so the published .d.ts does not name
   * better-sqlite3's types, which a consumer's strict TypeScript would then need installed.
   */
  get handle(): { db: unknown; codec: EmbeddingCodec } {
    return { db: this.db, codec: this.codec };
  }

  static async open(path: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const collection = checkCollectionName(opts.collection ?? DEFAULT_COLLECTION);
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 10000}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    } catch (e) {
      throw new FacekitError('STORE_ERROR', `cannot open SQLite gallery ${path}: ${(e as Error).message}`);
    }
    try {
      migrate(db);
      const key = resolveKey(opts.encryptionKey);
      const codec = db.transaction(() => {
        const check = (db.prepare(`SELECT value FROM settings WHERE key = 'key_check'`).get() as { value: string } | undefined)?.value ?? null;
        const count = (db.prepare('SELECT COUNT(*) AS n FROM faces').get() as { n: number }).n;
        const chosen = chooseCodec(check, key, count, path);
        if (chosen.newKeyCheck) db.prepare(`INSERT OR REPLACE INTO settings (key, value) VALUES ('key_check', ?)`).run(chosen.newKeyCheck);
        return chosen.codec;
      }).immediate();
      if (!db.prepare('SELECT 1 FROM collections WHERE name = ?').get(collection)) throw collectionNotFound(collection);
      return new SqliteStore(db, codec, path, opts.changePollMs ?? 500, collection);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  onChange(listener: (change: GalleryChange) => void): void {
    this.listeners.push(listener);
    if (this.poller) return;
    this.poller = setInterval(() => this.pollChanges(), this.changePollMs);
    this.poller.unref(); // a CLI command's open gallery must not keep the process alive
  }

  private readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  /** Reports the change rows other connections committed since the last look. */
  private pollChanges(): void {
    if (!this.db.open) return;
    try {
      const version = this.readDataVersion();
      if (version === this.dataVersion) return;
      this.dataVersion = version;
      const rows = this.db.prepare('SELECT seq, change FROM changes WHERE seq > ? ORDER BY seq').all(this.lastSeq) as { seq: number; change: string }[];
      if (rows.length === 0) return;
      const missed = rows[0].seq > this.lastSeq + 1; // pruned before this store read them
      this.lastSeq = rows[rows.length - 1].seq;
      if (missed) {
        this.emit({ op: 'resync', origin: 'poller' });
        return;
      }
      for (const r of rows) {
        const c = JSON.parse(r.change) as GalleryChange;
        if (changeConcerns(c, this.collection)) this.emit(c);
      }
    } catch (e) {
      process.emitWarning(`facekit gallery: reading other processes' changes failed: ${(e as Error).message}`);
    }
  }

  private emit(c: GalleryChange): void {
    for (const l of this.listeners) l(c);
  }

  /** Appends a change row inside the caller's write transaction, pruning the oldest. */
  private logChange(change: ChangeRecord): void {
    const seq = Number(this.db.prepare('INSERT INTO changes (change) VALUES (?)').run(JSON.stringify({ ...change, origin: this.instanceId, collection: this.collection })).lastInsertRowid);
    if (seq % 1000 === 0) this.db.prepare('DELETE FROM changes WHERE seq <= ?').run(seq - CHANGES_KEPT);
  }

  private faceFromRow(r: FaceRow): FaceRecord {
    return {
      id: r.id,
      personId: r.person_id,
      model: r.model,
      embedding: this.codec.decode(r.embedding, r.id),
      dims: r.dims,
      detectorScore: r.detector_score,
      quality: r.quality,
      box: r.box ? JSON.parse(r.box) : null,
      imageSha256: r.image_sha256,
      created: r.created,
    };
  }

  /** this store's collection, read inside a write transaction: a deleted collection takes no more writes */
  private requireCollection(): Collection {
    const row = this.db.prepare('SELECT * FROM collections WHERE name = ?').get(this.collection) as CollectionRow | undefined;
    if (!row) throw collectionNotFound(this.collection);
    return toCollection(row);
  }

  private insertPerson(p: NewPerson): Person {
    const person = newPersonRecord(p);
    this.requireCollection();
    try {
      this.db.prepare('INSERT INTO people (id, name, metadata, created, collection) VALUES (?, ?, ?, ?, ?)').run(person.id, person.name, JSON.stringify(person.metadata), person.created, this.collection);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new FacekitError('CONFLICT', `person ${person.id} already exists`, { personId: person.id });
      throw e;
    }
    return person;
  }

  private insertFaces(personId: string, faces: NewFace[]): FaceRecord[] {
    const collection = this.requireCollection();
    checkFaceModels(collection, faces);
    const stmt = this.db.prepare(
      'INSERT INTO faces (id, person_id, model, embedding, dims, detector_score, quality, box, image_sha256, created, collection) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const keep = this.db.prepare('INSERT INTO face_crops (face_id, collection, crop, face) VALUES (?, ?, ?, ?)');
    const created = new Date().toISOString();
    return faces.map((f) => {
      const rec = newFaceRecord(personId, f, created);
      try {
        stmt.run(rec.id, personId, rec.model, this.codec.encode(rec.embedding), rec.dims, rec.detectorScore, rec.quality, rec.box ? JSON.stringify(rec.box) : null, rec.imageSha256, rec.created, this.collection);
        if (collection.settings.keepCrops && f.crop) keep.run(rec.id, this.collection, this.codec.encodeBytes(f.crop.image), JSON.stringify(f.crop.face));
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new FacekitError('CONFLICT', `face ${rec.id} already exists`, { faceId: rec.id });
        throw e;
      }
      return rec;
    });
  }

  private requirePerson(id: string): Person {
    checkId(id, 'person');
    const row = this.db.prepare('SELECT * FROM people WHERE id = ? AND collection = ?').get(id, this.collection) as PersonRow | undefined;
    if (!row) throw notFound('person', id);
    return toPerson(row);
  }

  async createPerson(p: NewPerson): Promise<Person> {
    return this.db
      .transaction(() => {
        const person = this.insertPerson(p);
        this.logChange({ op: 'person', personId: person.id });
        return person;
      })
      .immediate();
  }

  async enrollPerson(p: NewPerson, faces: NewFace[]): Promise<{ person: Person; faces: FaceRecord[] }> {
    checkNewFaces(faces);
    return this.db
      .transaction(() => {
        const person = this.insertPerson(p);
        const added = this.insertFaces(person.id, faces);
        this.logChange({ op: 'person', personId: person.id });
        this.logChange({ op: 'faces-added', faceIds: added.map((f) => f.id) });
        return { person, faces: added };
      })
      .immediate();
  }

  async getPerson(id: string): Promise<Person> {
    return this.requirePerson(id);
  }

  async findPerson(id: string): Promise<Person | null> {
    const row = this.db.prepare('SELECT * FROM people WHERE id = ? AND collection = ?').get(id, this.collection) as PersonRow | undefined;
    return row ? toPerson(row) : null;
  }

  async listPeople(opts: { offset?: number; limit?: number } = {}): Promise<Page<Person>> {
    const { offset, limit } = pageArgs(opts);
    const rows = this.db.prepare('SELECT * FROM people WHERE collection = ? ORDER BY created, id LIMIT ? OFFSET ?').all(this.collection, limit, offset) as PersonRow[];
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM people WHERE collection = ?').get(this.collection) as { n: number }).n;
    return { items: rows.map(toPerson), total, offset, limit };
  }

  async renamePerson(id: string, name: string): Promise<Person> {
    checkName(name);
    return this.db
      .transaction(() => {
        const p = this.requirePerson(id);
        this.db.prepare('UPDATE people SET name = ? WHERE id = ?').run(name, id);
        this.logChange({ op: 'person', personId: id });
        return { ...p, name };
      })
      .immediate();
  }

  async setMetadata(id: string, metadata: Metadata): Promise<Person> {
    const m = checkMetadata(metadata);
    return this.db
      .transaction(() => {
        const p = this.requirePerson(id);
        this.db.prepare('UPDATE people SET metadata = ? WHERE id = ?').run(JSON.stringify(m), id);
        this.logChange({ op: 'person', personId: id });
        return { ...p, metadata: m };
      })
      .immediate();
  }

  async deletePerson(id: string): Promise<{ faceIds: string[] }> {
    return this.db
      .transaction(() => {
        this.requirePerson(id);
        const faceIds = (this.db.prepare('SELECT id FROM faces WHERE person_id = ?').all(id) as { id: string }[]).map((r) => r.id);
        this.db.prepare('DELETE FROM faces WHERE person_id = ?').run(id);
        this.db.prepare('DELETE FROM people WHERE id = ?').run(id);
        this.logChange({ op: 'person-deleted', personId: id, faceIds });
        return { faceIds };
      })
      .immediate();
  }

  async addFaces(personId: string, faces: NewFace[]): Promise<FaceRecord[]> {
    checkNewFaces(faces);
    return this.db
      .transaction(() => {
        this.requirePerson(personId);
        const added = this.insertFaces(personId, faces);
        this.logChange({ op: 'faces-added', faceIds: added.map((f) => f.id) });
        return added;
      })
      .immediate();
  }

  async listFaces(personId: string): Promise<FaceRecord[]> {
    this.requirePerson(personId);
    const rows = this.db.prepare('SELECT * FROM faces WHERE person_id = ? ORDER BY created, id').all(personId) as FaceRow[];
    return rows.map((r) => this.faceFromRow(r));
  }

  async getFacesByIds(ids: string[]): Promise<FaceRecord[]> {
    if (ids.length === 0) return [];
    const rows = this.db.prepare('SELECT * FROM faces WHERE id IN (SELECT value FROM json_each(?)) AND collection = ?').all(JSON.stringify(ids), this.collection) as FaceRow[];
    return rows.map((r) => this.faceFromRow(r));
  }

  async deleteFace(id: string): Promise<FaceRecord> {
    checkId(id, 'face');
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT * FROM faces WHERE id = ? AND collection = ?').get(id, this.collection) as FaceRow | undefined;
        if (!row) throw notFound('face', id);
        this.db.prepare('DELETE FROM faces WHERE id = ?').run(id);
        this.logChange({ op: 'face-deleted', faceId: id });
        return this.faceFromRow(row);
      })
      .immediate();
  }

  async *allFaces(batchSize = 5000): AsyncIterable<FaceRecord[]> {
    let after = '';
    const stmt = this.db.prepare('SELECT * FROM faces WHERE collection = ? AND id > ? ORDER BY id LIMIT ?');
    for (;;) {
      const rows = stmt.all(this.collection, after, batchSize) as FaceRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map((r) => this.faceFromRow(r));
    }
  }

  async *allPeople(batchSize = 5000): AsyncIterable<Person[]> {
    let after = '';
    const stmt = this.db.prepare('SELECT * FROM people WHERE collection = ? AND id > ? ORDER BY id LIMIT ?');
    for (;;) {
      const rows = stmt.all(this.collection, after, batchSize) as PersonRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map(toPerson);
    }
  }

  async contentVersion(): Promise<ContentVersion> {
    const rows = this.db.prepare(`SELECT key, value FROM settings WHERE key IN ('gallery_id', 'faces_version')`).all() as { key: string; value: string }[];
    const get = (k: string) => rows.find((r) => r.key === k)?.value ?? '';
    return { gallery: get('gallery_id'), faces: Number(get('faces_version')) };
  }

  async countFaces(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM faces WHERE collection = ?').get(this.collection) as { n: number }).n;
  }

  // ---- collections ------------------------------------------------------------------------

  async listCollections(): Promise<Collection[]> {
    return (this.db.prepare('SELECT * FROM collections ORDER BY created, name').all() as CollectionRow[]).map(toCollection);
  }

  async getCollection(name: string): Promise<Collection> {
    const row = this.db.prepare('SELECT * FROM collections WHERE name = ?').get(checkCollectionName(name)) as CollectionRow | undefined;
    if (!row) throw collectionNotFound(name);
    return toCollection(row);
  }

  async createCollection(c: { name: string; model?: string | null; settings?: CollectionSettings }): Promise<Collection> {
    const rec: Collection = { name: checkCollectionName(c.name), model: c.model ?? null, created: new Date().toISOString(), settings: checkCollectionSettings(c.settings) };
    try {
      this.db.prepare('INSERT INTO collections (name, model, created, settings) VALUES (?, ?, ?, ?)').run(rec.name, rec.model, rec.created, JSON.stringify(rec.settings));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new FacekitError('CONFLICT', `collection ${rec.name} already exists`, { collection: rec.name });
      throw e;
    }
    return rec;
  }

  async updateCollection(name: string, patch: { model?: string | null; settings?: CollectionSettings }): Promise<Collection> {
    checkCollectionName(name);
    const settings = patch.settings === undefined ? undefined : checkCollectionSettings(patch.settings);
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT * FROM collections WHERE name = ?').get(name) as CollectionRow | undefined;
        if (!row) throw collectionNotFound(name);
        const next = { ...toCollection(row), ...(patch.model !== undefined ? { model: patch.model } : {}), ...(settings ? { settings } : {}) };
        this.db.prepare('UPDATE collections SET model = ?, settings = ? WHERE name = ?').run(next.model, JSON.stringify(next.settings), name);
        return next;
      })
      .immediate();
  }

  async deleteCollection(name: string): Promise<{ people: number; faces: number }> {
    checkCollectionName(name);
    if (name === DEFAULT_COLLECTION) throw new FacekitError('BAD_ARGUMENT', 'the default collection cannot be deleted (delete its people instead)');
    return this.db
      .transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM collections WHERE name = ?').get(name)) throw collectionNotFound(name);
        for (const table of COLLECTION_SIDE_TABLES) this.db.prepare(`DELETE FROM ${table} WHERE collection = ?`).run(name);
        const faces = this.db.prepare('DELETE FROM faces WHERE collection = ?').run(name).changes;
        const people = this.db.prepare('DELETE FROM people WHERE collection = ?').run(name).changes;
        this.db.prepare('DELETE FROM collections WHERE name = ?').run(name);
        // every instance open on that collection drops its index (it reloads an empty one)
        this.db.prepare('INSERT INTO changes (change) VALUES (?)').run(JSON.stringify({ op: 'resync', origin: this.instanceId, collection: name }));
        return { people, faces };
      })
      .immediate();
  }

  async cropCounts(): Promise<{ model: string; faces: number; withCrop: number }[]> {
    return this.db
      .prepare('SELECT f.model AS model, COUNT(*) AS faces, COUNT(c.face_id) AS withCrop FROM faces f LEFT JOIN face_crops c ON c.face_id = f.id WHERE f.collection = ? GROUP BY f.model ORDER BY f.model')
      .all(this.collection) as { model: string; faces: number; withCrop: number }[];
  }

  async *allCrops(batchSize = 500): AsyncIterable<{ faceId: string; personId: string; model: string; crop: KeptCrop }[]> {
    let after = '';
    const stmt = this.db.prepare('SELECT c.face_id, c.crop, c.face, f.person_id, f.model FROM face_crops c JOIN faces f ON f.id = c.face_id WHERE c.collection = ? AND c.face_id > ? ORDER BY c.face_id LIMIT ?');
    for (;;) {
      const rows = stmt.all(this.collection, after, batchSize) as { face_id: string; crop: Buffer; face: string; person_id: string; model: string }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1].face_id;
      yield rows.map((r) => ({ faceId: r.face_id, personId: r.person_id, model: r.model, crop: { image: this.codec.decodeBytes(r.crop, `the kept crop of face ${r.face_id}`), face: JSON.parse(r.face) as KeptCrop['face'] } }));
    }
  }

  async replaceEmbeddings(model: string, faces: { faceId: string; embedding: Float32Array }[]): Promise<void> {
    this.db
      .transaction(() => {
        this.requireCollection();
        this.db.prepare('CREATE TEMP TABLE IF NOT EXISTS kept_faces (id TEXT PRIMARY KEY)').run();
        this.db.prepare('DELETE FROM temp.kept_faces').run();
        const keep = this.db.prepare('INSERT INTO temp.kept_faces (id) VALUES (?)');
        const update = this.db.prepare('UPDATE faces SET model = ?, embedding = ?, dims = ? WHERE id = ? AND collection = ?');
        for (const f of faces) {
          keep.run(f.faceId);
          update.run(model, this.codec.encode(f.embedding), f.embedding.length, f.faceId, this.collection);
        }
        this.db.prepare('DELETE FROM faces WHERE collection = ? AND id NOT IN (SELECT id FROM temp.kept_faces)').run(this.collection);
        this.db.prepare('DELETE FROM temp.kept_faces').run();
        this.db.prepare('UPDATE collections SET model = ? WHERE name = ?').run(model, this.collection);
        this.logChange({ op: 'resync' });
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    if (this.db.open) this.db.close();
  }
}

export function pageArgs(opts: { offset?: number; limit?: number }): { offset: number; limit: number } {
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(offset) || offset < 0) throw new FacekitError('BAD_ARGUMENT', `offset must be a non-negative integer, got ${offset}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw new FacekitError('BAD_ARGUMENT', `limit must be an integer in 1..10000, got ${limit}`);
  return { offset, limit };
}

function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    let current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) throw new FacekitError('STORE_ERROR', `gallery schema version ${current} is newer than this facekit understands (${SCHEMA_VERSION})`);
    if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sqlite);
      db.prepare('UPDATE schema_version SET version = ?').run(m.version);
      current = m.version;
    }
  }).immediate();
}
