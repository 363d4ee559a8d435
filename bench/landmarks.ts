/**
 * Five-point landmark accuracy on /work/shared/data/celebrity-aligned: those crops were warped so
 * the five points sit on the ArcFace 112x112 template, so the template IS the ground truth. Each
 * crop is placed on a grey 224x224 canvas (the detector needs context), the face detected once,
 * and every five-point source (src/detect/landmarks5.ts) is run on that detection and compared
 * with the template: NME = point error / inter-ocular distance of the template, per face the mean
 * over the five points; the table gives its mean and median over faces. Beside it, the alignment
 * error (alignmentError below), which is what the aligned crop depends on.
 * Sources: fr_landmark (today's default), refined (a second fr_landmark pass on a crop aligned from
 * the first), refined3 (a third pass), onet (MTCNN's O-Net on the detector box), mtcnn (MTCNN's own
 * detection and points), mesh (face mesh with iris), and point-wise averages of two or three.
 * Each is also given with a bias correction ("+bias"): the mean offset of each point in the face's
 * own frame (eye distance, eye-line angle), fitted on other images of the set (images 10-19 of each
 * person; the score is on images 0-9), so no image is scored by a correction fitted on it.
 * Usage: npx tsx bench/landmarks.ts [--per-person=10] [--detector=fr_detect] [--landmark-model=fr_landmark]
 * (the 68-point model behind the fr_landmark and refined sources; refined uses fr_landmark's crop frame)
 * Writes bench/results/landmarks.json.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARCFACE_112, applyAffine, similarityTransform } from '../src/align/index.ts';
import type { Landmarks5, Point } from '../src/face.ts';
import { DEFAULT_LANDMARKS, detectFaces, landmarks5From68 } from '../src/detect/index.ts';
import { averageLandmarks5, landmarks5FromMesh, refineLandmarks68 } from '../src/detect/landmarks5.ts';
import { detectMtcnn, onetLandmarks } from '../src/detect/mtcnn.ts';
import { predictMesh } from '../src/analyze/mesh.ts';
import { loadImage } from '../src/image/index.ts';

const dir = '/work/shared/data/celebrity-aligned';
if (!existsSync(dir)) {
  console.log(`skipped: ${dir} is absent`);
  process.exit(0);
}
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const perPerson = Number(arg('per-person') ?? 10);
const detector = arg('detector');
const landmarkModel = arg('landmark-model') ?? 'fr_landmark';
const FIT_FROM = 10;
const PAD = 56;
const S = 112 + 2 * PAD;
const T = ARCFACE_112.points.map(([x, y]): Point => [x + PAD, y + PAD]) as Landmarks5;
const iod = Math.hypot(T[1][0] - T[0][0], T[1][1] - T[0][1]);
const names = ['left eye', 'right eye', 'nose', 'left mouth', 'right mouth'];

type Sources = Record<string, Landmarks5>;
async function sources(file: string): Promise<Sources | undefined> {
  const crop = await loadImage(file);
  const canvas = new Uint8Array(S * S * 3).fill(128);
  for (let y = 0; y < 112; y++) canvas.set(crop.data.subarray(y * 112 * 3, (y + 1) * 112 * 3), ((y + PAD) * S + PAD) * 3);
  const image = { data: canvas, width: S, height: S };
  const faces = await detectFaces(image, { maxFaces: 1, detector, landmarkModel, landmarks: 'fr_landmark' });
  if (faces.length === 0) return undefined;
  const { box } = faces[0];
  const frLandmark = faces[0].landmarks5;
  const refined = landmarks5From68(await refineLandmarks68(image, frLandmark));
  const refined3 = landmarks5From68(await refineLandmarks68(image, refined));
  const onet = (await onetLandmarks(image, box)) as Landmarks5;
  const mtcnnFaces = await detectMtcnn(image);
  const mesh = landmarks5FromMesh((await predictMesh(image, { box })).points);
  const out: Sources = { fr_landmark: frLandmark, refined, refined3, onet, mesh };
  // what detectFaces gives by default (DEFAULT_LANDMARKS, with its agreement rule)
  const byDefault = await detectFaces(image, { maxFaces: 1, detector, landmarkModel });
  if (byDefault.length > 0) out[`default (${DEFAULT_LANDMARKS})`] = byDefault[0].landmarks5;
  if (mtcnnFaces.length > 0) out.mtcnn = mtcnnFaces.sort((a, b) => b.score - a.score)[0].keypoints as Landmarks5;
  const base = ['fr_landmark', 'refined', 'onet', 'mesh', 'mtcnn'].filter((k) => out[k]);
  for (let i = 0; i < base.length; i++) {
    for (let j = i + 1; j < base.length; j++) {
      out[`${base[i]}+${base[j]}`] = averageLandmarks5([out[base[i]], out[base[j]]]);
      for (let k = j + 1; k < base.length; k++) out[`${base[i]}+${base[j]}+${base[k]}`] = averageLandmarks5([out[base[i]], out[base[j]], out[base[k]]]);
    }
  }
  return out;
}

/** a five-point set's frame: origin at the eyes' midpoint, unit = eye distance, x along the eye line */
function frame(p: Landmarks5) {
  const dx = p[1][0] - p[0][0], dy = p[1][1] - p[0][1];
  const d = Math.hypot(dx, dy);
  return { c: dx / d, s: dy / d, d };
}
/** per-point offset of the truth from the estimate, in the estimate's own frame */
function offsets(p: Landmarks5): Point[] {
  const { c, s, d } = frame(p);
  return p.map(([x, y], i) => {
    const ex = T[i][0] - x, ey = T[i][1] - y;
    return [(c * ex + s * ey) / d, (-s * ex + c * ey) / d] as Point;
  });
}
function corrected(p: Landmarks5, bias: Point[]): Landmarks5 {
  const { c, s, d } = frame(p);
  return p.map(([x, y], i) => [x + d * (c * bias[i][0] - s * bias[i][1]), y + d * (s * bias[i][0] + c * bias[i][1])]) as Landmarks5;
}
const pointErrors = (p: Landmarks5) => p.map(([x, y], i) => Math.hypot(x - T[i][0], y - T[i][1]) / iod);
/**
 * The alignment error: the dataset's warp put its own five points on the template only in the
 * least-squares sense (a turned head leaves the nose off it), so the points are not exact; its
 * warp is. Perfect points give the identity warp here, so the error of an estimate is how far its
 * warp (points -> template) moves the template points, averaged, / eye distance.
 */
