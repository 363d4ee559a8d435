/** Records of unknown faces over time: strangers, sightings and corrections (see README.md here). */
import type { Box } from '../face.js';

export const DEFAULT_COLLECTION = 'default';

/** An unknown face kept under a stable id (`stranger-N`) until it is named or expires. */
export interface Stranger {
  id: string;
  /** the stranger it was merged into (its sightings and faces count as that one's); null = a root */
  mergedInto: string | null;
  /** the person it was named as; null while unknown */
  personId: string | null;
  created: string;
  lastSeen: string;
  /** sightings under this id (not counting merged strangers) */
  sightings: number;
  /** faces kept (the best ones by quality) */
  faces: number;
}

export interface StrangerFace {
  id: string;
  strangerId: string;
  model: string;
  embedding: Float32Array;
  /** the face quality score (src/analyze/quality.ts), 0..1 */
  quality: number;
  /** JPEG of the face, when one was kept */
  crop: Buffer | null;
  created: string;
}

export interface NewStrangerFace {
  model: string;
  embedding: Float32Array;
  quality: number;
  crop?: Buffer | null;
}

/** One decided track of a stream or video file: who (a person or a stranger), where, when. */
export interface Sighting {
  id: string;
  personId: string | null;
  /** the person's name, when the sighting is of a person (or of a stranger since named) */
  name: string | null;
  strangerId: string | null;
  /** the stream or file it was seen in */
  source: string;
  trackId: number | null;
  /** seconds into the source */
  startTime: number;
  endTime: number;
  /** wall-clock ISO times */
  startedAt: string;
  endedAt: string;
  quality: number | null;
  model: string | null;
  created: string;
}

export interface NewSighting {
  personId?: string | null;
  strangerId?: string | null;
  source: string;
  trackId?: number | null;
  startTime: number;
  endTime: number;
  startedAt: string;
  endedAt: string;
  quality?: number | null;
  model?: string | null;
  /** the track's best face, for searching back */
  embedding?: Float32Array | null;
  /** JPEG of the best face */
  crop?: Buffer | null;
  box?: Box | null;
}

export type CorrectionOrigin = 'identify' | 'sighting' | 'cluster' | 'stranger';

/** "This face is not that person": later identification keeps that face, and faces nearer to it than to the person, from them. */
export interface Correction {
  id: string;
  personId: string;
  model: string;
  embedding: Float32Array;
  origin: CorrectionOrigin;
  /** what was corrected (a sighting id, a photo path, a cluster face), for the record */
  ref: string | null;
  created: string;
}
