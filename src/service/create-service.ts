/**
 * The server's FaceService bound to the library: images arrive as Buffers (never paths), faces
 * leave as plain JSON, the gallery is a Gallery over SQLite or PostgreSQL. Every model run is
 * timed and reported through onInference so /metrics can show where time goes.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { confidence, distance, fallbackCalibration, getCalibration, type Calibration } from '../compare/index.ts';
import { DEFAULT_DETECTOR } from '../detect/index.ts';
import { DEFAULT_EMBED_MODEL } from '../embed/index.ts';
import { FacekitError } from '../errors/index.ts';
import type { Face } from '../face.ts';
import { openGallery, type FaceRecord, type Gallery, type NewFace, type Person as GalleryPerson } from '../gallery/index.ts';
import { loadImage } from '../image/index.ts';
import type { RgbImage } from '../image/types.ts';
import { embedFaces, findFaces, type FaceOptions } from '../pipeline/index.ts';
import { calibrationFor } from '../verify/index.ts';
import type {
  AnalyzeResult, DetectOptions, DetectResult, EnrollOptions, FaceJson, FaceService, IdentifyOptions, IdentifyResult, ImageOptions,
  InferenceReporter, PeopleService, Person, PersonWithFaces, RepresentOptions, RepresentResult, ServiceOptions, StoredFace,
  VerifyOptions, VerifyResult,
} from '../server/service.ts';

/** Where the gallery lives when no --db is given: the user's data directory (XDG). */
export function defaultGalleryPath(): string {
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'facekit', 'gallery.db');
}

/** The server's detector id 'skip' means no detection: the whole image is the face. */
const SKIP = 'skip';

/** An enrollment photo may show bystanders if its main face is clearly the largest. */
const DOMINANT_AREA_RATIO = 2;

function toFaceJson(f: Face): FaceJson {
  return {
    box: { x: f.box.x, y: f.box.y, w: f.box.w, h: f.box.h },
    score: f.score,
    landmarks5: f.landmarks5.map(([x, y]) => [x, y] as [number, number]),
    ...(f.detector ? { detector: f.detector } : {}),
  };
}

function toPerson(p: GalleryPerson, faceCount?: number): Person {
  return { id: p.id, name: p.name, metadata: p.metadata, createdAt: p.created, ...(faceCount === undefined ? {} : { faceCount }) };
}

function toStoredFace(f: FaceRecord): StoredFace {
  return { id: f.id, model: f.model, createdAt: f.created, ...(f.box ? { box: { x: f.box.x, y: f.box.y, w: f.box.w, h: f.box.h } } : {}) };
}

const area = (f: Face): number => f.box.w * f.box.h;

function largest(faces: Face[]): Face {
  return faces.reduce((a, b) => (area(b) > area(a) ? b : a));
}

function checkImageOptions(opts: ImageOptions): void {
  if (opts.antiSpoofing) {
    throw new FacekitError('BAD_ARGUMENT', 'anti-spoofing is not available: no presentation-attack model is bundled with facekit yet');
  }
}

class LibraryService implements FaceService {
  readonly people: PeopleService;

  constructor(private readonly gallery: Gallery, private readonly report: InferenceReporter) {
    this.people = this.peopleService();
  }

  // ---- stages, each timed -------------------------------------------------------------------

  private async load(image: Buffer, opts: ImageOptions): Promise<RgbImage> {
    if (!Buffer.isBuffer(image)) throw new FacekitError('BAD_IMAGE', 'image must be the encoded file bytes');
    return loadImage(image, { maxPixels: opts.maxPixels });
  }

  private async find(image: RgbImage, opts: DetectOptions & { enforceDetection?: boolean }): Promise<Face[]> {
    const detector = opts.detector ?? DEFAULT_DETECTOR;
    if (detector === SKIP) return findFaces(image, { detect: false });
    const o: FaceOptions = { detector, maxFaces: opts.maxFaces, ...(opts.minScore === undefined ? {} : { scoreThreshold: opts.minScore }) };
    const t0 = performance.now();
    const faces = await findFaces(image, o);
    this.report(detector, (performance.now() - t0) / 1000);
    if (faces.length === 0 && opts.enforceDetection === false) return findFaces(image, { detect: false });
    return faces;
  }

