/**
 * PostgreSQL store: the shared contract, reliability, and cross-process visibility. Needs a server:
 * `eval "$(scripts/ci-postgres.sh)"` exports FACEKIT_TEST_PG_URL; without it these tests skip.
 */
import { storeContract } from './contract.ts';
import { crossInstanceTests } from './cross-instance.ts';
import { databases, PG_URL, skipAll } from './pg-database.ts';

if (!PG_URL) {
  skipAll('postgres gallery tests');
} else {
  const newDatabase = databases(PG_URL);
  storeContract('postgres', newDatabase);

  crossInstanceTests('postgres', newDatabase, 1000);
}
