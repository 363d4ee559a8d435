/** Collections on PostgreSQL; needs FACEKIT_TEST_PG_URL (`eval "$(scripts/ci-postgres.sh)"`), else skipped. */
import { collectionsContract } from './collections-contract.ts';
import { databases, PG_URL, skipAll } from './pg-database.ts';

if (!PG_URL) skipAll('postgres collections tests');
else collectionsContract('postgres', databases(PG_URL));
