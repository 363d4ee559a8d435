/**
 * Rules both stores share for collections: which published changes concern a store scoped to a
 * collection, which faces a collection accepts, and where a collection's saved graphs go.
 */
import { join } from 'node:path';
import { FacekitError } from '../errors/index.js';
import { DEFAULT_COLLECTION, type Collection, type GalleryChange, type NewFace } from './types.js';

/**
 * A change names its collection; rows written before collections existed name none and were the
 * default collection's. A resync without a collection (a lost listener, pruned change rows)
 * concerns every collection.
 */
export function changeConcerns(change: GalleryChange, collection: string): boolean {
  const named = (change as { collection?: string }).collection;
  if (named === undefined) return change.op === 'resync' || collection === DEFAULT_COLLECTION;
  return named === collection;
}

/** A collection with a model takes faces of that model only: its index and threshold are the model's. */
export function checkFaceModels(collection: Collection, faces: readonly NewFace[]): void {
  if (collection.model === null) return;
  const other = faces.find((f) => f.model !== collection.model);
  if (other) {
    throw new FacekitError(
      'BAD_ARGUMENT',
      `collection ${collection.name} holds ${collection.model} embeddings, not ${other.model}: enroll with --model ${collection.model}, or move the collection (facekit collections set-model ${collection.name} ${other.model})`,
      { collection: collection.name, model: collection.model, given: other.model },
    );
  }
}

/** The default collection keeps the folder it always had, so its saved graphs stay valid. */
export function collectionGraphDir(base: string, collection: string): string {
  return collection === DEFAULT_COLLECTION ? base : join(base, `collection-${collection}`);
}
