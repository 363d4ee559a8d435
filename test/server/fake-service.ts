/**
 * TEST DOUBLE: an in-memory FaceService for exercising the HTTP layer. It is not face
 * recognition: the "embedding" is a hash of the image bytes (identical images match, different
 * ones do not) and there is one "face" per image placed from its size. Decoding goes through
 * sharp, so corrupt uploads and pixel limits fail like the real decoder.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { FacekitError } from '../../src/errors/index.ts';
import type {
  AnalyzeResult, CompareOptions, CompareResult, DetectResult, GalleryIndexJson, GallerySearchOptions, GallerySearchResult, FaceSummary, FaceService, IdentifyResult,
  Person, PersonWithFaces, RepresentResult,
  ServiceOptions, StoredFace, VerifyResult, ImageOptions, AnalyzeOptions, RepresentOptions,
} from '../../src/server/service.ts';

interface Decoded { width: number; height: number; hash: Buffer }

function embeddingOf(hash: Buffer): number[] {
  const v = [...hash].map((b) => b / 127.5 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function cosineDistance(a: number[], b: number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return 1 - dot;
}

export class FakeFaceService implements FaceService {
  readonly calls: string[] = [];
  /** while set, every inference call waits for it (to fill the queue) */
  gate: Promise<void> | null = null;
  closed = false;
  private readonly onInference?: ServiceOptions['onInference'];
  private readonly store = new Map<string, PersonWithFaces & { embeddings: Map<string, number[]> }>();
  private nextId = 1;

  constructor(opts: ServiceOptions = {}) {
    this.onInference = opts.onInference;
  }

  private async decode(image: Buffer, opts: ImageOptions): Promise<Decoded> {
    this.calls.push(`decode:${opts.detector ?? 'default'}`);
    let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
    try {
      meta = await sharp(image).metadata();
    } catch {
      throw new FacekitError('BAD_IMAGE', 'cannot decode image: not a JPEG, PNG or WebP');
    }
    const width = meta.width ?? 0;
    const height = meta.height ?? 0;
    if (opts.maxPixels && width * height > opts.maxPixels) {
      throw new FacekitError('IMAGE_TOO_LARGE', `image is ${width}x${height}, over the ${opts.maxPixels} pixel limit`);
    }
    if (this.gate) await this.gate;
    this.onInference?.('fake-detector', 0.002);
    return { width, height, hash: createHash('sha256').update(image).digest() };
  }

  /** one face in the middle; images under 16 px wide have none */
  private facesOf(d: Decoded, opts: ImageOptions & { enforceDetection?: boolean }): FaceSummary[] {
    const face = (x: number, y: number, w: number, h: number, score: number, detector: string): FaceSummary => ({
      box: { x, y, w, h },
      score,
      landmarks5: [[x + w * 0.3, y + h * 0.4], [x + w * 0.7, y + h * 0.4], [x + w * 0.5, y + h * 0.6], [x + w * 0.35, y + h * 0.8], [x + w * 0.65, y + h * 0.8]],
      detector,
    });
    if (opts.detector === 'skip' || (d.width < 16 && opts.enforceDetection === false)) return [face(0, 0, d.width, d.height, 0, 'skip')];
    if (d.width < 16) throw new FacekitError('NO_FACE', 'no face found in the image');
    const grow = 1 + (opts.expandPercentage ?? 0) / 100;
    const [w, h] = [(d.width / 2) * grow, (d.height / 2) * grow];
    return [face((d.width - w) / 2, (d.height - h) / 2, w, h, 0.9, opts.detector ?? 'fake-detector')];
  }

  private checkModel(model?: string): string {
    // a bug inside the service: must surface as a bare 500
    if (model === 'explode') throw new Error('internal detail /secret/path');
    if (model && model !== 'fake-model' && model !== 'fr_feature' && model !== 'faceapi-recognition') {
      throw new FacekitError('MODEL_NOT_FOUND', `no model '${model}'`);
    }
    return model ?? 'fr_feature';
  }

  async detect(image: Buffer, opts: ImageOptions): Promise<DetectResult> {
    const d = await this.decode(image, opts);
    return { width: d.width, height: d.height, faces: this.facesOf(d, opts) };
  }

  async represent(image: Buffer, opts: RepresentOptions): Promise<RepresentResult> {
    const model = this.checkModel(opts.model);
    const d = await this.decode(image, opts);
    this.onInference?.(model, 0.01);
    return { width: d.width, height: d.height, faces: this.facesOf(d, opts).map((f) => ({ ...f, embedding: embeddingOf(d.hash), model })) };
  }

  async verify(image1: Buffer, image2: Buffer, opts: NonNullable<Parameters<FaceService['verify']>[2]> = {}): Promise<VerifyResult> {
    const model = this.checkModel(opts.model);
    const [a, b] = [await this.decode(image1, opts), await this.decode(image2, opts)];
    const distance = Math.max(0, cosineDistance(embeddingOf(a.hash), embeddingOf(b.hash)));
    const threshold = opts.threshold ?? 0.4;
    return {
      verified: distance <= threshold, distance, threshold, confidence: distance <= threshold ? 0.97 : 0.02, metric: opts.metric ?? 'cosine', model, detector: opts.detector ?? 'fr_detect',
      faces: [this.facesOf(a, opts)[0], this.facesOf(b, opts)[0]],
    };
  }

  async compare(set1: number[][], set2: number[][], opts: CompareOptions): Promise<CompareResult> {
    this.checkModel(opts.model);
    const threshold = opts.threshold ?? 0.4;
    let best = { distance: Infinity, pair: [0, 0] as [number, number] };
    set1.forEach((a, i) => set2.forEach((b, j) => {
      if (a.length !== b.length) throw new FacekitError('BAD_ARGUMENT', `embeddings differ in length (${a.length} vs ${b.length})`);
      const distance = Math.max(0, cosineDistance(a, b));
      if (distance < best.distance) best = { distance, pair: [i, j] };
    }));
    return { verified: best.distance <= threshold, distance: best.distance, threshold, confidence: best.distance <= threshold ? 0.97 : 0.02, pair: best.pair };
  }

  /** every enrolled face as a candidate (a person per face is enough for a double), nearest first */
  private ranked(e: number[], threshold: number) {
    return [...this.store.values()].flatMap((p) => [...p.embeddings].map(([faceId, v]) => {
      const distance = Math.max(0, cosineDistance(e, v));
      return { personId: p.id, name: p.name, faceId, distance, confidence: distance <= threshold ? 0.97 : 0.02 };
    })).sort((x, y) => x.distance - y.distance);
  }

  async identify(image: Buffer, opts: NonNullable<Parameters<FaceService['identify']>[1]> = {}): Promise<IdentifyResult> {
    const d = await this.decode(image, opts);
    const threshold = opts.threshold ?? 0.4;
    const candidates = this.ranked(embeddingOf(d.hash), threshold).slice(0, opts.topK ?? 5);
    const match = candidates[0] && candidates[0].distance <= threshold ? candidates[0] : null;
    return { faces: this.facesOf(d, opts).map((face) => ({ ...face, match, candidates })), model: this.checkModel(opts.model), metric: 'cosine', threshold };
  }

  async searchGallery(embedding: number[], opts: GallerySearchOptions): Promise<GallerySearchResult> {
    this.checkModel(opts.model);
    const threshold = opts.threshold ?? 0.4;
    return { candidates: this.ranked(embedding, threshold).slice(0, opts.topK ?? 5), threshold };
  }

  async indexGallery(): Promise<GalleryIndexJson[]> {
    const faces = new Map<string, number>();
    for (const p of this.store.values()) for (const f of p.faces) faces.set(f.model, (faces.get(f.model) ?? 0) + 1);
    return [...faces].map(([model, n]) => ({ model, dims: 32, faces: n, hnsw: false }));
  }

  async analyze(image: Buffer, opts: AnalyzeOptions): Promise<AnalyzeResult> {
    const d = await this.decode(image, opts);
    const h = d.hash;
    const female = h[1] / 255;
    const emotion = { angry: 0.05, disgust: 0.05, fear: 0.05, happy: 0.6, sad: 0.05, surprise: 0.1, neutral: 0.1 };
    const actions = opts.actions ?? ['age', 'gender', 'emotion', 'race'];
    return {
      faces: this.facesOf(d, opts).map((f) => ({
        ...f,
        attributes: {
          ...(actions.includes('age') ? { age: 20 + (h[0] % 40) } : {}),
          ...(actions.includes('gender') ? { gender: { female, male: 1 - female } } : {}),
          ...(actions.includes('emotion') ? { emotion } : {}),
          ...(actions.includes('race') ? { race: { white: 0.5, black: 0.1, asian: 0.1, indian: 0.1, other: 0.2 } } : {}),
        },
      })),
    };
  }

  private person(id: string) {
    const p = this.store.get(id);
    if (!p) throw new FacekitError('NOT_FOUND', `no person with id '${id}'`);
    return p;
  }

  private view(p: PersonWithFaces): PersonWithFaces {
    return { id: p.id, name: p.name, metadata: p.metadata, createdAt: p.createdAt, faceCount: p.faces.length, faces: [...p.faces] };
  }

  private summary(p: PersonWithFaces): Person {
    return { id: p.id, name: p.name, metadata: p.metadata, createdAt: p.createdAt, faceCount: p.faces.length };
  }

  private async enroll(p: PersonWithFaces & { embeddings: Map<string, number[]> }, images: Buffer[], opts: ImageOptions & { model?: string }): Promise<StoredFace[]> {
    const model = this.checkModel(opts.model);
    const decoded = [];
    for (const img of images) decoded.push(await this.decode(img, opts));
    return decoded.map((d) => {
      const face: StoredFace = { id: `f${this.nextId++}`, model, createdAt: new Date().toISOString(), box: this.facesOf(d, opts)[0].box };
      p.faces.push(face);
      p.embeddings.set(face.id, embeddingOf(d.hash));
      return face;
    });
  }

  people: FaceService['people'] = {
    list: async ({ offset, limit }) => {
      const all = [...this.store.values()];
      return { people: all.slice(offset, offset + limit).map((p) => this.summary(p)), total: all.length, totalFaces: all.reduce((n, p) => n + p.faces.length, 0) };
    },
    get: async (id) => this.view(this.person(id)),
    // the library's rule (resolveEnrollee): a name already there gets the images
    create: async (input, opts) => {
      const existing = [...this.store.values()].find((p) => p.name === input.name);
      const p = existing ?? { id: `p${this.nextId++}`, name: input.name, metadata: input.metadata ?? {}, createdAt: new Date().toISOString(), faceCount: 0, faces: [] as StoredFace[], embeddings: new Map<string, number[]>() };
      if (input.images?.length) await this.enroll(p, input.images, opts);
      this.store.set(p.id, p);
      return { ...this.view(p), created: !existing };
    },
    rename: async (id, name) => {
      const p = this.person(id);
      p.name = name;
      return this.summary(p);
    },
    setMetadata: async (id, metadata) => {
      const p = this.person(id);
      p.metadata = metadata;
      return this.summary(p);
    },
    delete: async (id) => {
      this.person(id);
      this.store.delete(id);
    },
    addFaces: async (id, images, opts) => ({ faces: await this.enroll(this.person(id), images, opts) }),
    deleteFace: async (id, faceId) => {
      const p = this.person(id);
      const i = p.faces.findIndex((f) => f.id === faceId);
      if (i < 0) throw new FacekitError('NOT_FOUND', `person '${id}' has no face '${faceId}'`);
      p.faces.splice(i, 1);
      p.embeddings.delete(faceId);
    },
  };

  async close(): Promise<void> {
    this.closed = true;
  }
}
