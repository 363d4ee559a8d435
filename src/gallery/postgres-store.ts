/**
 * GalleryStore on PostgreSQL (`pg`). Several facekit processes may share one database: every write
 * transaction also NOTIFYs what changed (ids only: NOTIFY payloads are capped at 8000 bytes), the
 * notification is delivered on commit, and each process's listener fetches the rows it needs and
 * updates its own index. A lost listener connection is reported as a 'resync' change.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { FacekitError } from '../errors/index.js';
import { chooseCodec, resolveKey, type EmbeddingCodec } from './codec.js';
import { COLLECTION_SIDE_TABLES, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { pageArgs } from './sqlite-store.js';
import { DEFAULT_COLLECTION, type Collection, type CollectionSettings, type FaceRecord, type GalleryChange, type GalleryStore, type KeptCrop, type Metadata, type NewFace, type NewPerson, type Page, type Person } from './types.js';
import { checkCollectionName, checkCollectionSettings, checkId, checkMetadata, checkName, checkNewFaces, collectionNotFound, notFound } from './validate.js';
import { changeConcerns, checkFaceModels } from './collections.js';
import { newFaceRecord, newPersonRecord } from './new-records.js';

export const CHANNEL = 'facekit_gallery';
/** face ids per notification, keeping payloads well under PostgreSQL's 8000-byte cap */
const IDS_PER_NOTIFY = 150;
/** any fixed number, shared by every facekit process, serialising migrations */
const MIGRATION_LOCK = 0x7ace_c17;

export interface PostgresStoreOptions {
  encryptionKey?: string | Buffer | null;
  /** pool size (default 4) */
  maxConnections?: number;
  /** listen for other processes' changes (default true) */
  listen?: boolean;
  /** the collection to read and write (default 'default'); it must exist */
  collection?: string;
}

interface CollectionRow {
  name: string;
  model: string | null;
  created: Date;
  settings: CollectionSettings;
}

function toCollection(r: CollectionRow): Collection {
  return { name: r.name, model: r.model, created: new Date(r.created).toISOString(), settings: r.settings ?? {} };
}

interface PersonRow {
  id: string;
  name: string;
  metadata: Metadata;
  created: Date;
}
interface FaceRow {
  id: string;
  person_id: string;
  model: string;
  embedding: Buffer;
  dims: number;
  detector_score: number | null;
  quality: number | null;
  box: FaceRecord['box'];
  image_sha256: string | null;
  created: Date;
}

function toPerson(r: PersonRow): Person {
  return { id: r.id, name: r.name, metadata: r.metadata ?? {}, created: new Date(r.created).toISOString() };
}

