/**
 * Alignment study: verification accuracy of alignment variants (landmark source, learned
 * mean-shape correction, number of points) from the landmarks dumped by align-study-dump.ts.
 * The learned shapes are fitted on celebrity-aligned (whose crops sit on the ArcFace template, so
 * image coordinates ARE template coordinates) with a strict identity split: images of the first six
 * identities are aligned with a shape fitted on the last six and vice versa (cross-fitting); the
 * other sets use the shape fitted on all twelve.
 * DUMP_SUFFIX=-canvas reads the dump made with --canvas (each crop on a grey canvas twice its
 * size, as detectFaces' context option now does for tight crops).
 *   npx tsx bench/align-study.ts [model=fr_feature] [sets] [detector:variant,...]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alignToTemplate, ARCFACE_112, similarityTransform, applyAffine, invertAffine } from '../src/align/index.ts';
import { distance } from '../src/compare/index.ts';
import { landmarks5From68 } from '../src/detect/index.ts';
import { embedCrops, loadEmbedModel } from '../src/embed/index.ts';
import { evaluateVerification, listDataset, pairImages, samplePairs, type ScoredPair } from '../src/eval/index.ts';
import type { Point } from '../src/face.ts';
import { loadImage } from '../src/image/index.ts';
import { cacheDir } from '../src/models/index.ts';
import { templateFor } from '../src/pipeline/index.ts';

const DATA = process.env.FACEKIT_DATA ?? '/work/shared/data';
const model = process.argv[2] ?? 'fr_feature';
const sets = (process.argv[3] ?? 'celebrity-aligned,orl,yale,sitcom-cast/gallery').split(',');
const only = process.argv[4]?.split(',');
const PPC: Record<string, number> = { 'celebrity-aligned': 300, orl: 20, yale: 20, 'sitcom-cast/gallery': 10 };

type Rec = { box: { x: number; y: number; w: number; h: number }; kp?: Point[]; fr: Point[]; fa: Point[] } | null;
const load = (set: string) => JSON.parse(readFileSync(join(cacheDir(), 'bench', `align-study-${set.replace(/\W+/g, '_')}${process.env.DUMP_SUFFIX ?? ''}.json`), 'utf8')) as Record<string, Record<string, Rec>>;

// point sets a variant aligns with
const INNER = Array.from({ length: 51 }, (_, i) => i + 17); // brows, nose, eyes, mouth (no jaw)
const EYES_NOSE_MOUTH = Array.from({ length: 36 }, (_, i) => i + 27).concat([48, 54]).filter((v, i, a) => a.indexOf(v) === i); // 27..62 + corners
type Source = 'fr' | 'fa' | 'avg';
const pts68 = (r: NonNullable<Rec>, s: Source): Point[] => (s === 'avg' ? r.fr.map((p, i) => [(p[0] + r.fa[i][0]) / 2, (p[1] + r.fa[i][1]) / 2]) : r[s]);

interface Variant { name: string; detector: string; landmarks5(r: NonNullable<Rec>, shape: (key: string) => Point[] | undefined): Point[] }
const mean = (ps: Point[][]): Point[] => ps[0].map((_, i) => [ps.reduce((s, p) => s + p[i][0], 0) / ps.length, ps.reduce((s, p) => s + p[i][1], 0) / ps.length]);

// corrected five: fit a similarity from the chosen points to their learned mean positions (in the
// ArcFace 112 frame), then carry the template's five points back into the image
function viaShape(src: Point[], learned: Point[]): Point[] {
  const m = similarityTransform(src, learned);
  const inv = invertAffine(m);
  return ARCFACE_112.points.map((p) => applyAffine(inv, p));
}

const variants: Variant[] = [];
for (const detector of ['fr_detect', 'blazeface-back']) {
  for (const s of ['fr', 'fa', 'avg'] as Source[]) {
    variants.push({ name: `${s}-5`, detector, landmarks5: (r) => landmarks5From68(pts68(r, s)) });
    variants.push({ name: `${s}-5-learned`, detector, landmarks5: (r, shape) => viaShape(landmarks5From68(pts68(r, s)), shape(`${detector}/${s}/5`)!) });
    variants.push({ name: `${s}-inner51-learned`, detector, landmarks5: (r, shape) => viaShape(INNER.map((i) => pts68(r, s)[i]), shape(`${detector}/${s}/inner`)!) });
    variants.push({ name: `${s}-enm-learned`, detector, landmarks5: (r, shape) => viaShape(EYES_NOSE_MOUTH.map((i) => pts68(r, s)[i]), shape(`${detector}/${s}/enm`)!) });
  }
  if (detector === 'blazeface-back') {
    variants.push({ name: 'kp4-learned', detector, landmarks5: (r, shape) => viaShape(r.kp!.slice(0, 4), shape(`${detector}/kp/4`)!) });
  }
}

// learned shapes from celebrity-aligned, per identity half
const celeb = load('celebrity-aligned');
const celebIds = listDataset(join(DATA, 'celebrity-aligned')).identities.map((i) => i.name);
const half = (rel: string) => (celebIds.indexOf(rel.split('/')[0]) < 6 ? 0 : 1);
function fitShapes(filter: (rel: string) => boolean): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const detector of ['fr_detect', 'blazeface-back']) {
    const recs = Object.entries(celeb).filter(([rel, r]) => filter(rel) && r[detector]).map(([, r]) => r[detector]!);
    for (const s of ['fr', 'fa', 'avg'] as Source[]) {
      out.set(`${detector}/${s}/5`, mean(recs.map((r) => landmarks5From68(pts68(r, s)))));
      out.set(`${detector}/${s}/inner`, mean(recs.map((r) => INNER.map((i) => pts68(r, s)[i]))));
      out.set(`${detector}/${s}/enm`, mean(recs.map((r) => EYES_NOSE_MOUTH.map((i) => pts68(r, s)[i]))));
    }
    if (detector === 'blazeface-back') out.set(`${detector}/kp/4`, mean(recs.map((r) => r.kp!.slice(0, 4))));
  }
  return out;
}
const shapesByHalf = [fitShapes((rel) => half(rel) === 1), fitShapes((rel) => half(rel) === 0)];
const shapesAll = fitShapes(() => true);
console.log('learned 5 (fr_detect/fr):', JSON.stringify(shapesAll.get('fr_detect/fr/5')!.map((p) => p.map((v) => +v.toFixed(2)))), 'template', JSON.stringify(ARCFACE_112.points));

const { record } = await loadEmbedModel(model);
const template = templateFor(record);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
for (const set of sets) {
  const ds = listDataset(join(DATA, set));
  const pl = samplePairs(ds, { seed: 1, pairsPerClass: PPC[set] });
  const rels = pairImages(pl);
  const dump = load(set);
  const images = new Map<string, Awaited<ReturnType<typeof loadImage>>>();
  for (const rel of rels) images.set(rel, await loadImage(join(ds.root, rel)));
  for (const v of variants) {
    if (only && !only.some((o) => `${v.detector}:${v.name}`.includes(o))) continue;
    const emb = new Map<string, Float32Array | null>();
    const crops = [];
    const keys: string[] = [];
    for (const rel of rels) {
      const r = dump[rel][v.detector];
      if (!r) { emb.set(rel, null); continue; }
      const shapes = set === 'celebrity-aligned' ? shapesByHalf[half(rel)] : shapesAll;
      const l5 = v.landmarks5(r, (k) => shapes.get(k)) as [Point, Point, Point, Point, Point];
      crops.push(alignToTemplate(images.get(rel)!, l5, { template }));
      keys.push(rel);
    }
    const vecs = await embedCrops(crops, { model });
    keys.forEach((k, i) => emb.set(k, vecs[i]));
    const scored: ScoredPair[] = pl.pairs.map((p) => {
      const a = emb.get(p.img1), b = emb.get(p.img2);
      return { ...p, distance: a && b ? distance(a, b, 'cosine') : null };
    });
    const res = evaluateVerification(scored);
    console.log(`${set.padEnd(20)} ${model.padEnd(20)} ${v.detector.padEnd(15)} ${v.name.padEnd(22)} acc ${pct(res.accuracyMean)} auc ${res.auc.toFixed(4)} noFace ${res.noFace.genuine + res.noFace.impostor}`);
  }
}
