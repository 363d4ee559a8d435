/**
 * The identification protocol. One-shot: one image per enrolled identity goes into the gallery,
 * the rest of its images are probes; a seeded fraction of identities is held out entirely
 * ("strangers"), whose probes must come back as not recognized.
 *   rank-k (CMC): share of enrolled probes whose identity is among the k nearest identities
 *   DIR(t): share of enrolled probes named correctly at rank 1 with distance <= t
 *   FPIR(t): share of stranger probes whose nearest identity is at distance <= t (wrongly named)
 * Probes without a face count as misses (enrolled) or as correctly rejected (strangers), and are
 * reported apart.
 */
import { FacekitError } from '../errors/index.js';
import { batchDistances, matrixFor, type Metric } from '../compare/distance.js';
import { mulberry32, randInt, shuffleInPlace } from './prng.js';
import type { Dataset } from './pairs.js';
import type { EmbeddingMap, OnProgress } from './scoring.js';

export interface GalleryEntry { identity: string; image: string }
export interface Probe { identity: string; image: string; enrolled: boolean }

export interface IdentificationSplit {
  gallery: GalleryEntry[];
  probes: Probe[];
  strangers: string[];
  seed: number;
}

export function splitIdentification(ds: Dataset, opts: { seed?: number; strangerFraction?: number } = {}): IdentificationSplit {
  const seed = opts.seed ?? 1;
  const frac = opts.strangerFraction ?? 0.2;
  if (!(frac >= 0 && frac < 1)) throw new FacekitError('BAD_ARGUMENT', `strangerFraction must be in [0, 1) (got ${frac})`);
  const rng = mulberry32(seed);
  const names = ds.identities.map((i) => i.name);
  const nStrangers = Math.min(Math.round(frac * names.length), names.length - 1);
  const strangers = new Set(shuffleInPlace([...names], rng).slice(0, nStrangers));
  const gallery: GalleryEntry[] = [];
  const probes: Probe[] = [];
  for (const id of ds.identities) {
    if (strangers.has(id.name)) {
      for (const image of id.images) probes.push({ identity: id.name, image, enrolled: false });
      continue;
    }
    const pick = randInt(rng, id.images.length);
    id.images.forEach((image, k) => {
      if (k === pick) gallery.push({ identity: id.name, image });
      else probes.push({ identity: id.name, image, enrolled: true });
    });
  }
  return { gallery, probes, strangers: [...strangers].sort(), seed };
}

export interface OpenSetPoint { threshold: number; fpir: number; dir: number }

export interface ProbeOutcome {
  image: string;
  identity: string;
  enrolled: boolean;
  /** nearest gallery identity and its distance; null when the probe had no face */
  nearest: string | null;
  /** the gallery image that was nearest */
  nearestImage: string | null;
  distance: number | null;
  /** 1-based rank of the true identity (enrolled probes with a face whose identity is in the gallery) */
  rank: number | null;
}

export interface IdentificationResult {
  /** cmc[k-1] = rank-k identification rate */
  cmc: number[];
  rank1: number;
  rank5: number;
  threshold?: number;
  /** at `threshold` when one was given */
  dir?: number;
  fpir?: number;
  curve: OpenSetPoint[];
  counts: { galleryIdentities: number; enrolledProbes: number; strangerProbes: number };
  noFace: { gallery: number; enrolledProbes: number; strangerProbes: number };
  outcomes: ProbeOutcome[];
}

export interface IdentificationOptions {
  metric: Metric;
  threshold?: number;
  /** CMC length (default 10, cut to the gallery size) */
  maxRank?: number;
  onProgress?: OnProgress;
}

