/** People listings over the whole gallery (the store pages by at most 10,000). */
import type { Gallery, Person } from '../gallery/index.js';
import type { Box } from '../face.js';

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
    faceList: faces.map((f) => ({ id: f.id, model: f.model, dims: f.dims, detectorScore: f.detectorScore, box: f.box, imageSha256: f.imageSha256, created: f.created })),
  };
}
