/**
 * What a store writes for a new person or face: the caller's fields checked, with ids and
 * timestamps filled in. Shared by the SQLite and PostgreSQL stores so both store the same record.
 */
import { randomUUID } from 'node:crypto';
import type { FaceRecord, NewFace, NewPerson, Person } from './types.js';
import { checkMetadata, checkNewPerson } from './validate.js';

export function newPersonRecord(p: NewPerson): Person {
  checkNewPerson(p);
  return { id: p.id ?? randomUUID(), name: p.name, metadata: checkMetadata(p.metadata), created: p.created ?? new Date().toISOString() };
}

/** `created` is the enrollment's one timestamp, so all its faces share it. */
export function newFaceRecord(personId: string, f: NewFace, created: string): FaceRecord {
  return {
    id: f.id ?? randomUUID(),
    personId,
    model: f.model,
    embedding: f.embedding,
    dims: f.embedding.length,
    detectorScore: f.detectorScore ?? null,
    quality: f.quality ?? null,
    box: f.box ?? null,
    imageSha256: f.imageSha256 ?? null,
    created: f.created ?? created,
  };
}
