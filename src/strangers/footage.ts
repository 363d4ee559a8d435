/**
 * What the CLI, the server and the page do with strangers and sightings, as library calls: name a
 * stranger, list sightings, search back through footage with a photo, correct a match.
 */
import { confidence, distance, type Metric } from '../compare/index.js';
import { DEFAULT_EMBED_MODEL } from '../embed/index.js';
import { FacekitError } from '../errors/index.js';
import { summarizeFace, type FaceSummary } from '../face.js';
import type { Gallery, NewFace, Person } from '../gallery/index.js';
import { findPerson, resolveEnrollee, storeEnrollment } from '../identify/index.js';
import type { ImageInput } from '../image/index.js';
import { embedFaces, loadAndFindFaces, type FaceOptions } from '../pipeline/index.js';
import { roundMeasure } from '../rounding.js';
import { calibrationFor, DEFAULT_METRIC } from '../verify/index.js';
import type { FolderOptions } from '../cluster/index.js';
import { FootageStore } from './store.js';
import type { Correction, Sighting } from './types.js';

export interface NamedStranger {
  person: Person;
  /** a new person was made (else the stranger joined the one person of that name) */
  created: boolean;
  /** the stranger ids now this person (the one named and those merged into it) */
  strangers: string[];
  /** sightings that now carry the person */
  sightings: number;
  /** faces of the stranger enrolled for the person */
  faces: number;
}

/**
 * A stranger becomes a person: its kept faces are enrolled (so the next visit is recognised), and
 * it and every stranger merged into it, with all their sightings, now carry the person. A name
 * already in the gallery gets the faces (the enrollment rule of src/identify/enroll.ts).
 */
export async function nameStranger(gallery: Gallery, strangerId: string, name: string): Promise<NamedStranger> {
  const store = FootageStore.of(gallery);
  const root = await store.rootOf(strangerId);
  if (root.personId) throw new FacekitError('CONFLICT', `stranger ${root.id} is already named (person ${root.personId})`);
  const ids = await store.membersOf(root.id);
  const faces: NewFace[] = (await store.strangerFaces())
    .filter((f) => ids.includes(f.strangerId))
    .map((f) => ({ model: f.model, embedding: f.embedding, quality: f.quality }));
  const enrolled = await storeEnrollment(gallery, await resolveEnrollee(gallery, name), faces);
  const sightings = await store.assignStrangers(ids, enrolled.person.id);
  return { person: enrolled.person, created: enrolled.created, strangers: ids, sightings, faces: enrolled.faces.length };
}

export interface SightingFilter {
  /** a person id or name */
  person?: string;
  /** a stranger id: its sightings and those of strangers merged into it */
  stranger?: string;
  /** ISO time or a duration back from now (`2h`, `7d`, `30m`) */
  since?: string;
  source?: string;
  limit?: number;
  offset?: number;
}

