import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { checkEnrollFaceSize, checkEnrollQuality, spoofCheckIfAsked, type AntiSpoofOption } from '../analyze/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { FacekitError } from '../errors/index.js';
import { summarizeFace, type Box, type Face, type QualitySummary } from '../face.js';
import type { FaceRecord, Gallery, Metadata, NewFace, Person } from '../gallery/index.js';
import type { ImageInput } from '../image/index.js';
import { embedFaces, loadAndFindFaces, type FaceOptions } from '../pipeline/index.js';
import { personNamed } from './people.js';
import { keptCropOf } from './collections.js';

/** Whom photos are enrolled for: a name (or {name, metadata}), or an existing person's {id}. */
export type PersonRef = string | { name: string; metadata?: Metadata } | { id: string };

/** Whom an enrollment writes to, settled before any photo is read: a person who exists, or one to create. */
export type Enrollee = { existing: Person } | { create: { name: string; metadata?: Metadata } };

/**
 * The one rule for whom an enrollment adds to, whichever shell enrolls (CLI enroll, POST /v1/people,
 * the web page): an id names that person (NOT_FOUND if unknown); a name adds to the one person
 * already called that, or makes a new person when nobody is (several: CONFLICT listing their ids),
 * so enrolling a name again never makes a second person of it. Metadata is only set on a new person.
 */
export async function resolveEnrollee(gallery: Gallery, person: PersonRef): Promise<Enrollee> {
  if (typeof person === 'object' && 'id' in person) return { existing: await gallery.getPerson(person.id) };
  const wanted = typeof person === 'string' ? { name: person } : person;
  if (typeof wanted.name !== 'string' || wanted.name.trim() === '') throw new FacekitError('BAD_ARGUMENT', 'a person needs a non-empty name');
  const named = await personNamed(gallery, wanted.name);
  return named ? { existing: named } : { create: { name: wanted.name, metadata: wanted.metadata } };
}

/** Writes an enrollment's faces in one transaction, with the new person when there is one (no faces: just the person). */
export async function storeEnrollment(gallery: Gallery, enrollee: Enrollee, faces: NewFace[]): Promise<{ person: Person; created: boolean; faces: FaceRecord[] }> {
  if ('existing' in enrollee) {
    const added = faces.length ? await gallery.addFaces(enrollee.existing.id, faces) : [];
    return { person: enrollee.existing, created: false, faces: added };
  }
  const { name, metadata } = enrollee.create;
  if (faces.length === 0) return { person: await gallery.createPerson(name, metadata), created: true, faces: [] };
  return { ...(await gallery.enrollPerson({ name, metadata }, faces)), created: true };
}

export interface EnrollOptions extends FaceOptions {
  /** embed with each of these models (default: [opts.model ?? DEFAULT_EMBED_MODEL]) */
  models?: string[];
  /** a photo with several faces enrolls its largest instead of failing with MANY_FACES */
  allowLargest?: boolean;
  /** refuse photos whose face looks presented (a photo or screen of a face): SPOOF, nothing written */
  antiSpoof?: AntiSpoofOption;
  /** enroll photos below the quality bar too (otherwise LOW_QUALITY with the reasons, nothing written) */
  force?: boolean;
  /** called after each photo is embedded (for progress bars) */
  onProgress?: (done: number, total: number) => void;
}

export interface EnrolledPhoto {
  /** the path, or "image #k" for in-memory input */
  image: string;
  box: Box;
  score: number;
  /** the face's quality (the review passed it, or force let it in) */
  quality?: QualitySummary;
  imageSha256: string;
  /** one face id per model */
  faceIds: string[];
}

export interface EnrollResult {
  person: Person;
  /** true when the person was created by this call */
  created: boolean;
  models: string[];
  photos: EnrolledPhoto[];
  ms: number;
}

const imageName = (input: ImageInput, i: number): string => (typeof input === 'string' ? input : `image #${i + 1}`);

