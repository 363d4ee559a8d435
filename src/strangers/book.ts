/**
 * Who an unknown face is among the strangers seen before. A track (or a visit) that matched no
 * person brings a few samples, each an embedding with its face quality score (src/analyze's
 * assessQuality). Its distance to a stranger is the quality-weighted mean, over the samples, of
 * each sample's distance to the stranger's nearest kept face: a blurred or turned frame counts
 * little, a sharp frontal one much. The nearest stranger within the calibrated threshold is the
 * one; none: a new stranger. Several within it that were never seen at the same time are one
 * person seen in pieces: they merge into the oldest. Strangers seen together (two faces of one
 * frame) are never matched to each other nor merged (cannot-link).
 *
 * With a FootageStore the strangers are the gallery's (ids stable across runs and processes that
 * share it); without one they live for this book only.
 */
import { distance, type Metric } from '../compare/index.js';
import { FacekitError } from '../errors/index.js';
import { STRANGER_FACES_KEPT, type FootageStore } from './store.js';

export interface StrangerSample {
  vector: Float32Array;
  /** face quality score, 0..1 */
  quality: number;
}

export interface StrangerMatch {
  id: string;
  /** a new stranger was made */
  isNew: boolean;
  /** strangers merged into `id` by this match */
  merged: string[];
  /** the quality-weighted distance to the stranger matched (null for a new one) */
  distance: number | null;
}

interface Entry {
  id: string;
  seq: number;
  mergedInto: string | null;
  faces: StrangerSample[];
}

export interface StrangerBookOptions {
  store?: FootageStore | null;
  /** the recognition model the samples come from (stored with the faces) */
  model?: string;
  /** faces kept per stranger (default 12) */
  keep?: number;
  /** merge strangers that one visit matches together (default true) */
  merge?: boolean;
  /**
   * a visit merges the strangers it is within this distance of (default 0.85 x the threshold): a
   * wrong merge joins two people's whole histories, a wrong join only one visit, so merging asks more
   */
  mergeThreshold?: number;
}

/** samples below this weight still count a little: a quality of 0 would otherwise drop a sample */
const MIN_WEIGHT = 0.05;
/**
 * a sample's distance to a stranger is the mean over the stranger's nearest faces (up to 3), not
 * the single nearest: with a dozen faces kept per stranger and many strangers, the nearest of
 * all those pairs falls within the threshold for the wrong person far more often than one pair
 * does, and each such join widens the stranger further (bench/strangers.ts)
 */
const NEAREST = 3;
/** the merge threshold as a fraction of the match threshold (bench/strangers.ts: 1.0 merged two people on 2 of 3 seeds) */
const MERGE_FRACTION = 0.85;
/** samples kept as faces of the stranger: at least this fraction of the visit's best quality */
const KEEP_FRACTION = 0.5;

export class StrangerBook {
  private readonly entries = new Map<string, Entry>();
  private readonly links = new Set<string>();
  private nextSeq = 1;
  private readonly store: FootageStore | null;
  private readonly model: string;
  private readonly keep: number;
  private readonly merge: boolean;
  private readonly mergeThreshold: number;

  constructor(private readonly metric: Metric, private readonly threshold: number, opts: StrangerBookOptions = {}) {
    if (!(threshold >= 0)) throw new FacekitError('BAD_ARGUMENT', `stranger threshold must be a non-negative distance, got ${threshold}`);
    this.store = opts.store ?? null;
    this.model = opts.model ?? 'unknown';
    this.keep = opts.keep ?? STRANGER_FACES_KEPT;
    this.merge = opts.merge !== false;
    this.mergeThreshold = opts.mergeThreshold ?? MERGE_FRACTION * threshold;
  }

  /** the gallery's unnamed strangers for `model` */
  static async load(store: FootageStore, model: string, metric: Metric, threshold: number, opts: Omit<StrangerBookOptions, 'store' | 'model'> = {}): Promise<StrangerBook> {
    const book = new StrangerBook(metric, threshold, { ...opts, store, model });
    for (const f of await store.strangerFaces(model)) {
      let e = book.entries.get(f.strangerId);
      if (!e) book.entries.set(f.strangerId, (e = { id: f.strangerId, seq: f.seq, mergedInto: f.mergedInto, faces: [] }));
      e.faces.push({ vector: f.embedding, quality: f.quality });
    }
    return book;
  }

  /** strangers known (roots, not counting merged ones) */
  get size(): number {
    return [...this.entries.values()].filter((e) => !e.mergedInto).length;
  }

  /** the id a stranger id now stands for (itself, or the stranger it was merged into) */
  root(id: string): string {
    let e = this.entries.get(id);
    for (let hops = 0; e?.mergedInto && hops < 1000; hops++) e = this.entries.get(e.mergedInto);
    return e?.id ?? id;
  }

