/**
 * Strangers, sightings and corrections in the gallery's own database (tables of migration 5), over
 * SQLite or PostgreSQL through sql.ts. Embeddings and crops go through the gallery's codec, so they
 * are sealed with the gallery key when one is set. Every row carries the store's collection.
 */
import { randomUUID } from 'node:crypto';
import { FacekitError } from '../errors/index.js';
import type { Gallery, GalleryStore } from '../gallery/index.js';
import { dbOf, type Db, type Row, type Sql } from './sql.js';
import { DEFAULT_COLLECTION, type Correction, type CorrectionOrigin, type NewSighting, type NewStrangerFace, type Sighting, type Stranger, type StrangerFace } from './types.js';

/** best faces kept per stranger (by quality) */
export const STRANGER_FACES_KEPT = 12;
const RETENTION_KEY = 'sightings_retention_days';

export interface SightingQuery {
  personId?: string;
  /** a stranger and every stranger merged into it */
  strangerIds?: string[];
  /** ISO time: sightings that ended at or after it */
  since?: string;
  source?: string;
  limit?: number;
  offset?: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toSighting(r: Row): Sighting {
  return {
    id: r.id as string, personId: (r.person_id as string) ?? null, name: (r.name as string) ?? null, strangerId: (r.stranger_id as string) ?? null,
    source: r.source as string, trackId: num(r.track_id), startTime: Number(r.start_time), endTime: Number(r.end_time),
    startedAt: r.started_at as string, endedAt: r.ended_at as string, quality: num(r.quality), model: (r.model as string) ?? null, created: r.created as string,
  };
}

function toStranger(r: Row): Stranger {
  return {
    id: r.id as string, mergedInto: (r.merged_into as string) ?? null, personId: (r.person_id as string) ?? null,
    created: r.created as string, lastSeen: r.last_seen as string, sightings: Number(r.sightings ?? 0), faces: Number(r.faces ?? 0),
  };
}

export interface PersonRecordsMoved {
  sightings: string[];
  strangers: string[];
  corrections: string[];
}

const stores = new WeakMap<GalleryStore, FootageStore>();

export class FootageStore {
  private constructor(readonly db: Db, readonly collection: string) {}

  /** the footage store of a gallery (one per open gallery store) */
  static of(gallery: Gallery | GalleryStore): FootageStore {
    const store = 'store' in gallery ? gallery.store : gallery;
    let s = stores.get(store);
    if (!s) stores.set(store, (s = new FootageStore(dbOf(store), store.collection ?? DEFAULT_COLLECTION)));
    return s;
  }

  get encrypted(): boolean {
    return this.db.codec.encrypted;
  }

  // ---- strangers ------------------------------------------------------------------------------

  /** a new stranger with its first faces; ids count up per gallery (stranger-1, stranger-2, ...) */
  async newStranger(faces: NewStrangerFace[], at: string): Promise<Stranger> {
    return this.db.tx(async (sql) => {
      const seq = Number((await sql.all(
        `INSERT INTO settings (key, value) VALUES ('stranger_seq', '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT) RETURNING value`,
      ))[0].value);
      const id = `stranger-${seq}`;
      await sql.run('INSERT INTO strangers (id, collection, seq, created, last_seen) VALUES (?, ?, ?, ?, ?)', [id, this.collection, seq, at, at]);
      await this.insertFaces(sql, id, faces, at);
      return { id, mergedInto: null, personId: null, created: at, lastSeen: at, sightings: 0, faces: faces.length };
    });
  }

  /** more faces of a stranger; only the best `keep` by quality stay */
  async addStrangerFaces(id: string, faces: NewStrangerFace[], at: string, keep = STRANGER_FACES_KEPT): Promise<void> {
    await this.db.tx(async (sql) => {
      const n = await sql.run('UPDATE strangers SET last_seen = ? WHERE id = ?', [at, id]);
      if (n === 0) throw new FacekitError('NOT_FOUND', `stranger ${id} not found`);
      await this.insertFaces(sql, id, faces, at);
      for (const model of new Set(faces.map((f) => f.model))) {
        const rows = await sql.all('SELECT id FROM stranger_faces WHERE stranger_id = ? AND model = ? ORDER BY quality DESC, created DESC', [id, model]);
        for (const r of rows.slice(keep)) await sql.run('DELETE FROM stranger_faces WHERE id = ?', [r.id]);
      }
    });
  }

  private async insertFaces(sql: Sql, strangerId: string, faces: NewStrangerFace[], at: string): Promise<void> {
    const c = this.db.codec;
    for (const f of faces) {
      await sql.run(
        'INSERT INTO stranger_faces (id, collection, stranger_id, model, embedding, quality, crop, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [randomUUID(), this.collection, strangerId, f.model, c.encode(f.embedding), f.quality, f.crop ? c.encodeBytes(f.crop) : null, at],
      );
    }
  }

