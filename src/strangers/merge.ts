/**
 * Merge and un-merge, for people as for strangers. Merging person A into B moves A's faces to B
 * (re-added under B, so the index follows), and A's sightings, named strangers and corrections;
 * A is then deleted. What moved is recorded (person_merges), so `unmerge A` brings A back under
 * its old id, name and metadata with exactly those faces and records. A stranger id merges and
 * un-merges as in the stranger book (a pointer, nothing moves).
 */
import { FacekitError } from '../errors/index.js';
import type { Gallery, Person } from '../gallery/index.js';
import { findPerson } from '../identify/index.js';
import { FootageStore, type PersonRecordsMoved } from './store.js';

interface PersonUndo {
  person: Person;
  /** ids of the faces as re-added under the other person */
  faceIds: string[];
  moved: PersonRecordsMoved;
}

const isStranger = (id: string) => /^stranger-\d+$/.test(id);

/** merges `from` into `into`: two people (ids or names) or two stranger ids */
export async function merge(gallery: Gallery, from: string, into: string): Promise<{ kind: 'person' | 'stranger'; into: string }> {
  const store = FootageStore.of(gallery);
  if (isStranger(from) || isStranger(into)) {
    if (!isStranger(from) || !isStranger(into)) throw new FacekitError('BAD_ARGUMENT', 'merge two people or two strangers (name the stranger first to merge it into a person)');
    await store.mergeStrangers(from, into);
    return { kind: 'stranger', into: (await store.rootOf(into)).id };
  }
  const a = await findPerson(gallery, from);
  const b = await findPerson(gallery, into);
  if (a.id === b.id) throw new FacekitError('BAD_ARGUMENT', `${from} and ${into} are the same person`);
  const faces = await gallery.listFaces(a.id);
  const added = faces.length ? await gallery.addFaces(b.id, faces.map((f) => ({ model: f.model, embedding: f.embedding, detectorScore: f.detectorScore, quality: f.quality, box: f.box, imageSha256: f.imageSha256 }))) : [];
  const moved = await store.movePersonRecords(a.id, b.id);
  const undo: PersonUndo = { person: a, faceIds: added.map((f) => f.id), moved };
  await store.addPersonMerge(a.id, b.id, undo);
  await gallery.deletePerson(a.id);
  return { kind: 'person', into: b.id };
}

/** undoes the merge that removed this person id (or a stranger's merge) */
export async function unmerge(gallery: Gallery, id: string): Promise<{ kind: 'person' | 'stranger'; id: string }> {
  const store = FootageStore.of(gallery);
  if (isStranger(id)) {
    await store.unmergeStranger(id);
    return { kind: 'stranger', id };
  }
  const m = await store.personMergeOf(id);
  if (!m) throw new FacekitError('NOT_FOUND', `no merge of person ${id} to undo (give the id the person had)`);
  const undo = m.undo as PersonUndo;
  const back = new Set(undo.faceIds);
  const faces = (await gallery.listFaces(m.intoId)).filter((f) => back.has(f.id));
  const p = undo.person;
  if (faces.length === 0) await gallery.createPerson(p.name, p.metadata, { id: p.id, created: p.created });
  else await gallery.enrollPerson({ id: p.id, name: p.name, metadata: p.metadata, created: p.created }, faces.map((f) => ({ model: f.model, embedding: f.embedding, detectorScore: f.detectorScore, quality: f.quality, box: f.box, imageSha256: f.imageSha256 })));
  for (const f of faces) await gallery.deleteFace(f.id);
  await store.restorePersonRecords(undo.person.id, undo.moved);
  await store.deletePersonMerge(m.id);
  return { kind: 'person', id: undo.person.id };
}
