/**
 * Dense landmarks on demand for one detected face: the detector's five points, face-api's 68
 * (iBUG layout), or MediaPipe's 468-point mesh plus the two irises (478 points). Which one a
 * caller wants is a choice of detail vs cost, so it is a parameter, not a detector setting.
 */
import type { Face, Point } from '../face.js';
import type { RgbImage } from '../image/types.js';
import { FacekitError } from '../errors/index.js';
import { predictFaceApiLandmarks68 } from '../detect/index.js';
import { predictMesh } from './mesh.js';

export const LANDMARK_KINDS = ['5', '68', 'mesh'] as const;
export type LandmarkKind = (typeof LANDMARK_KINDS)[number];

export function isLandmarkKind(v: unknown): v is LandmarkKind {
  return typeof v === 'string' && (LANDMARK_KINDS as readonly string[]).includes(v);
}

/** The face's landmarks of the given kind, in image pixels. */
export async function faceLandmarks(image: RgbImage, face: Face, kind: LandmarkKind): Promise<Point[]> {
  if (!isLandmarkKind(kind)) throw new FacekitError('BAD_ARGUMENT', `unknown landmark set "${String(kind)}" (known: ${LANDMARK_KINDS.join(', ')})`);
  if (kind === '5') return face.landmarks5.map(([x, y]) => [x, y] as Point);
  if (kind === '68') return predictFaceApiLandmarks68(image, face.box);
  return (await predictMesh(image, face)).points.map(([x, y]) => [x, y] as Point);
}
