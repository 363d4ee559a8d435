/**
 * The server's FaceService bound to the library: images arrive as Buffers (never paths), faces
 * leave as plain JSON, the gallery is a Gallery over SQLite or PostgreSQL. Decoding, detection
 * and embedding run in worker threads (see image-work.ts); the gallery and the decisions stay
 * here. Every model run is reported through onInference so /metrics can show where time goes.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { distance } from '../compare/index.js';
import { facekitDataDir } from '../data-dir.js';
import { DEFAULT_DETECTOR } from '../detect/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { FacekitError } from '../errors/index.js';
import { collectionCalibration, openGallery, type Collection, type FaceRecord, type Gallery, type NewFace, type Person as GalleryPerson } from '../gallery/index.js';
import type {
  AnalyzeAction, AnalyzeOptions, AnalyzeResult, CollectionJson, CollectionsService, CompareOptions, CompareResult, DetectOptions, GalleryIndexJson, GallerySearchOptions, GallerySearchResult, DetectResult, EnrollOptions, FaceService, IdentifyOptions, IdentifyResult, ImageOptions,
  InferenceReporter, LivenessRequestOptions, LivenessResponse, PeopleService, Person, PersonWithFaces, RepresentOptions, RepresentResult, ServiceOptions, StoredFace,
  VerifyOptions, VerifyResult,
} from '../server/service.js';
import { matchEmbedding, matchPhotoFaces, matchThreshold, resolveEnrollee, storeEnrollment } from '../identify/index.js';
import { checkLiveness, estimatePose, type LivenessChallenge, type LivenessFrame } from '../analyze/index.js';
import type { Landmarks5 } from '../face.js';
import { roundBox } from '../rounding.js';
import { compareEmbeddings, decisionCalibration, DEFAULT_METRIC, minQualityFrom, planVerification, qualityGate } from '../verify/index.js';
import type { ImageWork, ImageWorkResult } from './image-work.js';
import { HttpError } from '../server/http-error.js';
import { requestSignal } from '../server/request-signal.js';
import { defaultWorkerCount, WorkerPool } from './worker-pool.js';

export interface CreateServiceOptions extends ServiceOptions {
  /** ms a request's work may still run after its client disconnected before its worker is recycled (default 1 s) */
  orphanGraceMs?: number;
}

/** Where the gallery lives when no --db is given: the user's data directory (XDG). */
export function defaultGalleryPath(): string {
  return join(facekitDataDir(), 'gallery.db');
}

function toPerson(p: GalleryPerson, faceCount?: number): Person {
  return { id: p.id, name: p.name, metadata: p.metadata, createdAt: p.created, ...(faceCount === undefined ? {} : { faceCount }) };
}

function toStoredFace(f: FaceRecord): StoredFace {
  return { id: f.id, model: f.model, createdAt: f.created, ...(f.box ? { box: roundBox(f.box) } : {}) };
}

const DEFAULT_ACTIONS: AnalyzeAction[] = ['age', 'gender', 'emotion', 'race'];

function checkImage(image: unknown): asserts image is Buffer {
  // a string would be a file path to the library; the server only ever hands over bytes
  if (!Buffer.isBuffer(image)) throw new FacekitError('BAD_IMAGE', 'image must be the encoded file bytes');
}

/**
 * The six MediaPipe mesh points of each eye in EAR order (corner, upper lid x2, corner, lower lid
 * x2). The mesh, not a 68-point set, because the 68-point regressors (face-api's and fr_landmark)
 * draw open eyes over eyes painted shut: their EAR stayed 0.28-0.31 where the mesh's fell from
 * 0.28 to 0.22 (one face-api sample face, eyes covered with skin colour and a lid line).
 */
const MESH_EYES = { left: [33, 160, 158, 133, 153, 144], right: [362, 385, 387, 263, 373, 380] };

function toCollectionJson(c: Collection, counts?: { people: number; faces: number }): CollectionJson {
  const calibrations: CollectionJson['calibrations'] = {};
  for (const [key, s] of Object.entries(c.settings.calibrations ?? {})) {
    const { threshold, targetFar, pairs } = s.calibration;
    calibrations[key] = { threshold, targetFar, pairs, source: s.source, fittedAt: s.fittedAt };
  }
  return { name: c.name, model: c.model, createdAt: c.created, keepCrops: !!c.settings.keepCrops, calibrations, ...counts };
}

