/**
 * Portable gallery file: JSON lines, UTF-8. The first line is a header
 * {"format":"facekit-gallery","version":1,...}; then one {"type":"person",...} line per person, then
 * one {"type":"face",...} line per face with the embedding as base64 of its Float32 little-endian
 * bytes (bit-exact, unlike decimal text). No photos. Embeddings are written in the clear even from
 * an encrypted store: protect the file accordingly.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { FacekitError } from '../errors/index.js';
import { bytesToFloat32, float32ToBytes } from './codec.js';
import type { Gallery } from './gallery.js';
import type { NewFace, NewPerson } from './types.js';

export const FORMAT = 'facekit-gallery';
export const FORMAT_VERSION = 1;

export async function exportGallery(gallery: Gallery, path: string): Promise<{ people: number; faces: number }> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const write = async (obj: unknown) => {
    if (!out.write(JSON.stringify(obj) + '\n')) await once(out, 'drain');
  };
  let people = 0;
  let faces = 0;
  await write({ format: FORMAT, version: FORMAT_VERSION, exported: new Date().toISOString() });
  for await (const batch of gallery.store.allPeople()) {
    for (const p of batch) {
      await write({ type: 'person', id: p.id, name: p.name, metadata: p.metadata, created: p.created });
      people++;
    }
  }
  for await (const batch of gallery.store.allFaces()) {
    for (const f of batch) {
      await write({
        type: 'face', id: f.id, personId: f.personId, model: f.model, dims: f.dims,
        embedding: float32ToBytes(f.embedding).toString('base64'),
        detectorScore: f.detectorScore, quality: f.quality, box: f.box, imageSha256: f.imageSha256, created: f.created,
      });
      faces++;
    }
  }
  out.end();
  await once(out, 'finish');
  return { people, faces };
}

/**
 * What importing does when an id in the file is already in the gallery:
 * - 'merge' (default): an existing person is kept as is (name and metadata are not overwritten);
 *   faces whose id already exists are skipped, other faces of that person are added to them.
 * - 'error': nothing is written if any person or face id already exists (CONFLICT).
 * - 'new-ids': every person and face gets a fresh id, so the file is added as new people.
 */
export type ImportConflict = 'merge' | 'error' | 'new-ids';

export interface ImportReport {
  peopleAdded: number;
  peopleExisting: number;
  facesAdded: number;
  facesSkipped: number;
}

interface FileFace extends NewFace {
  personId: string;
}

export async function readPortable(path: string): Promise<{ people: NewPerson[]; faces: FileFace[] }> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  const people: NewPerson[] = [];
  const faces: FileFace[] = [];
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    let obj: any;
    try {
      obj = JSON.parse(text);
    } catch {
      throw new FacekitError('BAD_ARGUMENT', `${path}:${line}: not JSON`);
    }
    if (line === 1) {
      if (obj?.format !== FORMAT) throw new FacekitError('BAD_ARGUMENT', `${path} is not a facekit gallery export (no "format":"${FORMAT}" header)`);
      if (obj.version > FORMAT_VERSION) throw new FacekitError('BAD_ARGUMENT', `${path} has format version ${obj.version}; this facekit reads up to ${FORMAT_VERSION}`);
      continue;
    }
    if (obj?.type === 'person') {
      people.push({ id: obj.id, name: obj.name, metadata: obj.metadata ?? {}, created: obj.created });
    } else if (obj?.type === 'face') {
      const embedding = bytesToFloat32(Buffer.from(String(obj.embedding ?? ''), 'base64'));
      if (embedding.length !== obj.dims) throw new FacekitError('BAD_ARGUMENT', `${path}:${line}: embedding has ${embedding.length} values, dims says ${obj.dims}`);
      faces.push({
        id: obj.id, personId: obj.personId, model: obj.model, embedding,
        detectorScore: obj.detectorScore ?? null, quality: obj.quality ?? null, box: obj.box ?? null, imageSha256: obj.imageSha256 ?? null, created: obj.created,
      });
    } else {
      throw new FacekitError('BAD_ARGUMENT', `${path}:${line}: unknown record type ${JSON.stringify(obj?.type)}`);
    }
  }
  if (line === 0) throw new FacekitError('BAD_ARGUMENT', `${path} is empty`);
  return { people, faces };
}

/** Each person is written with their faces in one transaction (a failure leaves whole people only). */
export async function importGallery(gallery: Gallery, path: string, opts: { onConflict?: ImportConflict } = {}): Promise<ImportReport> {
  const mode = opts.onConflict ?? 'merge';
  if (!['merge', 'error', 'new-ids'].includes(mode)) throw new FacekitError('BAD_ARGUMENT', `unknown onConflict '${mode}' (merge, error, new-ids)`);
  const { people, faces } = await readPortable(path);
  const byPerson = new Map<string, FileFace[]>();
  for (const f of faces) {
    if (!byPerson.has(f.personId)) byPerson.set(f.personId, []);
    byPerson.get(f.personId)!.push(f);
  }
  const known = new Set(people.map((p) => p.id));
  for (const pid of byPerson.keys()) {
    if (!known.has(pid)) throw new FacekitError('BAD_ARGUMENT', `${path}: faces refer to person ${pid}, who is not in the file`);
  }

  const existingPeople = new Set<string>();
  const existingFaces = new Set<string>();
  if (mode !== 'new-ids') {
    for (const p of people) if (await gallery.store.findPerson(p.id!)) existingPeople.add(p.id!);
    const ids = faces.map((f) => f.id!);
    for (let i = 0; i < ids.length; i += 1000) {
      for (const f of await gallery.store.getFacesByIds(ids.slice(i, i + 1000))) existingFaces.add(f.id);
    }
    if (mode === 'error' && (existingPeople.size || existingFaces.size)) {
      const first = existingPeople.values().next().value ?? existingFaces.values().next().value;
      throw new FacekitError('CONFLICT', `import would overwrite ${existingPeople.size} people and ${existingFaces.size} faces already in the gallery (e.g. ${first}); nothing imported`);
    }
  }

  const report: ImportReport = { peopleAdded: 0, peopleExisting: 0, facesAdded: 0, facesSkipped: 0 };
  for (const p of people) {
    const fileFaces = byPerson.get(p.id!) ?? [];
    const strip = (f: FileFace): NewFace => {
      const rest: NewFace = { ...f };
      delete (rest as Partial<FileFace>).personId;
      return mode === 'new-ids' ? { ...rest, id: undefined } : rest;
    };
    if (existingPeople.has(p.id!)) {
      report.peopleExisting++;
      const fresh = fileFaces.filter((f) => !existingFaces.has(f.id!));
      report.facesSkipped += fileFaces.length - fresh.length;
      if (fresh.length) report.facesAdded += (await gallery.addFaces(p.id!, fresh.map(strip))).length;
      continue;
    }
    const person = mode === 'new-ids' ? { ...p, id: undefined } : p;
    if (fileFaces.length === 0) {
      await gallery.createPerson(person.name, person.metadata, { id: person.id, created: person.created });
    } else {
      const fresh = fileFaces.filter((f) => !existingFaces.has(f.id!));
      report.facesSkipped += fileFaces.length - fresh.length;
      if (fresh.length) report.facesAdded += (await gallery.enrollPerson(person, fresh.map(strip))).faces.length;
      else await gallery.createPerson(person.name, person.metadata, { id: person.id, created: person.created });
    }
    report.peopleAdded++;
  }
  return report;
}
