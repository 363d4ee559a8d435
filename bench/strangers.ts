/**
 * Stranger ids and searching back, on real photos streamed as synthetic visits.
 *
 * Per set (celebrity-aligned: 12 people x 60 aligned crops, --no-detect; sitcom-cast/gallery:
 * 8 people x 5 crops, detected): every person is a stranger (no one is enrolled). One photo of
 * each person is held back as the search probe; the rest are cut into visits of VISIT photos (the
 * samples of one track, each with its face quality score). A third of the people (seeded) come
 * once only (unseen people); the others come back in every visit of theirs. All visits are
 * shuffled together (seeded) and streamed through the stranger book of a fresh SQLite gallery,
 * each visit recorded as a sighting (its best-quality face), as `facekit watch --db` does.
 *
 * Three seeds by default (BENCH_SEEDS=1,2,3): each draws other once-only people, probes and orders.
 * Figures: BCubed precision and recall of the stranger ids over visits (targets 0.95 / 0.90),
 * fragmentation (stranger ids per person) and mixed ids (ids holding several people), merges the
 * book made; search back: recall (and precision) of a person's sightings from their held-back
 * photo, within the calibrated threshold. Embeddings come from the clustering bench's cache.
 *
 *   npx tsx bench/strangers.ts            # -> bench/results/strangers.json
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distance } from '../src/compare/index.ts';
import { indexFolder, scoreClustering, type FolderFaces } from '../src/cluster/index.ts';
import { mulberry32, shuffleInPlace } from '../src/eval/prng.ts';
import { openGallery } from '../src/gallery/index.ts';
import { cacheDir } from '../src/models/index.ts';
import { FootageStore, StrangerBook } from '../src/strangers/index.ts';
import { calibrationFor } from '../src/verify/index.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const BESIDE = join(HERE, '../../shared/data');
const DATA = process.env.FACEKIT_DATA ?? (existsSync(BESIDE) ? BESIDE : '/work/shared/data');
const VISIT = Number(process.env.BENCH_VISIT ?? 2);
/** each seed draws other once-only people, held-back photos and visit orders */
const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);
/** stranger thresholds tried, as multiples of the calibrated one (1 = the default) */
const SCALES = (process.env.BENCH_SCALES ?? '0.8,0.9,1').split(',').map(Number);

const rnd = (x: number) => Math.round(x * 10000) / 10000;
const progress = (label: string) => (d: number, t: number) => { if (t && (d === t || d % 100 === 0)) process.stderr.write(`${label}: ${d}/${t}\n`); };

interface Face { person: string; vector: Float32Array; quality: number }

function facesOf(folder: FolderFaces, labelOf: (file: string) => string): Face[] {
  const { store } = folder;
  // one face per file: the largest (a crop may show a second, partial face)
  const best = new Map<string, number>();
  store.faces.forEach((f, i) => {
    const b = best.get(f.file);
    if (b === undefined || f.box.w * f.box.h > store.faces[b].box.w * store.faces[b].box.h) best.set(f.file, i);
  });
  return [...best.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([file, i]) => ({ person: labelOf(file), vector: store.vector(i), quality: store.faces[i].quality }));
}

interface Visit { person: string; samples: Face[] }

function plan(faces: Face[], seed: number): { visits: Visit[]; probes: Face[]; onceOnly: string[] } {
  const rng = mulberry32(seed);
  const byPerson = new Map<string, Face[]>();
  for (const f of faces) byPerson.set(f.person, [...(byPerson.get(f.person) ?? []), f]);
  const people = [...byPerson.keys()].sort();
  const once = new Set(shuffleInPlace([...people], rng).slice(0, Math.floor(people.length / 3)));
  const visits: Visit[] = [];
  const probes: Face[] = [];
  for (const p of people) {
    const list = shuffleInPlace([...byPerson.get(p)!], rng);
    probes.push(list[0]);
    const rest = list.slice(1);
    const cut: Visit[] = [];
    for (let i = 0; i + VISIT <= rest.length; i += VISIT) cut.push({ person: p, samples: rest.slice(i, i + VISIT) });
    visits.push(...(once.has(p) ? cut.slice(0, 1) : cut));
  }
  shuffleInPlace(visits, rng);
  return { visits, probes, onceOnly: [...once].sort() };
}