async function sha256Of(input: ImageInput): Promise<string> {
  const h = createHash('sha256');
  if (typeof input === 'string') h.update(await readFile(input));
  else if (input instanceof Uint8Array) h.update(input);
  else h.update(input.data);
  return h.digest('hex');
}

function largest(faces: Face[]): Face {
  return faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
}

/**
 * Enroll photos of one person (one face per photo), the person settled by resolveEnrollee. Every
 * photo is checked and embedded before anything is written, and the faces go in one transaction:
 * if any photo fails, the gallery is unchanged (a new person is not created either).
 */
export async function enroll(gallery: Gallery, person: PersonRef, images: ImageInput[], opts: EnrollOptions = {}): Promise<EnrollResult> {
  const t0 = performance.now();
  if (!Array.isArray(images) || images.length === 0) throw new FacekitError('BAD_ARGUMENT', 'enroll needs at least one photo');
  if (opts.head && opts.models && opts.models.length > 1) throw new FacekitError('BAD_ARGUMENT', 'a head belongs to one model: enroll with --head and a single model');
  // a collection's model is its default; it keeps face crops when its operator turned that on
  const collection = await gallery.collectionInfo();
  const models = opts.models?.length ? [...new Set(opts.models)] : [opts.model ?? collection.model ?? DEFAULT_EMBED_MODEL];
  // NOT_FOUND / CONFLICT before any model runs
  const enrollee = await resolveEnrollee(gallery, person);

  const faces: NewFace[] = [];
  const photos: Omit<EnrolledPhoto, 'faceIds'>[] = [];
  for (let i = 0; i < images.length; i++) {
    const name = imageName(images[i], i);
    const { image, faces: found } = await loadAndFindFaces(images[i], opts);
    if (found.length === 0) throw new FacekitError('NO_FACE', `no face found in ${name}`, { image: name });
    if (found.length > 1 && !opts.allowLargest) {
      throw new FacekitError('MANY_FACES', `${found.length} faces in ${name}: enroll photos of one face (or allow the largest)`, { image: name, faces: found.length });
    }
    const face = largest(found);
    checkEnrollFaceSize(face, name);
    const spoof = await spoofCheckIfAsked(image, face, opts.antiSpoof);
    if (spoof && !spoof.isReal) {
      throw new FacekitError('SPOOF', `the face in ${name} looks presented (a photo or a screen), not live: live score ${spoof.score.toFixed(2)} (${spoof.model}); nothing enrolled`, { image: name, liveScore: spoof.score, model: spoof.model });
    }
    const imageSha256 = await sha256Of(images[i]);
    const crop = collection.settings.keepCrops ? await keptCropOf(image, face) : undefined;
    let reviewed = face;
    for (const model of models) {
      // with a head the model is given by it (and checked); the face is stored under the head's id
      const [e] = await embedFaces(image, [face], opts.head && !opts.models?.length && !opts.model ? opts : { ...opts, model });
      // the review reads the quality refined by the first recognizer's output (nothing is stored yet)
      if (reviewed === face) {
        reviewed = e;
        if (!opts.force) checkEnrollQuality(e, name);
      }
      faces.push({ model: e.embedding!.model, embedding: e.embedding!.vector, detectorScore: face.score, box: { ...face.box }, imageSha256, crop });
    }
    const { box, score, quality } = summarizeFace(reviewed);
    photos.push({ image: name, box, score, ...(quality ? { quality } : {}), imageSha256 });
    opts.onProgress?.(i + 1, images.length);
  }

  const stored = await storeEnrollment(gallery, enrollee, faces);
  // faces were written photo by photo, model by model
  const k = models.length;
  return {
    person: stored.person,
    created: stored.created,
    models,
    photos: photos.map((p, i) => ({ ...p, faceIds: stored.faces.slice(i * k, (i + 1) * k).map((f) => f.id) })),
    ms: performance.now() - t0,
  };
}
