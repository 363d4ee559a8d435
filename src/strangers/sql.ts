/**
 * The two databases a gallery may live in, behind one small surface so the strangers, sightings
 * and corrections store is written once: `?` placeholders (turned into `$n` for PostgreSQL), rows
 * as plain objects, and a write transaction. Both share the gallery's own connection (SQLite) or
 * pool (PostgreSQL) and its key.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { FacekitError } from '../errors/index.js';
import type { GalleryStore } from '../gallery/index.js';

/** the gallery's embedding codec: seals embeddings and bytes with the gallery key when one is set */
export interface Sealer {
  readonly encrypted: boolean;
  encode(v: Float32Array): Buffer;
  decode(stored: Uint8Array, what: string): Float32Array;
  encodeBytes(plain: Buffer): Buffer;
  decodeBytes(stored: Uint8Array, what: string): Buffer;
}

export type Row = Record<string, unknown>;

export interface Sql {
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<number>;
}

export interface Db extends Sql {
  readonly kind: 'sqlite' | 'postgres';
  readonly codec: Sealer;
  /** one write transaction; `fn` must only await calls on the `Sql` it is given */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
}

class SqliteDb implements Db {
  readonly kind = 'sqlite' as const;
  /** transactions of this module run one after another: SQLite has one transaction per connection */
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly db: Database.Database, readonly codec: Sealer) {}

  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return this.db.prepare(sql).run(...params).changes;
  }

  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(this);
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const dollar = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

function pgError(e: unknown): never {
  if (e instanceof FacekitError) throw e;
  throw new FacekitError('STORE_ERROR', `PostgreSQL gallery: ${(e as Error).message}`);
}

class PgSql implements Sql {
  constructor(private readonly q: pg.Pool | pg.PoolClient) {}
  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.q.query(dollar(sql), params)).rows as Row[];
    } catch (e) {
      pgError(e);
    }
  }
  async run(sql: string, params: unknown[] = []): Promise<number> {
    try {
      return (await this.q.query(dollar(sql), params)).rowCount ?? 0;
    } catch (e) {
      pgError(e);
    }
  }
}

class PostgresDb extends PgSql implements Db {
  readonly kind = 'postgres' as const;
  constructor(private readonly pool: pg.Pool, readonly codec: Sealer) {
    super(pool);
  }

  async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const c = await this.pool.connect().catch(pgError);
    try {
      await c.query('BEGIN');
      const out = await fn(new PgSql(c));
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      if (e instanceof FacekitError) throw e;
      pgError(e);
    } finally {
      c.release();
    }
  }
}

/** The gallery store's database, for this module's tables (migration 5). */
export function dbOf(store: GalleryStore): Db {
  const h = (store as { handle?: { db?: Database.Database; pool?: pg.Pool; codec: Sealer } }).handle;
  if (h?.db) return new SqliteDb(h.db, h.codec);
  if (h?.pool) return new PostgresDb(h.pool, h.codec);
  throw new FacekitError('BAD_ARGUMENT', `this gallery store (${store.kind}) keeps no strangers or sightings`);
}