class LibraryService implements FaceService {
  readonly people: PeopleService;
  readonly collections: CollectionsService;
  /** the same service on other collections of the gallery, opened on first use; only the default-collection service has them */
  private readonly others = new Map<string, Promise<LibraryService>>();

  constructor(private readonly gallery: Gallery, private readonly pool: WorkerPool, private readonly report: InferenceReporter, private readonly db: string, private readonly ownsPool = true) {
    this.people = this.peopleService();
    this.collections = this.collectionsService();
  }

  inCollection(name: string): Promise<FaceService> {
    if (name === this.gallery.collection) return Promise.resolve(this);
    let s = this.others.get(name);
    if (!s) {
      s = openGallery(this.db, { collection: name }).then((g) => new LibraryService(g, this.pool, this.report, this.db, false));
      this.others.set(name, s);
      s.catch(() => this.others.delete(name)); // NOT_FOUND now may exist later
    }
    return s;
  }

  /** the calibration fitted for this collection's (model, metric), if any */
  private async siteCalibration(model: string, metric: typeof DEFAULT_METRIC) {
    return collectionCalibration(await this.gallery.collectionInfo(), model, metric)?.calibration;
  }

  private collectionsService(): CollectionsService {
    const g = this.gallery;
    const counted = async (c: Collection): Promise<CollectionJson> => {
      const s = (await this.inCollection(c.name)) as LibraryService;
      return toCollectionJson(c, { people: (await s.gallery.listPeople({ limit: 1 })).total, faces: await s.gallery.store.countFaces() });
    };
    return {
      list: async () => (await g.listCollections()).map((c) => toCollectionJson(c)),
      get: async (name) => counted(await g.store.getCollection(name)),
      create: async (input) => toCollectionJson(await g.createCollection({ name: input.name, model: input.model ?? null, settings: input.keepCrops ? { keepCrops: true } : {} })),
      update: async (name, patch) => {
        const c = await g.store.getCollection(name);
        const settings = patch.keepCrops === undefined ? c.settings : { ...c.settings, keepCrops: patch.keepCrops };
        return toCollectionJson(await g.updateCollection(name, { settings }));
      },
      delete: async (name) => {
        const r = await g.deleteCollection(name);
        const open = this.others.get(name);
        this.others.delete(name);
        if (open) await open.then((s) => s.close()).catch(() => undefined);
        return r;
      },
    };
  }

  private async work(image: Buffer, opts: ImageOptions, work: ImageWork): Promise<ImageWorkResult> {
    checkImage(image);
    // the HTTP request's signal: a client that disconnects stops paying for its work (worker-pool.ts)
    const signal = requestSignal();
    const r = await this.pool.run(image, { maxPixels: opts.maxPixels, detector: opts.detector, antiSpoofing: opts.antiSpoofing, expandPercentage: opts.expandPercentage, ...work }, signal).catch((e: unknown) => {
      if (signal?.aborted) throw new HttpError(499, 'CLIENT_GONE', 'the client closed the connection while its request ran');
      throw e;
    });
    for (const t of r.timings) this.report(t.model, t.seconds);
    return r;
  }

  private async enrollmentFaces(images: Buffer[], opts: EnrollOptions): Promise<NewFace[]> {
    const model = opts.model ?? (await this.gallery.collectionInfo()).model ?? DEFAULT_EMBED_MODEL;
    const out: NewFace[] = [];
    // one after another: the server's work queue already bounds concurrency across requests
    for (let i = 0; i < images.length; i++) {
      const label = images.length > 1 ? `image ${i + 1} of ${images.length}` : 'the image';
      const r = await this.work(images[i], opts, { embed: { model, pick: 'enroll' }, label, sha256: true, qualityReview: opts.qualityReview });
      const face = r.faces[r.embedded[0]];
      out.push({ model, embedding: r.embeddings[0], detectorScore: face.score, box: { ...face.box }, imageSha256: r.sha256 ?? null });
    }
    return out;
  }

  async detect(image: Buffer, opts: DetectOptions = {}): Promise<DetectResult> {
    const r = await this.work(image, opts, { maxFaces: opts.maxFaces, minScore: opts.minScore });
    return { width: r.width, height: r.height, faces: r.faces };
  }