/** `2h` / `7d` / `30m` / `45s` back from `now`, or an ISO time */
export function parseSince(since: string, now = new Date()): string {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(since.trim());
  if (m) return new Date(now.getTime() - Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd']).toISOString();
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new FacekitError('BAD_ARGUMENT', `since must be an ISO time or a duration such as 2h or 7d, got '${since}'`);
  return new Date(t).toISOString();
}

export async function listSightings(gallery: Gallery, f: SightingFilter = {}): Promise<Sighting[]> {
  const store = FootageStore.of(gallery);
  if (f.person && f.stranger) throw new FacekitError('BAD_ARGUMENT', 'give a person or a stranger, not both');
  const personId = f.person ? (await findPerson(gallery, f.person)).id : undefined;
  const strangerIds = f.stranger ? await store.membersOf((await store.rootOf(f.stranger)).id) : undefined;
  return store.listSightings({ personId, strangerIds, since: f.since ? parseSince(f.since) : undefined, source: f.source, limit: f.limit, offset: f.offset });
}

export interface FootageHit {
  sighting: Sighting;
  distance: number;
  /** calibrated P(same person) */
  confidence: number;
  /** JPEG of the sighting's best face as a data: URL (null when none was kept) */
  thumbnail: string | null;
}

export interface FootageSearchOptions extends FaceOptions {
  metric?: Metric;
  /** farthest sighting returned (default: the calibrated threshold) */
  threshold?: number;
  /** most hits (default 100) */
  limit?: number;
  /** thumbnails of the hits (default true) */
  thumbnails?: boolean;
}

export interface FootageSearchResult {
  /** the face searched for: the photo's largest */
  face: FaceSummary;
  hits: FootageHit[];
  threshold: number;
  model: string;
  metric: Metric;
}

/** Every sighting of the face in a photo (its largest face), nearest first, within the threshold. */
export async function searchFootage(gallery: Gallery, input: ImageInput, opts: FootageSearchOptions = {}): Promise<FootageSearchResult> {
  const model = opts.model ?? DEFAULT_EMBED_MODEL;
  const metric = opts.metric ?? DEFAULT_METRIC;
  const cal = calibrationFor(model, metric);
  const threshold = opts.threshold ?? cal.threshold;
  const { image, faces } = await loadAndFindFaces(input, opts);
  if (faces.length === 0) throw new FacekitError('NO_FACE', 'no face found in the photo to search for');
  const largest = faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
  const [face] = await embedFaces(image, [largest], { ...opts, model });
  const store = FootageStore.of(gallery);
  const probe = face.embedding!.vector;
  const near = (await store.sightingEmbeddings(model))
    .map((s) => ({ sighting: s.sighting, d: distance(probe, s.embedding, metric) }))
    .filter((s) => s.d <= threshold)
    .sort((a, b) => a.d - b.d)
    .slice(0, opts.limit ?? 100);
  const hits: FootageHit[] = [];
  for (const n of near) {
    const crop = opts.thumbnails === false ? null : await store.sightingCrop(n.sighting.id);
    hits.push({ sighting: n.sighting, distance: roundMeasure(n.d), confidence: roundMeasure(confidence(n.d, cal)), thumbnail: crop ? `data:image/jpeg;base64,${crop.toString('base64')}` : null });
  }
  return { face: summarizeFace(face), hits, threshold: roundMeasure(threshold), model, metric };
}

/**
 * "This sighting is not that person": the correction is stored with the sighting's face, and the
 * sighting leaves the person (it keeps its stranger id when it had one, else it becomes a new stranger).
 */
export async function correctSighting(gallery: Gallery, sightingId: string, notPerson?: string): Promise<Correction> {
  const store = FootageStore.of(gallery);
  const s = await store.getSighting(sightingId);
  const personId = notPerson ? (await findPerson(gallery, notPerson)).id : s.personId;
  if (!personId) throw new FacekitError('BAD_ARGUMENT', `sighting ${sightingId} is of no person; say which person it is not`);
  if (!s.embedding || !s.model) throw new FacekitError('BAD_ARGUMENT', `sighting ${sightingId} kept no face to correct`);
  const c = await store.addCorrection({ personId, model: s.model, embedding: s.embedding, origin: 'sighting', ref: sightingId });
  if (s.personId === personId) await store.detachSighting(sightingId, s.strangerId ? null : { model: s.model, embedding: s.embedding, quality: s.quality ?? 0 });
  return c;
}

/** "This face of the photo is not that person" (face: index in the photo's identify result, default the largest). */
export async function correctPhoto(gallery: Gallery, input: ImageInput, notPerson: string, opts: FaceOptions & { face?: number } = {}): Promise<Correction> {
  const person = await findPerson(gallery, notPerson);
  const model = opts.model ?? DEFAULT_EMBED_MODEL;
  const { image, faces } = await loadAndFindFaces(input, opts);
  if (faces.length === 0) throw new FacekitError('NO_FACE', 'no face found in the photo');
  let face = faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
  if (opts.face !== undefined) {
    if (!Number.isInteger(opts.face) || opts.face < 0 || opts.face >= faces.length) throw new FacekitError('BAD_ARGUMENT', `face ${opts.face} is not in the photo (it has ${faces.length})`);
    face = faces[opts.face];
  }
  const [embedded] = await embedFaces(image, [face], { ...opts, model });
  return FootageStore.of(gallery).addCorrection({ personId: person.id, model, embedding: embedded.embedding!.vector, origin: 'identify', ref: typeof input === 'string' ? input : null });
}

/**
 * "This face of a clustered folder is not that person" (a face id of `facekit cluster DIR`'s
 * result): stored with the face's cached embedding, like a correction on a photo.
 */
export async function correctClusterFace(gallery: Gallery, dir: string, faceId: number, notPerson: string, opts: FolderOptions = {}): Promise<Correction> {
  const person = await findPerson(gallery, notPerson);
  // loaded here only: watch and identify reach this module and need none of the clustering code
  const { openFolderFaces } = await import('../cluster/index.js');
  const { store, model } = openFolderFaces(dir, opts);
  const row = store.faces.findIndex((f) => f.id === faceId);
  if (row < 0) throw new FacekitError('NOT_FOUND', `face ${faceId} is not in the face cache of ${dir}`);
  return FootageStore.of(gallery).addCorrection({ personId: person.id, model, embedding: store.vector(row), origin: 'cluster', ref: `${dir}#${faceId}` });
}
