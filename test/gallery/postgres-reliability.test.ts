import { reliabilityTests } from './reliability.ts';
import { databases, PG_URL, skipAll } from './pg-database.ts';

if (!PG_URL) skipAll('postgres reliability tests');
else reliabilityTests('postgres', databases(PG_URL));