  async represent(image: Buffer, opts: RepresentOptions = {}): Promise<RepresentResult> {
    const model = opts.model ?? DEFAULT_EMBED_MODEL;
    const r = await this.work(image, opts, {
      maxFaces: opts.maxFaces, minScore: opts.minScore, enforceDetection: opts.enforceDetection, embed: { model, align: opts.align, pick: 'all' },
    });
    if (r.faces.length === 0) throw new FacekitError('NO_FACE', 'no face found in the image (send enforceDetection: false to embed the whole image)');
    return {
      width: r.width,
      height: r.height,
      faces: r.embedded.map((fi, k) => ({ ...r.faces[fi], embedding: Array.from(r.embeddings[k]), model })),
    };
  }

  async verify(image1: Buffer, image2: Buffer, opts: VerifyOptions = {}): Promise<VerifyResult> {
    // the library's plan: one model, or a fusion whose members all embed the one detected face
    // a collection's own fit decides when it has one for this model and metric
    const site = opts.threshold === undefined ? await this.siteCalibration(opts.model ?? DEFAULT_EMBED_MODEL, opts.metric ?? DEFAULT_METRIC) : undefined;
    const plan = planVerification({ ...opts, calibration: site }); // fails before any model runs
    const [first, ...rest] = plan.members;
    const side = (image: Buffer, label: string) =>
      this.work(image, opts, { enforceDetection: opts.enforceDetection, embed: { model: first.model, align: opts.align, pick: 'largest', also: rest.map((m) => m.model) }, label });
    const [a, b] = await Promise.all([side(image1, 'the first image'), side(image2, 'the second image')]);
    const vectors = (r: ImageWorkResult) => [r.embeddings[0], ...(r.alsoEmbeddings ?? []).map((e) => e[0])];
    const [va, vb] = [vectors(a), vectors(b)];
    const [fa, fb] = [a.faces[a.embedded[0]], b.faces[b.embedded[0]]];
    // the library verify's quality gate, with its default minimum (0 turns it off)
    const undecided = qualityGate([['the first face', fa.quality], ['the second face', fb.quality]], minQualityFrom(opts.minQuality));
    return {
      ...plan.decide(plan.members.map((m, i) => distance(va[i], vb[i], m.metric))),
      ...(undecided ? { verified: null, undecided } : {}),
      metric: plan.metric,
      model: plan.label,
      detector: opts.detector ?? DEFAULT_DETECTOR,
      faces: [fa, fb],
    };
  }