  /** these strangers were seen at the same time: never one person */
  cannotLink(a: string, b: string): void {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra !== rb) this.links.add(linkKey(ra, rb));
  }

  private linked(a: string, b: string): boolean {
    return this.links.has(linkKey(a, b));
  }

  /** quality-weighted distance of the samples to one stranger (its own faces and those merged into it) */
  distanceTo(rootId: string, samples: readonly StrangerSample[]): number {
    const faces = [...this.entries.values()].filter((e) => this.root(e.id) === rootId).flatMap((e) => e.faces);
    if (faces.length === 0) return Infinity;
    let sum = 0;
    let weights = 0;
    const k = Math.min(NEAREST, faces.length);
    for (const s of samples) {
      const nearest = faces.map((f) => distance(s.vector, f.vector, this.metric)).sort((a, b) => a - b);
      let d = 0;
      for (let i = 0; i < k; i++) d += nearest[i];
      const w = Math.max(MIN_WEIGHT, s.quality);
      sum += (w * d) / k;
      weights += w;
    }
    return sum / weights;
  }

  /**
   * The stranger these samples are: an earlier one within the threshold, else a new one. `exclude`:
   * strangers on screen with this face at the same time (cannot-link); `crop`: a JPEG of the best
   * face, kept with it.
   */
  async identify(samples: readonly StrangerSample[], opts: { exclude?: Iterable<string>; crop?: Buffer | null; at?: string } = {}): Promise<StrangerMatch> {
    if (samples.length === 0) throw new FacekitError('BAD_ARGUMENT', 'a stranger needs at least one sample');
    const at = opts.at ?? new Date().toISOString();
    const exclude = new Set([...(opts.exclude ?? [])].map((id) => this.root(id)));
    const scored: { id: string; d: number; seq: number }[] = [];
    for (const e of this.entries.values()) {
      if (e.mergedInto || exclude.has(e.id) || [...exclude].some((x) => this.linked(x, e.id))) continue;
      const d = this.distanceTo(e.id, samples);
      if (d <= this.threshold) scored.push({ id: e.id, d, seq: e.seq });
    }
    scored.sort((a, b) => a.d - b.d);
    const best = scored[0];
    const faces = this.facesOf(samples, opts.crop ?? null);
    let id: string;
    const merged: string[] = [];
    if (!best) {
      id = await this.create(faces, at);
    } else {
      // the others within the threshold that may be the same person as the best: one person, seen in pieces
      const group = [best, ...(this.merge && best.d <= this.mergeThreshold ? scored.slice(1).filter((s) => s.d <= this.mergeThreshold && !this.linked(s.id, best.id)) : [])];
      const oldest = group.reduce((a, b) => (b.seq < a.seq ? b : a));
      id = oldest.id;
      for (const g of group) {
        if (g.id === id) continue;
        this.entries.get(g.id)!.mergedInto = id;
        for (const key of [...this.links]) {
          const [a, b] = key.split('|');
          if (a === g.id || b === g.id) this.links.add(linkKey(a === g.id ? id : a, b === g.id ? id : b));
        }
        merged.push(g.id);
        await this.store?.mergeStrangers(g.id, id);
      }
      await this.addFaces(id, faces, at);
    }
    for (const x of exclude) this.cannotLink(x, id);
    return { id, isNew: !best, merged, distance: best ? best.d : null };
  }

  private facesOf(samples: readonly StrangerSample[], crop: Buffer | null): { sample: StrangerSample; crop: Buffer | null }[] {
    const bestQ = Math.max(...samples.map((s) => s.quality));
    let cropGiven = false;
    // a poor frame beside a good one is not kept: it would widen the stranger towards anyone
    return samples.filter((s) => s.quality >= KEEP_FRACTION * bestQ).map((s) => {
      const withCrop = !cropGiven && s.quality === bestQ;
      if (withCrop) cropGiven = true;
      return { sample: s, crop: withCrop ? crop : null };
    });
  }

  private async create(faces: { sample: StrangerSample; crop: Buffer | null }[], at: string): Promise<string> {
    const kept = faces.sort((a, b) => b.sample.quality - a.sample.quality).slice(0, this.keep);
    let id: string;
    let seq: number;
    if (this.store) {
      const s = await this.store.newStranger(kept.map((f) => ({ model: this.model, embedding: f.sample.vector, quality: f.sample.quality, crop: f.crop })), at);
      id = s.id;
      seq = Number(id.slice('stranger-'.length));
    } else {
      seq = this.nextSeq++;
      id = `stranger-${seq}`;
    }
    this.entries.set(id, { id, seq, mergedInto: null, faces: kept.map((f) => f.sample) });
    return id;
  }

  private async addFaces(id: string, faces: { sample: StrangerSample; crop: Buffer | null }[], at: string): Promise<void> {
    const e = this.entries.get(id)!;
    e.faces.push(...faces.map((f) => f.sample));
    e.faces.sort((a, b) => b.quality - a.quality);
    e.faces.length = Math.min(e.faces.length, this.keep);
    await this.store?.addStrangerFaces(id, faces.map((f) => ({ model: this.model, embedding: f.sample.vector, quality: f.sample.quality, crop: f.crop })), at, this.keep);
  }
}

const linkKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
