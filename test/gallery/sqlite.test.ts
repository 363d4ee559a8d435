import { join } from 'node:path';
import { after } from 'node:test';
import { storeContract } from './contract.ts';
import { crossInstanceTests } from './cross-instance.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('facekit-sqlite-');
after(tmp.cleanup);
let n = 0;
// alternate plain paths and sqlite: URLs, so both spellings of openGallery are exercised
storeContract('sqlite', async () => (n++ % 2 ? `sqlite:${join(tmp.dir, `g${n}.db`)}` : join(tmp.dir, `g${n}.db`)));
// the same behaviour with every search going through the HNSW graph
storeContract('sqlite/hnsw', async () => join(tmp.dir, `h${n++}.db`), { index: { mode: 'hnsw' } });
// a file shared with other processes (the CLI, a second server): their writes reach this index
crossInstanceTests('sqlite', async () => join(tmp.dir, `x${n++}.db`), 2000);