export function evaluateIdentification(split: IdentificationSplit, embeddings: EmbeddingMap, opts: IdentificationOptions): IdentificationResult {
  const lookup = (p: string) => {
    const e = embeddings.get(p);
    if (e === undefined) throw new FacekitError('BAD_ARGUMENT', `no embedding computed for ${p}`);
    return e;
  };
  const enrolledGallery = split.gallery.map((g) => ({ ...g, e: lookup(g.image) })).filter((g) => g.e !== null);
  const noFaceGallery = split.gallery.length - enrolledGallery.length;
  const identities = [...new Set(enrolledGallery.map((g) => g.identity))];
  if (identities.length === 0) throw new FacekitError('BAD_ARGUMENT', 'no gallery image has a face: nothing enrolled');
  const idIndex = new Map(identities.map((n, i) => [n, i]));
  const rowId = enrolledGallery.map((g) => idIndex.get(g.identity)!);
  const matrix = matrixFor(enrolledGallery.map((g) => g.e!), opts.metric);
  const maxRank = Math.min(opts.maxRank ?? 10, identities.length);

  const outcomes: ProbeOutcome[] = [];
  const dists = new Float64Array(enrolledGallery.length);
  const perId = new Float64Array(identities.length);
  split.probes.forEach((p, k) => {
    const e = lookup(p.image);
    if (e === null) {
      outcomes.push({ image: p.image, identity: p.identity, enrolled: p.enrolled, nearest: null, nearestImage: null, distance: null, rank: null });
    } else {
      batchDistances(e, matrix, opts.metric, dists);
      perId.fill(Infinity);
      let bestRow = 0;
      for (let r = 0; r < dists.length; r++) {
        if (dists[r] < perId[rowId[r]]) perId[rowId[r]] = dists[r];
        if (dists[r] < dists[bestRow]) bestRow = r;
      }
      const best = rowId[bestRow];
      let rank: number | null = null;
      const own = idIndex.get(p.identity);
      if (p.enrolled && own !== undefined) {
        // ties broken in the probe's favour: identities strictly nearer than its own, plus one
        rank = 1;
        for (let i = 0; i < perId.length; i++) if (perId[i] < perId[own]) rank++;
      }
      outcomes.push({ image: p.image, identity: p.identity, enrolled: p.enrolled, nearest: identities[best], nearestImage: enrolledGallery[bestRow].image, distance: perId[best], rank });
    }
    opts.onProgress?.(k + 1, split.probes.length);
  });

  const enrolled = outcomes.filter((o) => o.enrolled);
  const strangers = outcomes.filter((o) => !o.enrolled);
  const cmc = Array.from({ length: maxRank }, (_, k) => enrolled.length ? enrolled.filter((o) => o.rank !== null && o.rank <= k + 1).length / enrolled.length : NaN);
  const curve = openSetCurve(enrolled, strangers);
  const res: IdentificationResult = {
    cmc,
    rank1: cmc[0],
    rank5: cmc[Math.min(4, cmc.length - 1)],
    curve,
    counts: { galleryIdentities: identities.length, enrolledProbes: enrolled.length, strangerProbes: strangers.length },
    noFace: {
      gallery: noFaceGallery,
      enrolledProbes: enrolled.filter((o) => o.distance === null).length,
      strangerProbes: strangers.filter((o) => o.distance === null).length,
    },
    outcomes,
  };
  if (opts.threshold !== undefined) {
    const at = openSetAt(enrolled, strangers, opts.threshold);
    Object.assign(res, { threshold: opts.threshold, dir: at.dir, fpir: at.fpir });
  }
  return res;
}

function openSetAt(enrolled: readonly ProbeOutcome[], strangers: readonly ProbeOutcome[], t: number): OpenSetPoint {
  const dir = enrolled.filter((o) => o.rank === 1 && o.distance !== null && o.distance <= t).length;
  const fp = strangers.filter((o) => o.distance !== null && o.distance <= t).length;
  return { threshold: t, dir: enrolled.length ? dir / enrolled.length : NaN, fpir: strangers.length ? fp / strangers.length : NaN };
}

/** DIR against FPIR over every distinct rank-1 distance, from (0, 0) upwards. */
export function openSetCurve(enrolled: readonly Pick<ProbeOutcome, 'rank' | 'distance'>[], strangers: readonly Pick<ProbeOutcome, 'distance'>[]): OpenSetPoint[] {
  const ev: [number, 'dir' | 'fp'][] = [];
  for (const o of enrolled) if (o.rank === 1 && o.distance !== null) ev.push([o.distance, 'dir']);
  for (const o of strangers) if (o.distance !== null) ev.push([o.distance, 'fp']);
  ev.sort((a, b) => a[0] - b[0]);
  const ne = enrolled.length || NaN, ns = strangers.length || NaN;
  const pts: OpenSetPoint[] = [{ threshold: -Infinity, dir: 0, fpir: 0 }];
  let d = 0, f = 0;
  ev.forEach(([t, kind], k) => {
    if (kind === 'dir') d++; else f++;
    if (k === ev.length - 1 || ev[k + 1][0] !== t) pts.push({ threshold: t, dir: d / ne, fpir: f / ns });
  });
  return pts;
}

/** Highest DIR whose FPIR does not exceed `fpir`, with its threshold. */
export function dirAtFpir(curve: readonly OpenSetPoint[], fpir: number): OpenSetPoint {
  let best = curve[0];
  for (const p of curve) if (p.fpir <= fpir + 1e-12 && p.dir > best.dir) best = p;
  return best;
}