function storeError(e: unknown, url: string): never {
  if (e instanceof FacekitError) throw e;
  throw new FacekitError('STORE_ERROR', `PostgreSQL gallery ${redact(url)}: ${(e as Error).message}`);
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export class PostgresStore implements GalleryStore {
  readonly kind = 'postgres' as const;
  readonly instanceId = randomUUID();
  readonly collection: string;
  private readonly pool: pg.Pool;
  private readonly url: string;
  private codec!: EmbeddingCodec;
  private listener: pg.Client | null = null;
  private readonly listeners: ((c: GalleryChange) => void)[] = [];
  private closed = false;

  private constructor(url: string, pool: pg.Pool, collection: string) {
    this.url = url;
    this.collection = collection;
    this.pool = pool;
    // an idle client's connection dying must not crash the process
    pool.on('error', () => undefined);
  }

  get encrypted(): boolean {
    return this.codec.encrypted;
  }

  /** the pool and the key's codec, for records other modules keep in the same database (src/strangers/sql.ts knows its type; unknown here, as in sqlite-store.ts) */
  get handle(): { pool: unknown; codec: EmbeddingCodec; url: string } {
    return { pool: this.pool, codec: this.codec, url: this.url };
  }

  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const collection = checkCollectionName(opts.collection ?? DEFAULT_COLLECTION);
    const store = new PostgresStore(url, new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 4 }), collection);
    try {
      const key = resolveKey(opts.encryptionKey);
      await store.tx(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await migrate(c);
        const check = (await c.query(`SELECT value FROM settings WHERE key = 'key_check'`)).rows[0]?.value ?? null;
        const count = Number((await c.query('SELECT COUNT(*) AS n FROM faces')).rows[0].n);
        const chosen = chooseCodec(check, key, count, redact(url));
        if (chosen.newKeyCheck) {
          await c.query(`INSERT INTO settings (key, value) VALUES ('key_check', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [chosen.newKeyCheck]);
        }
        store.codec = chosen.codec;
        if ((await c.query('SELECT 1 FROM collections WHERE name = $1', [collection])).rows.length === 0) throw collectionNotFound(collection);
      });
      if (opts.listen !== false) await store.startListening();
      return store;
    } catch (e) {
      await store.pool.end().catch(() => undefined);
      storeError(e, url);
    }
  }

  onChange(listener: (change: GalleryChange) => void): void {
    this.listeners.push(listener);
  }

  private emit(c: GalleryChange): void {
    for (const l of this.listeners) l(c);
  }

  private async startListening(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        const change = JSON.parse(msg.payload) as GalleryChange;
        if (changeConcerns(change, this.collection)) this.emit(change);
      } catch {
        // a foreign payload on our channel: ignore it
      }
    });
    const lost = () => {
      if (this.closed || this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => {
        if (this.closed) return;
        this.startListening()
          .then(() => this.emit({ op: 'resync', origin: 'listener' }))
          .catch(() => lost());
      }, 500).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect().catch((e) => storeError(e, this.url));
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (e) {
      storeError(e, this.url);
    }
  }

  private async notify(c: pg.PoolClient, change: Record<string, unknown>): Promise<void> {
    await c.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ ...change, origin: this.instanceId, collection: this.collection })]);
  }

  private async notifyFaces(c: pg.PoolClient, faceIds: string[]): Promise<void> {
    for (let i = 0; i < faceIds.length; i += IDS_PER_NOTIFY) {
      await this.notify(c, { op: 'faces-added', faceIds: faceIds.slice(i, i + IDS_PER_NOTIFY) });
    }
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
      box: r.box ?? null,
      imageSha256: r.image_sha256,
      created: new Date(r.created).toISOString(),
    };
  }

  /** this store's collection, share-locked for the caller's transaction: a deleted collection takes no more writes */
  private async requireCollection(c: pg.PoolClient): Promise<Collection> {
    const r = await c.query<CollectionRow>('SELECT * FROM collections WHERE name = $1 FOR SHARE', [this.collection]);
    if (r.rows.length === 0) throw collectionNotFound(this.collection);
    return toCollection(r.rows[0]);
  }

  private async insertPerson(c: pg.PoolClient, p: NewPerson): Promise<Person> {
    const person = newPersonRecord(p);
    await this.requireCollection(c);
    try {
      await c.query('INSERT INTO people (id, name, metadata, created, collection) VALUES ($1, $2, $3, $4, $5)', [person.id, person.name, JSON.stringify(person.metadata), person.created, this.collection]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new FacekitError('CONFLICT', `person ${person.id} already exists`, { personId: person.id });
      throw e;
    }
    return person;
  }

  private async insertFaces(c: pg.PoolClient, personId: string, faces: NewFace[]): Promise<FaceRecord[]> {
    const collection = await this.requireCollection(c);
    checkFaceModels(collection, faces);
    const created = new Date().toISOString();
    const out: FaceRecord[] = [];
    for (const f of faces) {
      const rec = newFaceRecord(personId, f, created);
      try {
        await c.query(
          'INSERT INTO faces (id, person_id, model, embedding, dims, detector_score, quality, box, image_sha256, created, collection) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
          [rec.id, personId, rec.model, this.codec.encode(rec.embedding), rec.dims, rec.detectorScore, rec.quality, rec.box ? JSON.stringify(rec.box) : null, rec.imageSha256, rec.created, this.collection],
        );
        if (collection.settings.keepCrops && f.crop) {
          await c.query('INSERT INTO face_crops (face_id, collection, crop, face) VALUES ($1, $2, $3, $4)', [rec.id, this.collection, this.codec.encodeBytes(f.crop.image), JSON.stringify(f.crop.face)]);
        }
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === '23505') throw new FacekitError('CONFLICT', `face ${rec.id} already exists`, { faceId: rec.id });
        if (code === '23503') throw notFound('person', personId);
        throw e;
      }
      out.push(rec);
    }
    await this.notifyFaces(c, out.map((f) => f.id));
    return out;
  }

  private async lockPerson(c: pg.PoolClient, id: string): Promise<Person> {
    checkId(id, 'person');
    const r = await c.query<PersonRow>('SELECT * FROM people WHERE id = $1 AND collection = $2 FOR UPDATE', [id, this.collection]);
    if (r.rows.length === 0) throw notFound('person', id);
    return toPerson(r.rows[0]);
  }

  private run<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.tx(fn).catch((e) => storeError(e, this.url));
  }

  async createPerson(p: NewPerson): Promise<Person> {
    return this.run(async (c) => {
      const person = await this.insertPerson(c, p);
      await this.notify(c, { op: 'person', personId: person.id });
      return person;
    });
  }

  async enrollPerson(p: NewPerson, faces: NewFace[]): Promise<{ person: Person; faces: FaceRecord[] }> {
    checkNewFaces(faces);
    return this.run(async (c) => {
      const person = await this.insertPerson(c, p);
      await this.notify(c, { op: 'person', personId: person.id });
      return { person, faces: await this.insertFaces(c, person.id, faces) };
    });
  }

  async getPerson(id: string): Promise<Person> {
    checkId(id, 'person');
    const p = await this.findPerson(id);
    if (!p) throw notFound('person', id);
    return p;
  }

  async findPerson(id: string): Promise<Person | null> {
    const rows = await this.query<PersonRow>('SELECT * FROM people WHERE id = $1 AND collection = $2', [id, this.collection]);
    return rows[0] ? toPerson(rows[0]) : null;
  }

  async listPeople(opts: { offset?: number; limit?: number } = {}): Promise<Page<Person>> {
    const { offset, limit } = pageArgs(opts);
    const rows = await this.query<PersonRow>('SELECT * FROM people WHERE collection = $3 ORDER BY created, id LIMIT $1 OFFSET $2', [limit, offset, this.collection]);
    const total = Number((await this.query<{ n: string }>('SELECT COUNT(*) AS n FROM people WHERE collection = $1', [this.collection]))[0].n);
    return { items: rows.map(toPerson), total, offset, limit };
  }

  async renamePerson(id: string, name: string): Promise<Person> {
    checkName(name);
    return this.run(async (c) => {
      const p = await this.lockPerson(c, id);
      await c.query('UPDATE people SET name = $1 WHERE id = $2', [name, id]);
      await this.notify(c, { op: 'person', personId: id });
      return { ...p, name };
    });
  }

  async setMetadata(id: string, metadata: Metadata): Promise<Person> {
    const m = checkMetadata(metadata);
    return this.run(async (c) => {
      const p = await this.lockPerson(c, id);
      await c.query('UPDATE people SET metadata = $1 WHERE id = $2', [JSON.stringify(m), id]);
      await this.notify(c, { op: 'person', personId: id });
      return { ...p, metadata: m };
    });
  }

  async deletePerson(id: string): Promise<{ faceIds: string[] }> {
    return this.run(async (c) => {
      await this.lockPerson(c, id);
      const faceIds = (await c.query<{ id: string }>('DELETE FROM faces WHERE person_id = $1 RETURNING id', [id])).rows.map((r) => r.id);
      await c.query('DELETE FROM people WHERE id = $1', [id]);
      // receivers also drop every face they hold for the person, so the id list may be cut short
      await this.notify(c, { op: 'person-deleted', personId: id, faceIds: faceIds.slice(0, IDS_PER_NOTIFY) });
      return { faceIds };
    });
  }

  async addFaces(personId: string, faces: NewFace[]): Promise<FaceRecord[]> {
    checkNewFaces(faces);
    return this.run(async (c) => {
      // FOR SHARE keeps a concurrent deletePerson from slipping in between the check and the insert
      checkId(personId, 'person');
      const r = await c.query('SELECT 1 FROM people WHERE id = $1 AND collection = $2 FOR SHARE', [personId, this.collection]);
      if (r.rows.length === 0) throw notFound('person', personId);
      return this.insertFaces(c, personId, faces);
    });
  }

  async listFaces(personId: string): Promise<FaceRecord[]> {
    await this.getPerson(personId);
    const rows = await this.query<FaceRow>('SELECT * FROM faces WHERE person_id = $1 ORDER BY created, id', [personId]);
    return rows.map((r) => this.faceFromRow(r));
  }

  async getFacesByIds(ids: string[]): Promise<FaceRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.query<FaceRow>('SELECT * FROM faces WHERE id = ANY($1::text[]) AND collection = $2', [ids, this.collection]);
    return rows.map((r) => this.faceFromRow(r));
  }

  async deleteFace(id: string): Promise<FaceRecord> {
    checkId(id, 'face');
    return this.run(async (c) => {
      const r = await c.query<FaceRow>('DELETE FROM faces WHERE id = $1 AND collection = $2 RETURNING *', [id, this.collection]);
      if (r.rows.length === 0) throw notFound('face', id);
      await this.notify(c, { op: 'face-deleted', faceId: id });
      return this.faceFromRow(r.rows[0]);
    });
  }

  async *allFaces(batchSize = 5000): AsyncIterable<FaceRecord[]> {
    let after = '';
    for (;;) {
      const rows = await this.query<FaceRow>('SELECT * FROM faces WHERE collection = $3 AND id > $1 ORDER BY id LIMIT $2', [after, batchSize, this.collection]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map((r) => this.faceFromRow(r));
    }
  }

  async *allPeople(batchSize = 5000): AsyncIterable<Person[]> {
    let after = '';
    for (;;) {
      const rows = await this.query<PersonRow>('SELECT * FROM people WHERE collection = $3 AND id > $1 ORDER BY id LIMIT $2', [after, batchSize, this.collection]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map(toPerson);
    }
  }

  async countFaces(): Promise<number> {
    return Number((await this.query<{ n: string }>('SELECT COUNT(*) AS n FROM faces WHERE collection = $1', [this.collection]))[0].n);
  }

  // ---- collections ------------------------------------------------------------------------

  async listCollections(): Promise<Collection[]> {
    return (await this.query<CollectionRow>('SELECT * FROM collections ORDER BY created, name')).map(toCollection);
  }

  async getCollection(name: string): Promise<Collection> {
    const rows = await this.query<CollectionRow>('SELECT * FROM collections WHERE name = $1', [checkCollectionName(name)]);
    if (rows.length === 0) throw collectionNotFound(name);
    return toCollection(rows[0]);
  }

  async createCollection(c: { name: string; model?: string | null; settings?: CollectionSettings }): Promise<Collection> {
    const rec: Collection = { name: checkCollectionName(c.name), model: c.model ?? null, created: new Date().toISOString(), settings: checkCollectionSettings(c.settings) };
    try {
      await this.pool.query('INSERT INTO collections (name, model, created, settings) VALUES ($1, $2, $3, $4)', [rec.name, rec.model, rec.created, JSON.stringify(rec.settings)]);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new FacekitError('CONFLICT', `collection ${rec.name} already exists`, { collection: rec.name });
      storeError(e, this.url);
    }
    return rec;
  }

  async updateCollection(name: string, patch: { model?: string | null; settings?: CollectionSettings }): Promise<Collection> {
    checkCollectionName(name);
    const settings = patch.settings === undefined ? undefined : checkCollectionSettings(patch.settings);
    return this.run(async (c) => {
      const r = await c.query<CollectionRow>('SELECT * FROM collections WHERE name = $1 FOR UPDATE', [name]);
      if (r.rows.length === 0) throw collectionNotFound(name);
      const next = { ...toCollection(r.rows[0]), ...(patch.model !== undefined ? { model: patch.model } : {}), ...(settings ? { settings } : {}) };
      await c.query('UPDATE collections SET model = $1, settings = $2 WHERE name = $3', [next.model, JSON.stringify(next.settings), name]);
      return next;
    });
  }

  async deleteCollection(name: string): Promise<{ people: number; faces: number }> {
    checkCollectionName(name);
    if (name === DEFAULT_COLLECTION) throw new FacekitError('BAD_ARGUMENT', 'the default collection cannot be deleted (delete its people instead)');
    return this.run(async (c) => {
      // FOR UPDATE waits for writers holding it FOR SHARE, and makes later ones find it gone
      const r = await c.query('SELECT 1 FROM collections WHERE name = $1 FOR UPDATE', [name]);
      if (r.rows.length === 0) throw collectionNotFound(name);
      for (const table of COLLECTION_SIDE_TABLES) await c.query(`DELETE FROM ${table} WHERE collection = $1`, [name]);
      const faces = (await c.query('DELETE FROM faces WHERE collection = $1', [name])).rowCount ?? 0;
      const people = (await c.query('DELETE FROM people WHERE collection = $1', [name])).rowCount ?? 0;
      await c.query('DELETE FROM collections WHERE name = $1', [name]);
      // every instance open on that collection drops its index (it reloads an empty one)
      await c.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ op: 'resync', origin: this.instanceId, collection: name })]);
      return { people, faces };
    });
  }

  async cropCounts(): Promise<{ model: string; faces: number; withCrop: number }[]> {
    const rows = await this.query<{ model: string; faces: string; with_crop: string }>(
      'SELECT f.model AS model, COUNT(*) AS faces, COUNT(c.face_id) AS with_crop FROM faces f LEFT JOIN face_crops c ON c.face_id = f.id WHERE f.collection = $1 GROUP BY f.model ORDER BY f.model',
      [this.collection],
    );
    return rows.map((r) => ({ model: r.model, faces: Number(r.faces), withCrop: Number(r.with_crop) }));
  }

  async *allCrops(batchSize = 500): AsyncIterable<{ faceId: string; personId: string; model: string; crop: KeptCrop }[]> {
    let after = '';
    for (;;) {
      const rows = await this.query<{ face_id: string; crop: Buffer; face: KeptCrop['face']; person_id: string; model: string }>(
        'SELECT c.face_id, c.crop, c.face, f.person_id, f.model FROM face_crops c JOIN faces f ON f.id = c.face_id WHERE c.collection = $1 AND c.face_id > $2 ORDER BY c.face_id LIMIT $3',
        [this.collection, after, batchSize],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1].face_id;
      yield rows.map((r) => ({ faceId: r.face_id, personId: r.person_id, model: r.model, crop: { image: this.codec.decodeBytes(r.crop, `the kept crop of face ${r.face_id}`), face: r.face } }));
    }
  }

  async replaceEmbeddings(model: string, faces: { faceId: string; embedding: Float32Array }[]): Promise<void> {
    await this.run(async (c) => {
      await c.query('SELECT 1 FROM collections WHERE name = $1 FOR UPDATE', [this.collection]);
      for (const f of faces) {
        await c.query('UPDATE faces SET model = $1, embedding = $2, dims = $3 WHERE id = $4 AND collection = $5', [model, this.codec.encode(f.embedding), f.embedding.length, f.faceId, this.collection]);
      }
      await c.query('DELETE FROM faces WHERE collection = $1 AND NOT (id = ANY($2::text[]))', [this.collection, faces.map((f) => f.faceId)]);
      await c.query('UPDATE collections SET model = $1 WHERE name = $2', [model, this.collection]);
      await this.notify(c, { op: 'resync' });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const l = this.listener;
    this.listener = null;
    if (l) await l.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

async function migrate(c: pg.PoolClient): Promise<void> {
  await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = (await c.query<{ version: number }>('SELECT version FROM schema_version')).rows[0];
  let current = row?.version ?? 0;
  if (current > SCHEMA_VERSION) throw new FacekitError('STORE_ERROR', `gallery schema version ${current} is newer than this facekit understands (${SCHEMA_VERSION})`);
  if (!row) await c.query('INSERT INTO schema_version (version) VALUES (0)');
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    await c.query(m.postgres);
    await c.query('UPDATE schema_version SET version = $1', [m.version]);
    current = m.version;
  }
}