async function run(name: string, faces: Face[], model: string, seed: number): Promise<object> {
  const cal = calibrationFor(model, 'cosine');
  const { visits, probes, onceOnly } = plan(faces, seed);
  const rows = [];
  for (const scale of SCALES) {
    const threshold = cal.threshold * scale;
    const dir = mkdtempSync(join(tmpdir(), 'facekit-bench-strangers-'));
    const g = await openGallery(join(dir, 'g.db'));
    const store = FootageStore.of(g);
    const book = await StrangerBook.load(store, model, 'cosine', threshold);
    const ids: string[] = [];
    let merges = 0;
    const t0 = performance.now();
    for (const [k, v] of visits.entries()) {
      const m = await book.identify(v.samples.map((s) => ({ vector: s.vector, quality: s.quality })));
      merges += m.merged.length;
      ids.push(m.id);
      const best = v.samples.reduce((a, b) => (b.quality > a.quality ? b : a));
      await store.addSighting({ strangerId: m.id, source: name, trackId: k, startTime: k, endTime: k + 1, startedAt: new Date(k * 1000).toISOString(), endedAt: new Date(k * 1000 + 1000).toISOString(), quality: best.quality, model, embedding: best.vector });
    }
    const ms = performance.now() - t0;
    const finalIds = ids.map((id) => book.root(id));
    const truth = visits.map((v) => v.person);
    const scores = scoreClustering(truth, finalIds);
    const idsPerPerson = new Map<string, Set<string>>();
    const peoplePerId = new Map<string, Set<string>>();
    finalIds.forEach((id, i) => {
      idsPerPerson.set(truth[i], (idsPerPerson.get(truth[i]) ?? new Set()).add(id));
      peoplePerId.set(id, (peoplePerId.get(id) ?? new Set()).add(truth[i]));
    });
    // search back: each person's held-back photo against every sighting
    const sightings = await store.sightingEmbeddings(model);
    const visitOf = new Map(sightings.map((s) => [s.sighting.trackId!, s]));
    let found = 0;
    let wanted = 0;
    let returned = 0;
    for (const p of probes) {
      const hits = [...visitOf.entries()].filter(([, s]) => distance(p.vector, s.embedding, 'cosine') <= cal.threshold).map(([k]) => k);
      const own = visits.map((v, k) => (v.person === p.person ? k : -1)).filter((k) => k >= 0);
      wanted += own.length;
      found += hits.filter((k) => visits[k].person === p.person).length;
      returned += hits.length;
    }
    await g.close();
    rmSync(dir, { recursive: true, force: true });
    const fragments = [...idsPerPerson.values()].map((s) => s.size);
    const row = {
      thresholdScale: scale, threshold: rnd(threshold), strangerIds: peoplePerId.size, people: idsPerPerson.size,
      bcubed: { precision: rnd(scores.bcubed.precision), recall: rnd(scores.bcubed.recall), f1: rnd(scores.bcubed.f1) },
      fragmentation: { meanIdsPerPerson: rnd(fragments.reduce((a, b) => a + b, 0) / fragments.length), maxIdsPerPerson: Math.max(...fragments), peopleWithOneId: fragments.filter((n) => n === 1).length },
      mixedIds: [...peoplePerId.values()].filter((s) => s.size > 1).length, mergesMade: merges,
      searchBack: { recall: rnd(found / wanted), precision: rnd(returned ? found / returned : 1), sightings: wanted, probes: probes.length, threshold: rnd(cal.threshold) },
      msPerVisit: rnd(ms / visits.length),
    };
    rows.push(row);
    console.log(`${name} seed ${seed} x${scale} (threshold ${row.threshold}): ${row.strangerIds} ids for ${row.people} people, BCubed P ${row.bcubed.precision} R ${row.bcubed.recall}, ids/person ${row.fragmentation.meanIdsPerPerson} (max ${row.fragmentation.maxIdsPerPerson}), mixed ids ${row.mixedIds}, merges ${merges}; search back recall ${row.searchBack.recall} precision ${row.searchBack.precision}; ${row.msPerVisit} ms/visit`);
  }
  return { set: name, seed, model, visits: visits.length, photosPerVisit: VISIT, people: new Set(faces.map((f) => f.person)).size, onceOnly, rows };
}

async function main(): Promise<void> {
  const sets: object[] = [];
  const celebDir = join(DATA, 'celebrity-aligned');
  if (existsSync(celebDir)) {
    const folder = await indexFolder(celebDir, { detect: false, cacheDir: join(cacheDir(), 'bench/clustering/celebrity-aligned'), onProgress: progress('celebrity-aligned') });
    for (const seed of SEEDS) sets.push(await run('celebrity-aligned', facesOf(folder, (f) => f.split('/')[0]), folder.model, seed));
  } else console.log(`celebrity-aligned: skipped, ${celebDir} not present`);
  const sitcomDir = join(DATA, 'sitcom-cast/gallery');
  if (existsSync(sitcomDir)) {
    const folder = await indexFolder(sitcomDir, { cacheDir: join(cacheDir(), 'bench/strangers/sitcom-gallery'), onProgress: progress('sitcom-cast') });
    for (const seed of SEEDS) sets.push(await run('sitcom-cast', facesOf(folder, (f) => f.split('/')[0]), folder.model, seed));
  } else console.log(`sitcom-cast: skipped, ${sitcomDir} not present`);
  const out = join(HERE, 'results/strangers.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), loadavg: loadavg().map(rnd), cpus: cpus().length, seeds: SEEDS, sets }, null, 2)}\n`);
  console.log(`wrote ${out} (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
}

await main();
