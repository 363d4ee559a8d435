/** People listings over the whole gallery (the store pages by at most 10,000), and people by name. */
import { FacekitError } from '../errors/index.js';
import type { Gallery, Person } from '../gallery/index.js';
import type { Box } from '../face.js';
import { roundBox, roundMeasure } from '../rounding.js';

export interface PersonSummary extends Person {
  faces: number;
}

export interface PersonDetail extends PersonSummary {
  faceList: { id: string; model: string; dims: number; detectorScore: number | null; box: Box | null; imageSha256: string | null; created: string }[];
}

export async function listAllPeople(gallery: Gallery): Promise<Person[]> {
  const out: Person[] = [];
  for (let offset = 0; ; ) {
    const page = await gallery.listPeople({ offset, limit: 10_000 });
    out.push(...page.items);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) return out;
  }
}

export async function findPeopleByName(gallery: Gallery, name: string): Promise<Person[]> {
  return (await listAllPeople(gallery)).filter((p) => p.name === name);
}

/** The one person called `name`, or null when nobody is; several: CONFLICT listing their ids. */
export async function personNamed(gallery: Gallery, name: string): Promise<Person | null> {
  const same = await findPeopleByName(gallery, name);
  if (same.length > 1) {
    const ids = same.map((p) => p.id);
    throw new FacekitError('CONFLICT', `${same.length} people are named ${name}: ${ids.join(', ')}; give the id of the one you mean`, { name, ids });
  }
  return same[0] ?? null;
}

/**
 * A person a user names by id or by name (an id wins: ids are unique, names need not be).
 * Unknown: NOT_FOUND naming what was given; a name several people share: CONFLICT listing their ids.
 */
export async function findPerson(gallery: Gallery, idOrName: string): Promise<Person> {
  const byId = await gallery.store.findPerson(idOrName);
  if (byId) return byId;
  const named = await personNamed(gallery, idOrName);
  if (!named) throw new FacekitError('NOT_FOUND', `no person with the id or name ${idOrName}`, { person: idOrName });
  return named;
}

/** Faces counted per enrollment: a photo embedded with several models counts once (the model with the most faces). */
export async function peopleWithFaceCounts(gallery: Gallery): Promise<PersonSummary[]> {
  const people = await listAllPeople(gallery);
  const out: PersonSummary[] = [];
  for (const p of people) out.push({ ...p, faces: countPhotos(await gallery.listFaces(p.id)) });
  return out;
}

function countPhotos(faces: { model: string }[]): number {
  const perModel = new Map<string, number>();
  for (const f of faces) perModel.set(f.model, (perModel.get(f.model) ?? 0) + 1);
  return Math.max(0, ...perModel.values());
}

export async function describePerson(gallery: Gallery, id: string): Promise<PersonDetail> {
  const p = await gallery.getPerson(id);
  const faces = await gallery.listFaces(id);
  return {
    ...p,
    faces: countPhotos(faces),
    faceList: faces.map((f) => ({ id: f.id, model: f.model, dims: f.dims, detectorScore: f.detectorScore === null ? null : roundMeasure(f.detectorScore), box: f.box && roundBox(f.box), imageSha256: f.imageSha256, created: f.created })),
  };
}
