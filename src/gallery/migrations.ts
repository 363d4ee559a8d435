/**
 * Schema steps, numbered and applied in order inside one transaction each; `schema_version` holds
 * the last applied number. Add a step, never edit one that has shipped.
 */
export interface Migration {
  version: number;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sqlite: `
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE people (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        created TEXT NOT NULL
      );
      CREATE TABLE faces (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        embedding BLOB NOT NULL,
        dims INTEGER NOT NULL,
        detector_score REAL,
        quality REAL,
        box TEXT,
        image_sha256 TEXT,
        created TEXT NOT NULL
      );
      CREATE INDEX faces_person ON faces(person_id);
      CREATE INDEX people_created ON people(created, id);`,
    postgres: `
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE people (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
        created TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE faces (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        embedding BYTEA NOT NULL,
        dims INTEGER NOT NULL,
        detector_score DOUBLE PRECISION,
        quality DOUBLE PRECISION,
        box JSONB,
        image_sha256 TEXT,
        created TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX faces_person ON faces(person_id);
      CREATE INDEX people_created ON people(created, id);`,
  },
  {
    // A content version for SQLite: bumped by every face row inserted, deleted or updated, by any
    // process, so an HNSW graph saved beside the file can tell whether it is still current
    // (graph-cache.ts). gallery_id tells a recreated file at the same path from the old one.
    // PostgreSQL rebuilds the graph at open and needs neither.
    version: 2,
    sqlite: `
      INSERT OR IGNORE INTO settings (key, value) VALUES ('gallery_id', lower(hex(randomblob(16))));
      INSERT OR IGNORE INTO settings (key, value) VALUES ('faces_version', '0');
      CREATE TRIGGER faces_version_insert AFTER INSERT ON faces
        BEGIN UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'faces_version'; END;
      CREATE TRIGGER faces_version_delete AFTER DELETE ON faces
        BEGIN UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'faces_version'; END;
      CREATE TRIGGER faces_version_update AFTER UPDATE ON faces
        BEGIN UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'faces_version'; END;`,
    postgres: `SELECT 1`,
  },
  {
    // SQLite's change feed, PostgreSQL's NOTIFY in a table: every write transaction appends what
    // it changed, so another process sharing the file (the CLI, a second server) can update its
    // index from the rows after the last one it saw (sqlite-store.ts). AUTOINCREMENT: a sequence
    // number is never reused, so a reader can tell that rows it had not read were pruned.
    version: 3,
    sqlite: `CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, change TEXT NOT NULL);`,
    postgres: `SELECT 1`,
  },
  {
    // Collections: isolated galleries in one database, each with its recognition model (null: any,
    // as the default collection always allowed) and settings (its fitted calibrations, whether face
    // crops are kept). Existing rows join 'default', so a gallery from before keeps working as is.
    // face_crops holds the face crops a collection keeps to re-embed them under another model.
    // No foreign key from people.collection: SQLite cannot add one with a non-null default; the
    // stores check that the collection exists on every write.
    version: 4,
    sqlite: `
      CREATE TABLE collections (
        name TEXT PRIMARY KEY,
        model TEXT,
        created TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}'
      );
      INSERT INTO collections (name, model, created, settings) VALUES ('default', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '{}');
      ALTER TABLE people ADD COLUMN collection TEXT NOT NULL DEFAULT 'default';
      ALTER TABLE faces ADD COLUMN collection TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX people_collection ON people(collection, created, id);
      CREATE INDEX faces_collection ON faces(collection, id);
      CREATE TABLE face_crops (
        face_id TEXT PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
        collection TEXT NOT NULL,
        crop BLOB NOT NULL,
        face TEXT NOT NULL
      );
      CREATE INDEX face_crops_collection ON face_crops(collection, face_id);`,
    postgres: `
      CREATE TABLE collections (
        name TEXT PRIMARY KEY,
        model TEXT,
        created TIMESTAMPTZ NOT NULL,
        settings JSONB NOT NULL DEFAULT '{}'::jsonb
      );
      INSERT INTO collections (name, model, created, settings) VALUES ('default', NULL, now(), '{}'::jsonb);
      ALTER TABLE people ADD COLUMN collection TEXT NOT NULL DEFAULT 'default';
      ALTER TABLE faces ADD COLUMN collection TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX people_collection ON people(collection, created, id);
      CREATE INDEX faces_collection ON faces(collection, id);
      CREATE TABLE face_crops (
        face_id TEXT PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
        collection TEXT NOT NULL,
        crop BYTEA NOT NULL,
        face JSONB NOT NULL
      );
      CREATE INDEX face_crops_collection ON face_crops(collection, face_id);`,
  },
  {
    // Strangers, sightings and corrections (src/strangers): unknown faces kept under stable ids
    // with their best faces, every decided track of a video as a sighting, and "this is not X"
    // facts. Rows of a person go with the person (ON DELETE CASCADE). Embeddings and crops are
    // sealed with the gallery key when one is set. `collection` scopes every row (default one).
    version: 5,
    sqlite: `
      CREATE TABLE strangers (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        seq INTEGER NOT NULL,
        merged_into TEXT REFERENCES strangers(id) ON DELETE SET NULL,
        person_id TEXT REFERENCES people(id) ON DELETE CASCADE,
        created TEXT NOT NULL,
        last_seen TEXT NOT NULL
      );
      CREATE TABLE stranger_faces (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        stranger_id TEXT NOT NULL REFERENCES strangers(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        embedding BLOB NOT NULL,
        quality REAL NOT NULL,
        crop BLOB,
        created TEXT NOT NULL
      );
      CREATE INDEX stranger_faces_stranger ON stranger_faces(stranger_id);
      CREATE TABLE sightings (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        person_id TEXT REFERENCES people(id) ON DELETE CASCADE,
        stranger_id TEXT REFERENCES strangers(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        track_id INTEGER,
        start_time REAL NOT NULL,
        end_time REAL NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        quality REAL,
        model TEXT,
        embedding BLOB,
        crop BLOB,
        created TEXT NOT NULL
      );
      CREATE INDEX sightings_person ON sightings(person_id, started_at);
      CREATE INDEX sightings_stranger ON sightings(stranger_id, started_at);
      CREATE INDEX sightings_ended ON sightings(ended_at);
      CREATE TABLE corrections (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        embedding BLOB NOT NULL,
        origin TEXT NOT NULL,
        ref TEXT,
        created TEXT NOT NULL
      );
      CREATE INDEX corrections_person ON corrections(person_id);
      CREATE TABLE person_merges (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        from_id TEXT NOT NULL,
        into_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        undo TEXT NOT NULL,
        created TEXT NOT NULL
      );`,
    postgres: `
      CREATE TABLE strangers (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        seq INTEGER NOT NULL,
        merged_into TEXT REFERENCES strangers(id) ON DELETE SET NULL,
        person_id TEXT REFERENCES people(id) ON DELETE CASCADE,
        created TEXT NOT NULL,
        last_seen TEXT NOT NULL
      );
      CREATE TABLE stranger_faces (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        stranger_id TEXT NOT NULL REFERENCES strangers(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        embedding BYTEA NOT NULL,
        quality DOUBLE PRECISION NOT NULL,
        crop BYTEA,
        created TEXT NOT NULL
      );
      CREATE INDEX stranger_faces_stranger ON stranger_faces(stranger_id);
      CREATE TABLE sightings (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        person_id TEXT REFERENCES people(id) ON DELETE CASCADE,
        stranger_id TEXT REFERENCES strangers(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        track_id INTEGER,
        start_time DOUBLE PRECISION NOT NULL,
        end_time DOUBLE PRECISION NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        quality DOUBLE PRECISION,
        model TEXT,
        embedding BYTEA,
        crop BYTEA,
        created TEXT NOT NULL
      );
      CREATE INDEX sightings_person ON sightings(person_id, started_at);
      CREATE INDEX sightings_stranger ON sightings(stranger_id, started_at);
      CREATE INDEX sightings_ended ON sightings(ended_at);
      CREATE TABLE corrections (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        embedding BYTEA NOT NULL,
        origin TEXT NOT NULL,
        ref TEXT,
        created TEXT NOT NULL
      );
      CREATE INDEX corrections_person ON corrections(person_id);
      CREATE TABLE person_merges (
        id TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        from_id TEXT NOT NULL,
        into_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        undo TEXT NOT NULL,
        created TEXT NOT NULL
      );`,
  },
];

// applied in version order whatever the order above (steps of parallel branches merge in any order)
MIGRATIONS.sort((a, b) => a.version - b.version);

/**
 * Tables besides people and faces whose rows belong to one collection (migrations 4 and 5), in the
 * order deleting a collection clears them: rows that point at others first.
 */
export const COLLECTION_SIDE_TABLES = ['sightings', 'stranger_faces', 'corrections', 'person_merges', 'strangers', 'face_crops'] as const;

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
