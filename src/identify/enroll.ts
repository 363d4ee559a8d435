import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { checkEnrollFaceSize, spoofCheckIfAsked, type AntiSpoofOption } from '../analyze/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { FacekitError } from '../errors/index.js';
import type { Box, Face } from '../face.js';
import type { Gallery, Metadata, NewFace, Person } from '../gallery/index.js';
import type { ImageInput } from '../image/index.js';
import { embedFaces, loadAndFindFaces, type FaceOptions } from '../pipeline/index.js';

/** A new person (a name, or {name, metadata}) or an existing one ({id}). */
export type PersonRef = string | { name: string; metadata?: Metadata } | { id: string };

export interface EnrollOptions extends FaceOptions {
  /** embed with each of these models (default: [opts.model ?? DEFAULT_EMBED_MODEL]) */
  models?: string[];
  /** a photo with several faces enrolls its largest instead of failing with MANY_FACES */
  allowLargest?: boolean;
  /** refuse photos whose face looks presented (a photo or screen of a face): SPOOF, nothing written */
  antiSpoof?: AntiSpoofOption;
  /** called after each photo is embedded (for progress bars) */
  onProgress?: (done: number, total: number) => void;
}

export interface EnrolledPhoto {
  /** the path, or "image #k" for in-memory input */
  image: string;
  box: Box;
  score: number;
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
 * Enroll photos of one person (one face per photo). Every photo is checked and embedded before
 * anything is written, and the faces go in one transaction: if any photo fails, the gallery is
 * unchanged (a new person is not created either).
 */
export async function enroll(gallery: Gallery, person: PersonRef, images: ImageInput[], opts: EnrollOptions = {}): Promise<EnrollResult> {
  const t0 = performance.now();
  if (!Array.isArray(images) || images.length === 0) throw new FacekitError('BAD_ARGUMENT', 'enroll needs at least one photo');
  if (opts.head && opts.models && opts.models.length > 1) throw new FacekitError('BAD_ARGUMENT', 'a head belongs to one model: enroll with --head and a single model');
  const models = opts.models?.length ? [...new Set(opts.models)] : [opts.model ?? DEFAULT_EMBED_MODEL];
  const existing = typeof person === 'object' && 'id' in person ? await gallery.getPerson(person.id) : null;
  const newPerson = typeof person === 'string' ? { name: person } : existing ? null : (person as { name: string; metadata?: Metadata });
  if (newPerson && (typeof newPerson.name !== 'string' || newPerson.name.trim() === '')) {
    throw new FacekitError('BAD_ARGUMENT', 'a new person needs a non-empty name');
  }

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
    for (const model of models) {
      // with a head the model is given by it (and checked); the face is stored under the head's id
      const [e] = await embedFaces(image, [face], opts.head && !opts.models?.length && !opts.model ? opts : { ...opts, model });
      faces.push({ model: e.embedding!.model, embedding: e.embedding!.vector, detectorScore: face.score, box: { ...face.box }, imageSha256 });
    }
    photos.push({ image: name, box: { ...face.box }, score: face.score, imageSha256 });
    opts.onProgress?.(i + 1, images.length);
  }

  let stored: { person: Person; faceIds: string[] };
  if (newPerson) {
    const r = await gallery.enrollPerson({ name: newPerson.name, metadata: newPerson.metadata }, faces);
    stored = { person: r.person, faceIds: r.faces.map((f) => f.id) };
  } else {
    const added = await gallery.addFaces(existing!.id, faces);
    stored = { person: existing!, faceIds: added.map((f) => f.id) };
  }
  // faces were written photo by photo, model by model
  const k = models.length;
  return {
    person: stored.person,
    created: !!newPerson,
    models,
    photos: photos.map((p, i) => ({ ...p, faceIds: stored.faceIds.slice(i * k, (i + 1) * k) })),
    ms: performance.now() - t0,
  };
}
