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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