  async listStrangers(opts: { all?: boolean } = {}): Promise<Stranger[]> {
    const rows = await this.db.all(
      `SELECT s.*, (SELECT COUNT(*) FROM sightings g WHERE g.stranger_id = s.id) AS sightings,
              (SELECT COUNT(*) FROM stranger_faces f WHERE f.stranger_id = s.id) AS faces
       FROM strangers s WHERE s.collection = ? ${opts.all ? '' : 'AND s.merged_into IS NULL AND s.person_id IS NULL'} ORDER BY s.seq`,
      [this.collection],
    );
    return rows.map(toStranger);
  }

  async getStranger(id: string): Promise<Stranger> {
    const rows = await this.db.all(
      `SELECT s.*, (SELECT COUNT(*) FROM sightings g WHERE g.stranger_id = s.id) AS sightings,
              (SELECT COUNT(*) FROM stranger_faces f WHERE f.stranger_id = s.id) AS faces
       FROM strangers s WHERE s.id = ? AND s.collection = ?`,
      [id, this.collection],
    );
    if (!rows[0]) throw new FacekitError('NOT_FOUND', `stranger ${id} not found`);
    return toStranger(rows[0]);
  }

  /** the stranger an id now stands for: itself, or the one it was merged into (transitively) */
  async rootOf(id: string): Promise<Stranger> {
    let s = await this.getStranger(id);
    for (let hops = 0; s.mergedInto && hops < 1000; hops++) s = await this.getStranger(s.mergedInto);
    return s;
  }

  /** a root stranger and every stranger merged into it */
  async membersOf(rootId: string): Promise<string[]> {
    const all = await this.db.all('SELECT id, merged_into FROM strangers WHERE collection = ?', [this.collection]);
    const children = new Map<string, string[]>();
    for (const r of all) if (r.merged_into) children.set(r.merged_into as string, [...(children.get(r.merged_into as string) ?? []), r.id as string]);
    const out = [rootId];
    for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
    return out;
  }

  /** faces of the strangers still unknown (not named), with the root each stands for */
  async strangerFaces(model?: string): Promise<(StrangerFace & { seq: number; mergedInto: string | null })[]> {
    const rows = await this.db.all(
      `SELECT f.*, s.seq, s.merged_into FROM stranger_faces f JOIN strangers s ON s.id = f.stranger_id
       WHERE s.collection = ? AND s.person_id IS NULL ${model ? 'AND f.model = ?' : ''} ORDER BY s.seq, f.quality DESC`,
      model ? [this.collection, model] : [this.collection],
    );
    return rows.map((r) => ({
      id: r.id as string, strangerId: r.stranger_id as string, model: r.model as string, embedding: this.db.codec.decode(r.embedding as Buffer, `stranger face ${r.id}`),
      quality: Number(r.quality), crop: r.crop ? this.db.codec.decodeBytes(r.crop as Buffer, `stranger face ${r.id}`) : null, created: r.created as string,
      seq: Number(r.seq), mergedInto: (r.merged_into as string) ?? null,
    }));
  }

  /** `from` (and what was merged into it) now counts as `into`; undone by unmergeStranger(from) */
  async mergeStrangers(from: string, into: string): Promise<void> {
    const a = await this.rootOf(from);
    const b = await this.rootOf(into);
    if (a.id === b.id) return;
    if (a.personId || b.personId) throw new FacekitError('CONFLICT', `stranger ${a.personId ? a.id : b.id} is already named; merge people instead`);
    await this.db.run('UPDATE strangers SET merged_into = ? WHERE id = ?', [b.id, a.id]);
  }

  async unmergeStranger(id: string): Promise<void> {
    const s = await this.getStranger(id);
    if (!s.mergedInto) throw new FacekitError('BAD_ARGUMENT', `stranger ${id} was not merged into another`);
    await this.db.run('UPDATE strangers SET merged_into = NULL WHERE id = ?', [id]);
  }

  /** the strangers now are this person: their sightings carry the person too */
  async assignStrangers(ids: string[], personId: string): Promise<number> {
    return this.db.tx(async (sql) => {
      let n = 0;
      for (const id of ids) {
        await sql.run('UPDATE strangers SET person_id = ? WHERE id = ?', [personId, id]);
        n += await sql.run('UPDATE sightings SET person_id = ? WHERE stranger_id = ?', [personId, id]);
      }
      return n;
    });
  }

  // ---- sightings ------------------------------------------------------------------------------

