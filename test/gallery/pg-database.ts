/** Fresh PostgreSQL databases for tests, on the server named by FACEKIT_TEST_PG_URL. */
import { after, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.FACEKIT_TEST_PG_URL;
export const PG_SKIP = 'FACEKIT_TEST_PG_URL is not set (run `eval "$(scripts/ci-postgres.sh)"` to start a throwaway server)';

export function skipAll(what: string): void {
  test(what, { skip: PG_SKIP }, () => {});
}

/** a factory of fresh databases, all dropped when the file's tests end */
export function databases(base: string): () => Promise<string> {
  const admin = new pg.Pool({ connectionString: base, max: 1 });
  const created: string[] = [];
  after(async () => {
    for (const db of created) await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  });
  return async () => {
    const name = `facekit_t_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    created.push(name);
    const u = new URL(base);
    u.pathname = `/${name}`;
    return u.toString();
  };
}