  private async embed(image: RgbImage, faces: Face[], model: string, align: boolean | undefined): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const t0 = performance.now();
    const out = await embedFaces(image, faces, { model, align });
    this.report(model, (performance.now() - t0) / 1000);
    return out.map((f) => f.embedding!.vector);
  }

  /** The one face an enrollment image contributes: its only face, or its clearly largest one. */
  private async enrollmentFace(image: Buffer, index: number, total: number, opts: EnrollOptions, model: string): Promise<NewFace> {
    checkImageOptions(opts);
    const which = total > 1 ? `image ${index + 1} of ${total}` : 'the image';
    const rgb = await this.load(image, opts);
    const faces = await this.find(rgb, { detector: opts.detector });
    if (faces.length === 0) throw new FacekitError('NO_FACE', `no face found in ${which}`, { image: index });
    const main = largest(faces);
    const rivals = faces.filter((f) => f !== main && area(f) * DOMINANT_AREA_RATIO > area(main));
    if (rivals.length > 0) {
      throw new FacekitError('MANY_FACES', `${which} shows ${faces.length} faces of similar size; enroll photos of one person only`, { image: index, faces: faces.length });
    }
    const [vector] = await this.embed(rgb, [main], model, true);
    return {
      model,
      embedding: vector,
      detectorScore: main.score,
      box: { x: main.box.x, y: main.box.y, w: main.box.w, h: main.box.h },
      imageSha256: createHash('sha256').update(image).digest('hex'),
    };
  }

  private async enrollmentFaces(images: Buffer[], opts: EnrollOptions): Promise<NewFace[]> {
    const model = opts.model ?? DEFAULT_EMBED_MODEL;
    const out: NewFace[] = [];
    // one after another: the work queue already bounds concurrency across requests
    for (let i = 0; i < images.length; i++) out.push(await this.enrollmentFace(images[i], i, images.length, opts, model));
    return out;
  }

  // ---- FaceService ----------------------------------------------------------------------------

  async detect(image: Buffer, opts: DetectOptions): Promise<DetectResult> {
    checkImageOptions(opts);
    const rgb = await this.load(image, opts);
    const faces = await this.find(rgb, opts);
    return { width: rgb.width, height: rgb.height, faces: faces.map(toFaceJson) };
  }

  async represent(image: Buffer, opts: RepresentOptions): Promise<RepresentResult> {
    checkImageOptions(opts);
    const model = opts.model ?? DEFAULT_EMBED_MODEL;
    const rgb = await this.load(image, opts);
    const faces = await this.find(rgb, opts);
    if (faces.length === 0) throw new FacekitError('NO_FACE', 'no face found in the image (send enforceDetection: false to embed the whole image)');
    const vectors = await this.embed(rgb, faces, model, opts.align);
    return {
      width: rgb.width,
      height: rgb.height,
      faces: faces.map((f, i) => ({ ...toFaceJson(f), embedding: Array.from(vectors[i]), model })),
    };
  }

  async verify(image1: Buffer, image2: Buffer, opts: VerifyOptions): Promise<VerifyResult> {
    checkImageOptions(opts);
    const model = opts.model ?? DEFAULT_EMBED_MODEL;
    const metric = opts.metric ?? 'cosine';
    // an explicit threshold still reports the shipped confidence map when there is one
    const cal: Calibration = opts.threshold === undefined ? calibrationFor(model, metric) : tryCalibration(model, metric) ?? fallbackCalibration(model, metric, opts.threshold);
    const side = async (image: Buffer, which: string): Promise<{ rgb: RgbImage; face: Face }> => {
      const rgb = await this.load(image, opts);
      const faces = await this.find(rgb, { detector: opts.detector, enforceDetection: opts.enforceDetection });
      if (faces.length === 0) throw new FacekitError('NO_FACE', `no face found in the ${which} image`, { image: which });
      return { rgb, face: largest(faces) };
    };
    const a = await side(image1, 'first');
    const b = await side(image2, 'second');
    const [ea] = await this.embed(a.rgb, [a.face], model, opts.align);
    const [eb] = await this.embed(b.rgb, [b.face], model, opts.align);
    const d = distance(ea, eb, metric);
    const threshold = opts.threshold ?? cal.threshold;
    return {
      verified: d <= threshold,
      distance: d,
      threshold,
      confidence: confidence(d, cal),
      metric,
      model,
      detector: opts.detector ?? DEFAULT_DETECTOR,
      faces: [toFaceJson(a.face), toFaceJson(b.face)],
    };
  }

  async identify(image: Buffer, opts: IdentifyOptions): Promise<IdentifyResult> {
    checkImageOptions(opts);
    const model = opts.model ?? DEFAULT_EMBED_MODEL;
    // the gallery index ranks by cosine distance, so the cosine calibration sets the cut
    const threshold = opts.threshold ?? calibrationFor(model, 'cosine').threshold;
    const topK = opts.topK ?? 1;
    const rgb = await this.load(image, opts);
    const faces = await this.find(rgb, { detector: opts.detector, maxFaces: opts.maxFaces });
    const vectors = await this.embed(rgb, faces, model, true);
    return {
      faces: faces.map((f, i) => {
        const { people } = this.gallery.search(model, vectors[i], { topK: Math.max(20, topK) });
        const matches = people
          .filter((p) => p.distance <= threshold)
          .slice(0, topK)
          .map((p) => ({ personId: p.personId, name: p.name, faceId: p.faceId, distance: p.distance }));
        return { face: toFaceJson(f), matches };
      }),
    };
  }

  async analyze(): Promise<AnalyzeResult> {
    throw new FacekitError('MODEL_NOT_FOUND', 'attribute analysis (age, gender, emotion, race) is not available: no attribute model is bundled with facekit yet');
  }

  async close(): Promise<void> {
    await this.gallery.close();
  }

  // ---- people -------------------------------------------------------------------------------

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
        const faces = input.images?.length ? await this.enrollmentFaces(input.images, opts) : [];
        const { person } = await g.enrollPerson({ name: input.name, metadata: input.metadata ?? {} }, faces);
        return withFaces(person);
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

function tryCalibration(model: string, metric: VerifyOptions['metric'] & string): Calibration | undefined {
  try {
    return getCalibration(model, metric);
  } catch {
    return undefined;
  }
}

/**
 * The library-backed service `facekit serve` runs. `db`: a SQLite file, `sqlite:PATH`,
 * `postgres://...`, or ':memory:'; absent means a SQLite file in the user's data directory.
 */
export async function createService(opts: ServiceOptions = {}): Promise<FaceService> {
  let db = opts.db;
  if (db === undefined) {
    db = defaultGalleryPath();
    mkdirSync(join(db, '..'), { recursive: true });
  }
  const gallery = await openGallery(db);
  return new LibraryService(gallery, opts.onInference ?? (() => undefined));
}
