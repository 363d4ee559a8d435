/**
 * The calibration round trip of a site: fit the threshold on part of a dataset's people (as
 * `facekit calibrate --db G --collection C --pairs fit.csv` does: runCalibration, then kept in the
 * gallery's collection), read it back from the gallery, and measure the false accept rate at that
 * threshold on held-out pairs of the *other* people of the same dataset. The bar: held-out FAR
 * within a factor of 2 of the target. The shipped calibration's FAR on the same pairs is shown
 * beside it.
 *
 *   npx tsx bench/site-calibration.ts [--data=/work/shared/data/celebrity-aligned] [--model=fr_feature] [--splits=5]
 *
 * Writes (merges) the dataset's entry of bench/results/site-calibration.json. A folder whose name
 * says "aligned" is embedded as it is; any other goes through the default detector.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrationFor } from '../src/verify/index.ts';
import { distance } from '../src/compare/index.ts';
import { embedForEval, runCalibration } from '../src/eval/run.ts';
import { calibrationOnPairs } from '../src/eval/calibration-check.ts';
import { openGallery, siteCalibration, storeSiteCalibration } from '../src/gallery/index.ts';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const arg = (name: string, d: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? d;
const DATA = arg('data', '/work/shared/data/celebrity-aligned');
const MODEL = arg('model', 'fr_feature');
const SPLITS = Number(arg('splits', '5'));
const TARGETS = [1e-2, 1e-3];
const METRIC = 'cosine' as const;
// aligned 112x112 crops are embedded as they are (no detection), as eval does for aligned sets
const FACE = { model: MODEL, detect: !/aligned/.test(DATA), metric: METRIC };

const people = readdirSync(DATA, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const images = new Map(people.map((p) => [p, readdirSync(join(DATA, p)).filter((f) => /\.(png|jpe?g|pgm|gif|webp)$/i.test(f)).sort().map((f) => `${p}/${f}`)]));

function shuffled<T>(xs: T[], seed: number): T[] {
  let s = seed * 2654435761 >>> 0 || 1;
  const r = () => ((s = (s ^ (s << 13)) >>> 0, s = (s ^ (s >>> 17)) >>> 0, s = (s ^ (s << 5)) >>> 0) / 4294967296);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** every pair of images of these people: genuine within a person, impostor across */
function allPairs(group: string[]): { a: string; b: string; same: boolean }[] {
  const list = group.flatMap((p) => images.get(p)!.map((img) => ({ p, img })));
  const out: { a: string; b: string; same: boolean }[] = [];
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) out.push({ a: list[i].img, b: list[j].img, same: list[i].p === list[j].p });
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'facekit-site-cal-'));
const t0 = performance.now();
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`site calibration round trip: ${DATA} (${people.length} people), model ${MODEL}, ${SPLITS} splits, load average ${load()}`);
const all = [...images.values()].flat().map((p) => join(DATA, p));
const { embeddings } = await embedForEval(all, FACE);
const vec = (p: string) => embeddings.get(join(DATA, p));
const shipped = calibrationFor(MODEL, METRIC);

const rows: Record<string, unknown>[] = [];
try {
  for (let split = 1; split <= SPLITS; split++) {
    const order = shuffled(people, split);
    const fitPeople = order.slice(0, Math.floor(people.length / 2)).sort();
    const heldPeople = order.slice(fitPeople.length).sort();
    const csv = join(tmp, `fit-${split}.csv`);
    writeFileSync(csv, `img1,img2,same\n${allPairs(fitPeople).map((q) => `${q.a},${q.b},${q.same ? 1 : 0}`).join('\n')}\n`);
    // held-out distances, scored once
    const held = allPairs(heldPeople).map((q) => {
      const [a, b] = [vec(q.a), vec(q.b)];
      return { same: q.same, distance: a && b ? distance(a, b, METRIC) : null };
    });
    const shippedOnHeld = calibrationOnPairs('shipped', shipped, held);
    for (const targetFar of TARGETS) {
      const { calibration } = await runCalibration({ ...FACE, pairs: csv, root: DATA, targetFar });
      // kept with a collection and read back, as verify and identify against the gallery read it
      const g = await openGallery(join(tmp, `g-${split}-${targetFar}.db`), { encryptionKey: null });
      await g.createCollection({ name: 'site' });
      await g.close();
      const site = await openGallery(join(tmp, `g-${split}-${targetFar}.db`), { encryptionKey: null, collection: 'site' });
      await storeSiteCalibration(site, calibration, `${DATA} [${fitPeople.join(', ')}]`);
      const back = (await siteCalibration(site, MODEL, METRIC))!.calibration;
      await site.close();
      const fitted = calibrationOnPairs('fitted', back, held);
      const row = {
        split, targetFar, fitPeople, heldOutPeople: heldPeople,
        fitPairs: back.pairs, fitFar: back.far, threshold: back.threshold,
        heldOut: fitted,
        ratio: fitted.far / targetFar,
        withinFactor2: fitted.far >= targetFar / 2 && fitted.far <= targetFar * 2,
        shipped: shippedOnHeld,
      };
      rows.push(row);
      console.log(`split ${split} target FAR ${targetFar}: fitted threshold ${back.threshold.toFixed(4)} -> held-out FAR ${fitted.far.toExponential(2)} (${fitted.falseAccepts}/${fitted.impostor}, x${row.ratio.toFixed(2)}), FRR ${(100 * fitted.frr).toFixed(2)}%; shipped ${shipped.threshold.toFixed(4)} -> FAR ${shippedOnHeld.far.toExponential(2)}, FRR ${(100 * shippedOnHeld.frr).toFixed(2)}%`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const summary = TARGETS.map((targetFar) => {
  const r = rows.filter((x) => x.targetFar === targetFar) as { ratio: number; withinFactor2: boolean }[];
  const ratios = r.map((x) => x.ratio).sort((a, b) => a - b);
  return { targetFar, splits: r.length, within: r.filter((x) => x.withinFactor2).length, ratioMin: ratios[0], ratioMedian: ratios[Math.floor(ratios.length / 2)], ratioMax: ratios[ratios.length - 1] };
});
for (const s of summary) console.log(`target ${s.targetFar}: held-out FAR / target median x${s.ratioMedian.toFixed(2)} (min x${s.ratioMin.toFixed(2)}, max x${s.ratioMax.toFixed(2)}); within a factor of 2 in ${s.within} of ${s.splits} splits`);
const out = join(import.meta.dirname, 'results/site-calibration.json');
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
const runs = (existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')).runs ?? []) : []).filter((r: { data: string; model: string }) => r.data !== DATA || r.model !== MODEL);
runs.push({ data: DATA, model: MODEL, metric: METRIC, detect: FACE.detect, measuredAt: new Date().toISOString(), seconds: (performance.now() - t0) / 1000, loadAverage: load(), summary, rows });
writeFileSync(out, `${JSON.stringify({ generatedBy: 'bench/site-calibration.ts', runs }, null, 1)}\n`);
console.log(`wrote ${out} (${((performance.now() - t0) / 1000).toFixed(0)} s, load average ${load()})`);
