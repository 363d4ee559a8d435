/**
 * What watching a video reports, one JSON object per line. Every event has the stream time
 * (`time`, seconds since the source opened: the position in a file) and the wall-clock time
 * (`at`, ISO 8601) of the frame it was decided on.
 */
import type { Box } from '../face.js';

export interface LivenessSummary {
  /** blinks seen over the track (eye aspect ratio closed then open again) */
  blinks: number;
  /** head turns seen (frontal -> beyond 20 degrees -> frontal), either side */
  turns: number;
  /** a blink or a head turn was seen */
  live: boolean;
  /** landmark frames the counts come from */
  frames: number;
}

export interface SpoofSummary {
  /** majority of checked frames judged real */
  isReal: boolean;
  /** mean live score of the checked frames, 0..1 */
  score: number;
  frames: number;
  model: string;
}

interface EventBase {
  time: number;
  at: string;
  trackId: number;
}

export interface TrackStartedEvent extends EventBase {
  type: 'track_started';
  box: Box;
}

export interface IdentifiedEvent extends EventBase {
  type: 'identified';
  personId: string;
  name: string;
  /** mean calibrated confidence of the frames that voted for this person */
  confidence: number;
  /** frames that voted for this person, out of `frames` considered */
  votes: number;
  frames: number;
  liveness: LivenessSummary;
  spoof: SpoofSummary | null;
}

export interface StrangerEvent extends EventBase {
  type: 'stranger';
  /** stable for the same unknown face within one watch (stranger-1, stranger-2, ...) */
  strangerId: string;
  votes: number;
  frames: number;
  /** JPEG of the track's best-quality face, as a data: URL */
  thumbnail: string | null;
  liveness: LivenessSummary;
  spoof: SpoofSummary | null;
}

export interface SpoofSuspectedEvent extends EventBase {
  type: 'spoof_suspected';
  /** who the track is (person or stranger id), if decided */
  identity: string | null;
  spoof: SpoofSummary;
}

export interface TrackEndedEvent extends EventBase {
  type: 'track_ended';
  firstSeen: number;
  lastSeen: number;
  firstSeenAt: string;
  lastSeenAt: string;
  frames: number;
  /** person id or stranger id; null when the track never got good enough frames for a decision */
  identity: string | null;
  name: string | null;
  liveness: LivenessSummary;
}

export type WatchEvent = TrackStartedEvent | IdentifiedEvent | StrangerEvent | SpoofSuspectedEvent | TrackEndedEvent;