  async compare(set1: number[][], set2: number[][], opts: CompareOptions): Promise<CompareResult> {
    if (set1.length === 0 || set2.length === 0) throw new FacekitError('BAD_ARGUMENT', 'compare needs at least one embedding on each side');
    const model = opts.model ?? DEFAULT_EMBED_MODEL;
    const metric = opts.metric ?? DEFAULT_METRIC;
    decisionCalibration(model, metric, opts.threshold); // a missing calibration fails before any distance
    const [a, b] = [set1.map((v) => Float32Array.from(v)), set2.map((v) => Float32Array.from(v))];
    let pair: [number, number] = [0, 0];
    let closest = Infinity;
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < b.length; j++) {
        const d = distance(a[i], b[j], metric);
        if (d < closest) [closest, pair] = [d, [i, j]];
      }
    }
    return { ...compareEmbeddings(a[pair[0]], b[pair[1]], { model, metric, threshold: opts.threshold }), pair };
  }

  async searchGallery(embedding: number[], opts: GallerySearchOptions): Promise<GallerySearchResult> {
    const model = opts.model ?? DEFAULT_EMBED_MODEL;
    // deepface's /search answers with stored faces: each person's nearest one, not their template
    const calibration = await this.siteCalibration(model, DEFAULT_METRIC);
    const { candidates, threshold } = matchEmbedding(this.gallery, Float32Array.from(embedding), { model, metric: DEFAULT_METRIC, threshold: opts.threshold, topK: opts.topK ?? 5, rule: 'min', calibration });
    return { candidates, threshold };
  }

  async indexGallery(): Promise<GalleryIndexJson[]> {
    await this.gallery.settled();
    return this.gallery.models().map((m) => ({ model: m.model, dims: m.dims, faces: m.faces, hnsw: m.hnsw }));
  }

  async identify(image: Buffer, opts: IdentifyOptions = {}): Promise<IdentifyResult> {
    const collection = await this.gallery.collectionInfo();
    const model = opts.model ?? collection.model ?? DEFAULT_EMBED_MODEL;
    // the identify stage's decision (with the collection's fitted calibration when it has one), and its result records
    const calibration = collectionCalibration(collection, model, DEFAULT_METRIC)?.calibration;
    const match = { model, metric: DEFAULT_METRIC, threshold: opts.threshold, topK: opts.topK, rule: opts.rule, calibration };
    const threshold = matchThreshold(match); // fails before any model runs
    const r = await this.work(image, opts, { maxFaces: opts.maxFaces, embed: { model, pick: 'all' } });
    // the library identify's quality gate, with its default minimum (0 turns it off)
    const minQuality = minQualityFrom(opts.minQuality);
    const matched = await matchPhotoFaces(this.gallery, r.embeddings, match);
    const faces = r.embedded.map((fi, k) => {
      const { match: best, candidates } = matched[k];
      const undecided = qualityGate([['the face', r.faces[fi].quality]], minQuality);
      return { ...r.faces[fi], match: undecided ? null : best, candidates, ...(undecided ? { undecided } : {}) };
    });
    return { faces, model, metric: DEFAULT_METRIC, threshold };
  }

  async analyze(image: Buffer, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
    const actions = opts.actions?.length ? opts.actions : DEFAULT_ACTIONS;
    for (const a of actions) {
      if (!DEFAULT_ACTIONS.includes(a)) throw new FacekitError('BAD_ARGUMENT', `unknown action '${a}' (${DEFAULT_ACTIONS.join(', ')})`);
    }
    const r = await this.work(image, opts, { maxFaces: opts.maxFaces, enforceDetection: opts.enforceDetection, analyze: actions });
    if (r.faces.length === 0) throw new FacekitError('NO_FACE', 'no face found in the image (send enforceDetection: false to analyze the whole image)');
    return { faces: r.faces.map((f, i) => ({ ...f, attributes: r.attributes?.[i] ?? {} })) };
  }

  async liveness(frames: Buffer[], opts: LivenessRequestOptions): Promise<LivenessResponse> {
    const wanted: Record<string, LivenessChallenge[]> = { blink: ['blink'], 'turn-left': ['turnLeft'], 'turn-right': ['turnRight'], turn: ['turnLeft', 'turnRight'] };
    const challenges = wanted[opts.challenge];
    if (!challenges) throw new FacekitError('BAD_ARGUMENT', `unknown challenge '${String(opts.challenge)}' (${Object.keys(wanted).join(', ')})`);
    if (frames.length === 0) throw new FacekitError('BAD_ARGUMENT', 'liveness needs frames');
    const model = opts.model ?? DEFAULT_EMBED_MODEL;
    decisionCalibration(model, DEFAULT_METRIC, undefined); // fails before any model runs
    // one frame after another: a burst is one request, and the work queue bounds requests
    const seen: { index: number; frame: LivenessFrame; yaw: number; face: ImageWorkResult['faces'][number] }[] = [];
    for (let i = 0; i < frames.length; i++) {
      const label = `frame ${i + 1} of ${frames.length}`;
      const r = await this.work(frames[i], opts, { landmarks: 'mesh', label }).catch((e: unknown) => {
        // name the bad frame: one corrupt JPEG in a burst of thirty is otherwise hard to find
        if (e instanceof FacekitError && e.code === 'BAD_IMAGE') throw new FacekitError('BAD_IMAGE', `${label}: ${e.message}`);
        throw e;
      });
      if (!r.landmarks) continue; // a frame without a face (looked away, motion blur) is skipped, not fatal
      const face = r.faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
      const landmarks5 = face.landmarks5 as Landmarks5;
      const eye = (ids: number[]) => ids.map((k) => r.landmarks![k]);
      const eyes = { left: eye(MESH_EYES.left), right: eye(MESH_EYES.right) };
      seen.push({ index: i, frame: { time: i, landmarks5, eyes }, yaw: estimatePose(landmarks5).yaw, face });
    }
    if (seen.length === 0) throw new FacekitError('NO_FACE', `no face found in any of the ${frames.length} frames`);
    const result = checkLiveness(seen.map((s) => s.frame), challenges, { mirrored: opts.mirrored });
    // 'turn' asks for either direction; the others for all they name
    const live = opts.challenge === 'turn' ? result.checks.turnLeft.passed || result.checks.turnRight.passed : result.passed;
    const best = seen.reduce((a, b) => (Math.abs(b.yaw) < Math.abs(a.yaw) ? b : a));
    const e = await this.work(frames[best.index], opts, { embed: { model, pick: 'largest' }, label: `frame ${best.index + 1}` });
    const embedding = e.embeddings[0];
    let match: LivenessResponse['match'] = null;
    if (opts.personId !== undefined) {
      const person = await this.gallery.getPerson(opts.personId);
      const enrolled = (await this.gallery.listFaces(person.id)).filter((f) => f.model === model);
      if (enrolled.length === 0) throw new FacekitError('BAD_ARGUMENT', `person ${person.id} has no faces enrolled with model ${model}`);
      const closest = enrolled
        .map((f) => compareEmbeddings(embedding, f.embedding, { model, metric: DEFAULT_METRIC }))
        .reduce((a, b) => (b.distance < a.distance ? b : a));
      match = { personId: person.id, name: person.name, ...closest };
    } else {
      const m = matchEmbedding(this.gallery, embedding, { model, metric: DEFAULT_METRIC, topK: 1 });
      if (m.match) match = { personId: m.match.personId, name: m.match.name, distance: m.match.distance, threshold: m.threshold, verified: true, confidence: m.match.confidence };
    }
    const byIndex = new Map(result.trace.map((t, k) => [seen[k].index, t]));
    return {
      live,
      checks: result.checks,
      trace: frames.map((_, i) => ({ frame: i, ear: byIndex.get(i)?.ear ?? null, yaw: byIndex.get(i)?.yaw ?? null })),
      frames: frames.length,
      framesWithFace: seen.length,
      bestFrame: best.index,
      face: e.faces[e.embedded[0]],
      match,
    };
  }

  async close(): Promise<void> {
    for (const s of this.others.values()) await s.then((x) => x.close()).catch(() => undefined);
    this.others.clear();
    if (this.ownsPool) await this.pool.close();
    await this.gallery.close();
  }

  private peopleService(): PeopleService {
    const g = this.gallery;
    const withFaces = async (p: GalleryPerson): Promise<PersonWithFaces> => {
      const faces = await g.listFaces(p.id);
      return { ...toPerson(p), faceCount: faces.length, faces: faces.map(toStoredFace) };
    };
    return {
      list: async ({ offset, limit }) => {
        const page = await g.listPeople({ offset, limit });
        const counts = await Promise.all(page.items.map(async (p) => (await g.listFaces(p.id)).length));
        return { people: page.items.map((p, i) => toPerson(p, counts[i])), total: page.total, totalFaces: await g.store.countFaces() };
      },
      get: async (id) => withFaces(await g.getPerson(id)),
      create: async (input, opts) => {
        // the library's enrollment rule: a name already in the gallery gets the photos (resolved first, so
        // CONFLICT costs no inference); a new person is written with their faces in one transaction
        const enrollee = await resolveEnrollee(g, { name: input.name, metadata: input.metadata ?? {} });
        const faces = input.images?.length ? await this.enrollmentFaces(input.images, opts) : [];
        const { person, created } = await storeEnrollment(g, enrollee, faces);
        return { ...(await withFaces(person)), created };
      },
      rename: async (id, name) => toPerson(await g.renamePerson(id, name)),
      setMetadata: async (id, metadata) => toPerson(await g.setMetadata(id, metadata)),
      delete: async (id) => {
        await g.deletePerson(id);
      },
      addFaces: async (id, images, opts) => {
        await g.getPerson(id); // NOT_FOUND before spending inference on the images
        if (images.length === 0) throw new FacekitError('BAD_ARGUMENT', 'no images to enroll');
        const added = await g.addFaces(id, await this.enrollmentFaces(images, opts));
        return { faces: added.map(toStoredFace) };
      },
      deleteFace: async (id, faceId) => {
        const [face] = await g.store.getFacesByIds([faceId]);
        if (!face || face.personId !== id) throw new FacekitError('NOT_FOUND', `person ${id} has no face ${faceId}`);
        await g.deleteFace(faceId);
      },
    };
  }
}

/**
 * The library-backed service `facekit serve` runs. `db`: a SQLite file, `sqlite:PATH`,
 * `postgres://...`, or ':memory:'; absent means a SQLite file in the user's data directory.
 */
export async function createService(opts: CreateServiceOptions = {}): Promise<FaceService & { close(): Promise<void> }> {
  let db = opts.db;
  if (db === undefined) {
    db = defaultGalleryPath();
    mkdirSync(dirname(db), { recursive: true });
  }
  const gallery = await openGallery(db);
  let pool: WorkerPool;
  try {
    pool = new WorkerPool(opts.workers ?? defaultWorkerCount(), { deadlineMs: opts.deadlineMs, orphanGraceMs: opts.orphanGraceMs });
  } catch (e) {
    await gallery.close();
    throw e;
  }
  return new LibraryService(gallery, pool, opts.onInference ?? (() => undefined), db);
}
