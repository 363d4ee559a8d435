/**
 * The REST server under load: identify requests per second and latency at 1, 4 and 16 concurrent
 * clients (autocannon) against `facekit serve`'s own service with a 10k-person SQLite gallery
 * (3 real people enrolled from the face-api demo photo plus 10,000 synthetic identities). Every
 * response is checked: the group photo must come back with exactly the three enrolled names.
 *
 *   npx tsx bench/server.ts [secondsPerLevel=15]
 *   BENCH_WORKERS=1 BENCH_ORT_THREADS=2 npx tsx bench/server.ts   # another threading layout (default: one worker per core, one thread each)
 *
 * Levels: 1, 4, 16 and 64 clients (BENCH_CLIENTS=1,4 to choose). Refusals (503 queue full, 429
 * rate limit) are counted apart from errors; the load average of the run is recorded, since the
 * reference machine is shared.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { openGallery } from '../src/gallery/index.ts';
import { enroll } from '../src/identify/index.ts';
import { packageFile } from '../src/models/package-files.ts';
import { MemoryKeyStore, startServer } from '../src/server/index.ts';
import { defaultWorkerCount, threadsPerWorker } from '../src/server/limits.ts';
import { createService } from '../src/service/index.ts';

const seconds = Number(process.argv[2] ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'facekit-bench-server-'));
const db = join(dir, 'gallery.db');
const group = packageFile('@vladmandic/face-api', 'demo/sample1.jpg');
const people: [string, number, number][] = [['left', 300, 250], ['middle', 720, 300], ['right', 1350, 100]];

// the gallery: three real people, then 10k synthetic unit vectors no real face is near
const gallery = await openGallery(db);
for (const [name, left, top] of people) {
  const crop = await sharp(group).extract({ left, top, width: 420, height: 480 }).jpeg().toBuffer();
  await enroll(gallery, name, [crop]);
}
let seed = 7;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
for (let i = 0; i < 10_000; i++) {
  const v = new Float32Array(512).map(rnd);
  const n = Math.hypot(...v);
  await gallery.enrollPerson({ name: `synthetic-${i}` }, [{ model: 'fr_feature', embedding: v.map((x) => x / n) }]);
}
await gallery.close();

// the threading layout under test: inference workers (default: the service's, one per core), and
// ORT intra-op threads in each (default: the cores shared out among the workers)
const workers = process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : defaultWorkerCount();
if (process.env.BENCH_ORT_THREADS) process.env.FACEKIT_ORT_THREADS = process.env.BENCH_ORT_THREADS;
const service = await createService({ db, workers });
const { app, address } = await startServer({ service, keyStore: new MemoryKeyStore(), host: '127.0.0.1', port: 0, logger: false });
const body = JSON.stringify({ image: (await sharp(group).resize(1280).jpeg({ quality: 90 }).toBuffer()).toString('base64') });
const expected = people.map((p) => p[0]).sort().join(',');

const levels: Record<string, unknown>[] = [];
const clientLevels = (process.env.BENCH_CLIENTS ?? '1,4,16,64').split(',').map(Number);
const load0 = loadavg();
for (const connections of clientLevels) {
  let wrong = 0;
  let checked = 0;
  const refused: Record<string, number> = {};
  const r = await autocannon({
    url: `${address}/v1/identify`,
    connections,
    duration: seconds,
    timeout: 120,
    requests: [{
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      onResponse: (status: number, resBody: string) => {
        checked++;
        if (status === 503 || status === 429) return void (refused[status] = (refused[status] ?? 0) + 1);
        if (status !== 200) return void wrong++;
        // /v1/identify lists, per face, the people under the threshold, best first
        const names = (JSON.parse(resBody).faces as { match: { name: string } | null }[]).map((f) => f.match?.name ?? '-').sort().join(',');
        if (names !== expected) wrong++;
      },
    }],
  });
  const row = {
    connections,
    requests: r.requests.total,
    rps: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    refused,
    wrongAnswers: wrong,
    checked,
    loadavg: loadavg().map((v) => Math.round(v * 100) / 100),
  };
  levels.push(row);
  console.log(`${String(connections).padStart(2)} clients: ${row.rps.toFixed(2)} req/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ${row.requests} requests, non-2xx ${row.non2xx} (refused ${JSON.stringify(refused)}), errors ${row.errors}, wrong answers ${wrong}, load ${row.loadavg[0]}`);
}
await app.close();
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
const resultName = process.env.BENCH_WORKERS || process.env.BENCH_ORT_THREADS ? `server-w${workers}-t${process.env.BENCH_ORT_THREADS ?? 0}.json` : 'server.json';
writeFileSync(join(import.meta.dirname, 'results', resultName), `${JSON.stringify({ generatedBy: 'bench/server.ts', gallery: '3 real + 10,000 synthetic people, SQLite', request: 'POST /v1/identify, 1280x853 JPEG with 3 faces (base64 JSON)', secondsPerLevel: seconds, workers, ortThreads: Number(process.env.FACEKIT_ORT_THREADS || threadsPerWorker(workers)), loadavgAtStart: load0.map((v) => Math.round(v * 100) / 100), levels }, null, 1)}\n`);
