/**
 * What a collection keeps beside its people: the calibration fitted on the site's own photos, and
 * the move to another recognition model (from kept face crops). The gallery works on embeddings
 * only, so the move is handed the function that embeds a crop.
 */
import type { Calibration, CalibratedScore } from '../compare/calibration.js';
import { FacekitError } from '../errors/index.js';
import type { Gallery } from './gallery.js';
import type { Collection, KeptCrop, SiteCalibration } from './types.js';

const calibrationKey = (model: string, metric: CalibratedScore) => `${model}.${metric}`;

/** The calibration fitted for a collection's (model, metric), or null (the user-wide or shipped one applies). */
export function collectionCalibration(collection: Collection, model: string, metric: CalibratedScore): SiteCalibration | null {
  return collection.settings.calibrations?.[calibrationKey(model, metric)] ?? null;
}

/** The calibration fitted for the gallery's collection, or null. */
export async function siteCalibration(gallery: Gallery, model: string, metric: CalibratedScore): Promise<SiteCalibration | null> {
  return collectionCalibration(await gallery.collectionInfo(), model, metric);
}

/** Keeps a fitted calibration with the collection, with where its pairs came from and when. */
export async function storeSiteCalibration(gallery: Gallery, calibration: Calibration, source: string): Promise<SiteCalibration> {
  const info = await gallery.collectionInfo();
  const site: SiteCalibration = { calibration, source, fittedAt: calibration.fittedAt ?? new Date().toISOString() };
  const calibrations = { ...info.settings.calibrations, [calibrationKey(calibration.model, calibration.metric)]: site };
  await gallery.updateCollection(info.name, { settings: { ...info.settings, calibrations } });
  return site;
}

/** Removes the collection's fit for (model, metric); false when it had none. */
export async function dropSiteCalibration(gallery: Gallery, model: string, metric: CalibratedScore): Promise<boolean> {
  const info = await gallery.collectionInfo();
  const key = calibrationKey(model, metric);
  if (!info.settings.calibrations?.[key]) return false;
  const calibrations = { ...info.settings.calibrations };
  delete calibrations[key];
  await gallery.updateCollection(info.name, { settings: { ...info.settings, calibrations } });
  return true;
}

export interface MoveModelReport {
  collection: string;
  from: string[];
  to: string;
  faces: number;
}

/**
 * Re-embeds every face of the gallery's collection under `model` from its kept crop, then swaps
 * all embeddings and the collection's model in one transaction. Refused, with nothing changed,
 * when any face has no kept crop: those photos are needed again.
 */
export async function moveCollectionModel(
  gallery: Gallery,
  model: string,
  embedCrop: (crop: KeptCrop) => Promise<Float32Array>,
  onProgress?: (done: number, total: number) => void,
): Promise<MoveModelReport> {
  const collection = gallery.collection;
  const counts = await gallery.store.cropCounts();
  const total = counts.reduce((n, c) => n + c.faces, 0);
  const missing = total - counts.reduce((n, c) => n + c.withCrop, 0);
  if (missing > 0) {
    const keeping = (await gallery.collectionInfo()).settings.keepCrops;
    throw new FacekitError(
      'CONFLICT',
      `collection ${collection} cannot move to ${model}: ${missing} of its ${total} faces have no kept crop ` +
        `(${keeping ? 'they were enrolled before keeping crops was turned on' : 'keeping crops is off for this collection'}), ` +
        `so the photos are needed again: enroll them into a collection for ${model}`,
      { collection, model, faces: total, withoutCrop: missing },
    );
  }
  const updates: { faceId: string; embedding: Float32Array }[] = [];
  for await (const batch of gallery.store.allCrops()) {
    for (const c of batch) {
      updates.push({ faceId: c.faceId, embedding: await embedCrop(c.crop) });
      onProgress?.(updates.length, total);
    }
  }
  await gallery.store.replaceEmbeddings(model, updates);
  await gallery.reload();
  return { collection, from: counts.map((c) => c.model), to: model, faces: updates.length };
}