  async addSighting(s: NewSighting): Promise<string> {
    if (!s.personId && !s.strangerId) throw new FacekitError('BAD_ARGUMENT', 'a sighting is of a person or of a stranger');
    const id = randomUUID();
    const c = this.db.codec;
    await this.db.tx(async (sql) => {
      await sql.run(
        `INSERT INTO sightings (id, collection, person_id, stranger_id, source, track_id, start_time, end_time, started_at, ended_at, quality, model, embedding, crop, created)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [id, this.collection, s.personId ?? null, s.strangerId ?? null, s.source, s.trackId ?? null, s.startTime, s.endTime, s.startedAt, s.endedAt,
          s.quality ?? null, s.model ?? null, s.embedding ? c.encode(s.embedding) : null, s.crop ? c.encodeBytes(s.crop) : null, new Date().toISOString()],
      );
      if (s.strangerId) await sql.run('UPDATE strangers SET last_seen = ? WHERE id = ? AND last_seen < ?', [s.endedAt, s.strangerId, s.endedAt]);
    });
    return id;
  }

  /** the sighting leaves its person; with `asStranger` it becomes a new stranger of that face */
  async detachSighting(id: string, asStranger: NewStrangerFace | null): Promise<void> {
    const strangerId = asStranger ? (await this.newStranger([asStranger], new Date().toISOString())).id : null;
    await this.db.run(`UPDATE sightings SET person_id = NULL${strangerId ? ', stranger_id = ?' : ''} WHERE id = ?`, strangerId ? [strangerId, id] : [id]);
  }

  async listSightings(q: SightingQuery = {}): Promise<Sighting[]> {
    const where = ['g.collection = ?'];
    const params: unknown[] = [this.collection];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (q.personId) add('g.person_id = ?', q.personId);
    if (q.strangerIds) {
      if (q.strangerIds.length === 0) return [];
      add(`g.stranger_id IN (${q.strangerIds.map(() => '?').join(', ')})`, ...q.strangerIds);
    }
    if (q.since) add('g.ended_at >= ?', q.since);
    if (q.source) add('g.source = ?', q.source);
    const rows = await this.db.all(
      `SELECT g.id, g.person_id, g.stranger_id, g.source, g.track_id, g.start_time, g.end_time, g.started_at, g.ended_at, g.quality, g.model, g.created, p.name
       FROM sightings g LEFT JOIN people p ON p.id = g.person_id WHERE ${where.join(' AND ')}
       ORDER BY g.started_at, g.start_time, g.id LIMIT ? OFFSET ?`,
      [...params, q.limit ?? 1000, q.offset ?? 0],
    );
    return rows.map(toSighting);
  }

  async getSighting(id: string): Promise<Sighting & { embedding: Float32Array | null }> {
    const rows = await this.db.all('SELECT g.*, p.name FROM sightings g LEFT JOIN people p ON p.id = g.person_id WHERE g.id = ? AND g.collection = ?', [id, this.collection]);
    if (!rows[0]) throw new FacekitError('NOT_FOUND', `sighting ${id} not found`);
    const r = rows[0];
    return { ...toSighting(r), embedding: r.embedding ? this.db.codec.decode(r.embedding as Buffer, `sighting ${id}`) : null };
  }

  async sightingCrop(id: string): Promise<Buffer | null> {
    const rows = await this.db.all('SELECT crop FROM sightings WHERE id = ? AND collection = ?', [id, this.collection]);
    if (!rows[0]) throw new FacekitError('NOT_FOUND', `sighting ${id} not found`);
    return rows[0].crop ? this.db.codec.decodeBytes(rows[0].crop as Buffer, `sighting ${id}`) : null;
  }

  /** every sighting with a face embedded by `model`, for searching back */
  async sightingEmbeddings(model: string): Promise<{ sighting: Sighting; embedding: Float32Array }[]> {
    const rows = await this.db.all(
      `SELECT g.*, p.name FROM sightings g LEFT JOIN people p ON p.id = g.person_id
       WHERE g.collection = ? AND g.model = ? AND g.embedding IS NOT NULL`,
      [this.collection, model],
    );
    return rows.map((r) => ({ sighting: toSighting(r), embedding: this.db.codec.decode(r.embedding as Buffer, `sighting ${r.id}`) }));
  }

  // ---- corrections ----------------------------------------------------------------------------

  async addCorrection(c: { personId: string; model: string; embedding: Float32Array; origin: CorrectionOrigin; ref?: string | null }): Promise<Correction> {
    const rec: Correction = { id: randomUUID(), personId: c.personId, model: c.model, embedding: c.embedding, origin: c.origin, ref: c.ref ?? null, created: new Date().toISOString() };
    await this.db.run(
      'INSERT INTO corrections (id, collection, person_id, model, embedding, origin, ref, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [rec.id, this.collection, rec.personId, rec.model, this.db.codec.encode(rec.embedding), rec.origin, rec.ref, rec.created],
    );
    return rec;
  }

  async corrections(model?: string): Promise<Correction[]> {
    const rows = await this.db.all(
      `SELECT * FROM corrections WHERE collection = ? ${model ? 'AND model = ?' : ''} ORDER BY created, id`,
      model ? [this.collection, model] : [this.collection],
    );
    return rows.map((r) => ({
      id: r.id as string, personId: r.person_id as string, model: r.model as string, embedding: this.db.codec.decode(r.embedding as Buffer, `correction ${r.id}`),
      origin: r.origin as CorrectionOrigin, ref: (r.ref as string) ?? null, created: r.created as string,
    }));
  }

  /** changes when corrections are added or removed (with their person), so a cached copy can tell it is stale */
  async correctionsVersion(): Promise<string> {
    const r = (await this.db.all('SELECT COUNT(*) AS n, MAX(created) AS last FROM corrections WHERE collection = ?', [this.collection]))[0];
    return `${r.n}:${r.last ?? ''}`;
  }

  // ---- people merges --------------------------------------------------------------------------

  /** moves a person's sightings, named strangers and corrections to another; returns what moved, for undoing */
  async movePersonRecords(fromId: string, intoId: string): Promise<PersonRecordsMoved> {
    return this.db.tx(async (sql) => {
      const ids = async (table: string) => (await sql.all(`SELECT id FROM ${table} WHERE person_id = ?`, [fromId])).map((r) => r.id as string);
      const moved = { sightings: await ids('sightings'), strangers: await ids('strangers'), corrections: await ids('corrections') };
      for (const table of ['sightings', 'strangers', 'corrections']) await sql.run(`UPDATE ${table} SET person_id = ? WHERE person_id = ?`, [intoId, fromId]);
      return moved;
    });
  }

  /** puts records moved by movePersonRecords back on their person */
  async restorePersonRecords(personId: string, moved: PersonRecordsMoved): Promise<void> {
    await this.db.tx(async (sql) => {
      for (const [table, ids] of Object.entries(moved)) for (const id of ids as string[]) await sql.run(`UPDATE ${table} SET person_id = ? WHERE id = ?`, [personId, id]);
    });
  }

  async addPersonMerge(fromId: string, intoId: string, undo: unknown): Promise<string> {
    const id = randomUUID();
    await this.db.run('INSERT INTO person_merges (id, collection, from_id, into_id, undo, created) VALUES (?, ?, ?, ?, ?, ?)', [id, this.collection, fromId, intoId, JSON.stringify(undo), new Date().toISOString()]);
    return id;
  }

  /** the latest merge that removed this person id, or null */
  async personMergeOf(fromId: string): Promise<{ id: string; intoId: string; undo: unknown } | null> {
    const r = (await this.db.all('SELECT * FROM person_merges WHERE from_id = ? AND collection = ? ORDER BY created DESC LIMIT 1', [fromId, this.collection]))[0];
    return r ? { id: r.id as string, intoId: r.into_id as string, undo: JSON.parse(r.undo as string) } : null;
  }

  async deletePersonMerge(id: string): Promise<void> {
    await this.db.run('DELETE FROM person_merges WHERE id = ?', [id]);
  }

  // ---- retention ------------------------------------------------------------------------------

  /** days sightings and unnamed strangers are kept after they were last seen (null: for ever) */
  async retentionDays(): Promise<number | null> {
    const r = (await this.db.all('SELECT value FROM settings WHERE key = ?', [RETENTION_KEY]))[0];
    return r ? Number(r.value) : null;
  }

  async setRetentionDays(days: number | null): Promise<void> {
    if (days === null) {
      await this.db.run('DELETE FROM settings WHERE key = ?', [RETENTION_KEY]);
      return;
    }
    if (!(days > 0) || !Number.isFinite(days)) throw new FacekitError('BAD_ARGUMENT', `retention must be a positive number of days, got ${days}`);
    await this.db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [RETENTION_KEY, String(days)]);
  }

  /** deletes what is older than the retention (unnamed strangers with their faces; sightings) */
  async prune(now = new Date()): Promise<{ sightings: number; strangers: number }> {
    const days = await this.retentionDays();
    if (days === null) return { sightings: 0, strangers: 0 };
    const before = new Date(now.getTime() - days * 86_400_000).toISOString();
    return this.db.tx(async (sql) => {
      const sightings = await sql.run('DELETE FROM sightings WHERE collection = ? AND ended_at < ?', [this.collection, before]);
      await sql.run('UPDATE strangers SET merged_into = NULL WHERE merged_into IN (SELECT id FROM strangers WHERE collection = ? AND person_id IS NULL AND last_seen < ?)', [this.collection, before]);
      const strangers = await sql.run('DELETE FROM strangers WHERE collection = ? AND person_id IS NULL AND last_seen < ?', [this.collection, before]);
      return { sightings, strangers };
    });
  }
}
