import { join } from 'node:path';
import { after } from 'node:test';
import { reliabilityTests } from './reliability.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('facekit-sqlite-rel-');
after(tmp.cleanup);
let n = 0;
reliabilityTests('sqlite', async () => join(tmp.dir, `r${n++}.db`));
