import { FacekitError } from '../errors/index.js';
import { createRng, shuffleInPlace, type Rng } from './random.js';

export interface PkBatchSpec {
  /** identities per batch */
  P: number;
  /** images per identity */
  K: number;
}

/**
 * FaceNet-style P x K batches: P identities, K images each, so every anchor has positives and
 * negatives in its own batch and mining can happen online. Identities with a single image cannot
 * form a positive pair and are left out. Identities cycle in shuffled order, so each is visited
 * about equally often; images are drawn without replacement when there are at least K.
 */
export class PkBatchSampler {
  private readonly byId = new Map<number, number[]>();
  private readonly ids: number[];
  private order: number[] = [];
  private readonly rng: Rng;

  constructor(labels: ArrayLike<number>, private readonly spec: PkBatchSpec, seed: number) {
    if (!(spec.P >= 2 && spec.K >= 2)) throw new FacekitError('BAD_ARGUMENT', `batch needs P >= 2 and K >= 2, got P=${spec.P} K=${spec.K}`);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (!this.byId.has(l)) this.byId.set(l, []);
      this.byId.get(l)!.push(i);
    }
    this.ids = [...this.byId.keys()].filter((l) => this.byId.get(l)!.length >= 2).sort((a, b) => a - b);
    if (this.ids.length < 2) throw new FacekitError('BAD_ARGUMENT', `need at least 2 identities with 2+ images, got ${this.ids.length}`);
    this.rng = createRng(seed);
  }

  /** batches that make one pass over the data, about */
  stepsPerEpoch(): number {
    let n = 0;
    for (const id of this.ids) n += this.byId.get(id)!.length;
    return Math.max(1, Math.ceil(n / (Math.min(this.spec.P, this.ids.length) * this.spec.K)));
  }

  /** indices into the labels array, grouped by identity (K consecutive per identity) */
  next(): number[] {
    const P = Math.min(this.spec.P, this.ids.length);
    const picked: number[] = [];
    while (picked.length < P) {
      if (this.order.length === 0) this.order = shuffleInPlace([...this.ids], this.rng);
      const id = this.order.pop()!;
      if (!picked.includes(id)) picked.push(id);
    }
    const out: number[] = [];
    for (const id of picked) {
      const imgs = this.byId.get(id)!;
      if (imgs.length >= this.spec.K) {
        const s = shuffleInPlace([...imgs], this.rng);
        out.push(...s.slice(0, this.spec.K));
      } else {
        for (let k = 0; k < this.spec.K; k++) out.push(k < imgs.length ? imgs[k] : imgs[this.rng.int(imgs.length)]);
      }
    }
    return out;
  }
}
