import munkres from 'munkres';
import type { Box } from '../face.js';
import { iou } from '../detect/iou.js';
import { BoxKalmanFilter } from './kalman.js';

/**
 * SORT-style multi-face tracker: every frame each track's Kalman filter predicts where its face
 * went; on frames where the detector ran, detections are matched to predictions by the Hungarian
 * assignment on (1 - IoU), unmatched detections start tracks and tracks unseen for longer than
 * `maxGapMs` end. Detection can run only every Nth frame: prediction carries tracks in between,
 * and the time-based gap keeps ids stable through short occlusions whatever N is.
 */
export interface TrackerOptions {
  /** a detection and a track must overlap at least this much to be matched */
  iouThreshold?: number;
  /** a track not matched for longer than this ends */
  maxGapMs?: number;
  /** matches needed before a track is reported as started (filters one-frame false positives) */
  minHits?: number;
}

export interface Detection<T = unknown> {
  box: Box;
  score: number;
  payload?: T;
}

export interface Track<T = unknown> {
  id: number;
  box: Box;
  hits: number;
  confirmed: boolean;
  firstSeen: number;
  lastSeen: number;
  /** payload of the detection matched most recently (e.g. the face record) */
  last?: T;
}

export interface TrackerStep<T> {
  /** confirmed tracks alive after this frame */
  active: Track<T>[];
  /** tracks confirmed on this frame */
  started: Track<T>[];
  /** tracks that ended on this frame (confirmed ones only) */
  ended: Track<T>[];
  /** for each detection given, the id of the track it was assigned to */
  assignment: number[];
}

interface Internal<T> extends Track<T> {
  filter: BoxKalmanFilter;
}

export class FaceTracker<T = unknown> {
  private tracks: Internal<T>[] = [];
  private nextId = 1;
  private readonly iouThreshold: number;
  private readonly maxGapMs: number;
  private readonly minHits: number;

  /** `firstId`: ids start here (a tracker continuing another's numbering) */
  constructor(opts: TrackerOptions = {}, firstId = 1) {
    this.nextId = firstId;
    this.iouThreshold = opts.iouThreshold ?? 0.3;
    this.maxGapMs = opts.maxGapMs ?? 1000;
    this.minHits = opts.minHits ?? 2;
  }

  /** A frame on which the detector did not run: tracks move by prediction only. */
  advance(timeMs: number): TrackerStep<T> {
    for (const t of this.tracks) t.box = t.filter.predict();
    return this.expire(timeMs, [], []);
  }

  /** A frame with detections. */
  update(detections: Detection<T>[], timeMs: number): TrackerStep<T> {
    for (const t of this.tracks) t.box = t.filter.predict();
    const assignment = new Array<number>(detections.length).fill(-1);
    const started: Track<T>[] = [];
    const matchedTracks = new Set<number>();
    if (detections.length > 0 && this.tracks.length > 0) {
      const cost = detections.map((d) => this.tracks.map((t) => 1 - iou(d.box, t.box)));
      for (const [di, ti] of munkres(cost)) {
        if (1 - cost[di][ti] < this.iouThreshold) continue;
        const t = this.tracks[ti];
        const d = detections[di];
        t.box = t.filter.update(d.box);
        t.hits += 1;
        t.lastSeen = timeMs;
        t.last = d.payload;
        assignment[di] = t.id;
        matchedTracks.add(ti);
        if (!t.confirmed && t.hits >= this.minHits) {
          t.confirmed = true;
          started.push(publicView(t));
        }
      }
    }
    detections.forEach((d, di) => {
      if (assignment[di] !== -1) return;
      const t: Internal<T> = {
        id: this.nextId++,
        box: d.box,
        hits: 1,
        confirmed: this.minHits <= 1,
        firstSeen: timeMs,
        lastSeen: timeMs,
        last: d.payload,
        filter: new BoxKalmanFilter(d.box),
      };
      this.tracks.push(t);
      assignment[di] = t.id;
      if (t.confirmed) started.push(publicView(t));
    });
    return this.expire(timeMs, started, assignment);
  }

  /**
   * Gives a track a new id, keeping its motion state: for when the face under a track turns out
   * to be someone else (a scene cut, or one person stepping in front of another).
   */
  reassign(id: number, timeMs: number): number {
    const t = this.tracks.find((x) => x.id === id);
    if (!t) return id;
    t.id = this.nextId++;
    t.firstSeen = timeMs;
    t.hits = 1;
    return t.id;
  }

  /** the id the next new track gets */
  get nextTrackId(): number {
    return this.nextId;
  }

  /** where the track is now (null when it has ended) */
  box(id: number): Box | null {
    const t = this.tracks.find((x) => x.id === id);
    return t ? { ...t.box } : null;
  }

  /** End every track (end of stream). */
  flush(): Track<T>[] {
    const ended = this.tracks.filter((t) => t.confirmed).map(publicView);
    this.tracks = [];
    return ended;
  }

  private expire(timeMs: number, started: Track<T>[], assignment: number[]): TrackerStep<T> {
    const ended: Track<T>[] = [];
    this.tracks = this.tracks.filter((t) => {
      if (timeMs - t.lastSeen <= this.maxGapMs) return true;
      if (t.confirmed) ended.push(publicView(t));
      return false;
    });
    return { active: this.tracks.filter((t) => t.confirmed).map(publicView), started, ended, assignment };
  }
}

function publicView<T>(t: Internal<T>): Track<T> {
  return { id: t.id, box: { ...t.box }, hits: t.hits, confirmed: t.confirmed, firstSeen: t.firstSeen, lastSeen: t.lastSeen, last: t.last };
}