function alignmentError(p: Landmarks5): number {
  const m = similarityTransform(p, T);
  return T.reduce((a, t) => a + Math.hypot(applyAffine(m, t)[0] - t[0], applyAffine(m, t)[1] - t[1]), 0) / 5 / iod;
}
/**
 * What no warp can remove: the points' distance from the template after their best similarity
 * fit. For perfect points this is the dataset's own fitting residual (nonzero for any face not
 * shaped like the template), a floor under the point error that the alignment error does not have.
 */
function shapeResidual(p: Landmarks5): number {
  const m = similarityTransform(p, T);
  return p.reduce((a, q, i) => a + Math.hypot(applyAffine(m, q)[0] - T[i][0], applyAffine(m, q)[1] - T[i][1]), 0) / 5 / iod;
}

const fit: Sources[] = [], scored: Sources[] = [];
let missed = 0;
const t0 = performance.now();
for (const person of readdirSync(dir).sort()) {
  const files = readdirSync(join(dir, person)).sort();
  for (const [i, f] of files.slice(0, FIT_FROM + perPerson).entries()) {
    if (i >= perPerson && i < FIT_FROM) continue;
    const s = await sources(join(dir, person, f));
    if (!s) { if (i < perPerson) missed++; continue; }
    (i < perPerson ? scored : fit).push(s);
  }
  process.stderr.write('.');
}
process.stderr.write('\n');
const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const rows: { source: string; faces: number; nmeMean: number; nmeMedian: number; alignMean: number; alignMedian: number; shapeResidual: number; perPoint: Record<string, number> }[] = [];
for (const name of new Set(scored.flatMap((s) => Object.keys(s)))) {
  const have = scored.filter((s) => s[name]);
  const fitHave = fit.filter((s) => s[name]);
  const bias = [0, 1, 2, 3, 4].map((i) => {
    const o = fitHave.map((s) => offsets(s[name])[i]);
    return [o.reduce((a, p) => a + p[0], 0) / o.length, o.reduce((a, p) => a + p[1], 0) / o.length] as Point;
  });
  for (const [label, pts] of [[name, have.map((s) => s[name])], [`${name}+bias`, have.map((s) => corrected(s[name], bias))]] as const) {
    const errs = pts.map(pointErrors);
    const perFace = errs.map((e) => e.reduce((a, b) => a + b, 0) / 5);
    rows.push({
      source: label,
      faces: pts.length,
      nmeMean: +(perFace.reduce((a, b) => a + b, 0) / perFace.length).toFixed(4),
      nmeMedian: +median(perFace).toFixed(4),
      alignMean: +(pts.reduce((a, p) => a + alignmentError(p), 0) / pts.length).toFixed(4),
      alignMedian: +median(pts.map(alignmentError)).toFixed(4),
      shapeResidual: +(pts.reduce((a, p) => a + shapeResidual(p), 0) / pts.length).toFixed(4),
      perPoint: Object.fromEntries(names.map((k, i) => [k, +(errs.reduce((a, e) => a + e[i], 0) / errs.length).toFixed(4)])),
      ...(label.endsWith('+bias') ? { bias: bias.map(([x, y]) => [+x.toFixed(4), +y.toFixed(4)]) } : {}),
    });
  }
}
rows.sort((a, b) => a.nmeMean - b.nmeMean);
console.log(`five-point NME (fraction of the eye distance) on ${scored.length} faces (${missed} without a face), ${detector ?? 'default detector'} boxes; bias fitted on ${fit.length} other faces`);
console.log('source'.padEnd(36), 'points: mean median | alignment: mean median | residual |', names.join(' / '));
for (const r of rows) console.log(r.source.padEnd(36), r.nmeMean.toFixed(4), r.nmeMedian.toFixed(4), '|', r.alignMean.toFixed(4), r.alignMedian.toFixed(4), '|', r.shapeResidual.toFixed(4), '|', Object.values(r.perPoint).map((v) => v.toFixed(3)).join(' / '));
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'landmarks.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({
  data: dir, detector: detector ?? 'default', landmarkModel, date: new Date().toISOString(), loadavg: (await import('node:os')).loadavg().map((v) => +v.toFixed(2)),
  scoredImages: `first ${perPerson} of each person`, biasFittedOn: `images ${FIT_FROM}-${FIT_FROM + perPerson - 1} of each person`,
  faces: scored.length, noFace: missed, secondsTotal: +((performance.now() - t0) / 1000).toFixed(1), rows,
}, null, 2) + '\n');
