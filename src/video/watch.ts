/**
 * Watching a video: detect faces every Nth frame, carry them between detections with the SORT
 * tracker, and decide who each track is from a few of its best frames (see vote.ts for the rule).
 *
 * Cost control: detection (with landmarks) runs on one frame in `detectEvery`; the recognition
 * model runs only for tracks that need a decision: each detection frame until a track has one,
 * then once per `recheckMs` on the best-quality face seen since the last check. Anti-spoofing runs
 * on the same frames. Blink / head-turn liveness is read from the landmarks of every detection.
 */
import { loadSharp } from '../image/sharp.js';
import { assessQuality, checkLiveness, checkSpoof, type LivenessFrame, type SpoofResult } from '../analyze/index.js';
import { cropResize } from '../align/index.js';
import { embeddingCues, refineQuality } from '../analyze/quality-embedding.js';
import { distance, fallbackCalibration, l2Normalize, getCalibration, type Calibration, type Metric } from '../compare/index.js';
import { detectFaces } from '../detect/index.js';
import { DEFAULT_EMBED_MODEL, embedCropsDetailed, loadEmbedModel } from '../embed/index.js';
import { FacekitError } from '../errors/index.js';
import type { Box, Face, QualitySummary } from '../face.js';
import type { Gallery, PersonRule } from '../gallery/index.js';
import { matchEmbedding } from '../identify/index.js';
import type { RgbImage } from '../image/types.js';
import { cropForModel, type FaceOptions } from '../pipeline/index.js';
import { roundBox, roundMeasure } from '../rounding.js';
import { calibrationFor, DEFAULT_METRIC } from '../verify/index.js';
import { Attendance, type AttendanceRow } from './attendance.js';
import type { LivenessSummary, SpoofSummary, WatchEvent } from './events.js';
import type { VideoFrame } from './source.js';
import { SceneCutDetector } from './scene-cut.js';
import { FaceTracker, type TrackerOptions } from './tracker.js';
import { voteIdentity, type Sample } from './vote.js';
import { FootageStore, StrangerBook } from '../strangers/index.js';

export interface WatchOptions extends FaceOptions {
  /** people to recognise; without one every decided track is a stranger */
  gallery?: Gallery | null;
  /** run the detector on one frame in this many (default 3) */
  detectEvery?: number;
  metric?: Metric;
  /** overrides the calibrated threshold */
  threshold?: number;
  rule?: PersonRule;
  /** samples the vote looks back over (default 5) */
  lastK?: number;
  /** samples needed before the first decision (default 2) */
  minSamples?: number;
  /**
   * a decided track is re-checked with a new sample this often (default 1000 ms); a sample that is
   * not the same person as the track's earlier samples splits the track (old one ends, a new id
   * starts) so a face swap under one box is not reported as the first person
   */
  recheckMs?: number;
  /** faces below this quality score (analyze's assessQuality) are not used for decisions (default 0.3) */
  minQuality?: number;
  tracker?: TrackerOptions;
  /** mean block-luma change (0..255) that counts as a scene cut and ends every track (default 20; 0: off) */
  sceneCut?: number;
  /** passive anti-spoofing on each sample (default true) */
  spoof?: boolean;
  /** a JPEG of the best face with each stranger event (default true) */
  thumbnails?: boolean;
  /**
   * with a gallery: keep strangers in it under stable ids across runs and record every decided
   * track as a sighting (default true); false: strangers live for this watch only, nothing is stored
   */
  record?: boolean;
  /** the name sightings are recorded under (the file, stream URL or camera) */
  source?: string;
  /** distance within which an unknown face is an earlier stranger (default: the calibrated threshold) */
  strangerThreshold?: number;
  onEvent?: (e: WatchEvent) => void;
  /** after each frame is processed: the frame and the tracks on it (for drawing) */
  onFrame?: (frame: VideoFrame, tracks: TrackView[]) => void | Promise<void>;
  /** after each frame: running figures (for a status line) */
  onProgress?: (s: WatchStats) => void;
  signal?: AbortSignal;
}

export interface TrackView {
  id: number;
  box: Box;
  /** the person's name or stranger id; null until decided */
  label: string | null;
  kind: 'person' | 'stranger' | null;
  /** the detector found the face on the latest detection frame (else the box is predicted) */
  detected: boolean;
}

export interface WatchStats {
  frames: number;
  detections: number;
  embeddings: number;
  /** frames processed per second of wall time */
  fps: number;
  elapsedMs: number;
  activeTracks: number;
  tracks: number;
  people: number;
  strangers: number;
  events: Record<WatchEvent['type'], number>;
  /** milliseconds spent in each step, summed over the run (onFrame covers drawing and writing) */
  timeMs: { detect: number; quality: number; embed: number; spoof: number; onFrame: number };
  /** most faces the detector found on one frame */
  maxFaces: number;
  sceneCuts: number;
}

export interface WatchResult {
  stats: WatchStats;
  attendance: AttendanceRow[];
}

type Decision = { kind: 'person'; personId: string; name: string } | { kind: 'stranger'; strangerId: string };

interface Pending {
  crop: RgbImage;
  face: Face;
  frame: RgbImage;
  /** the image cues' quality; refined by the embedding once the crop is embedded (as for photos) */
  quality: QualitySummary;
  timeMs: number;
}

interface TrackState {
  id: number;
  confirmed: boolean;
  bornFrame: number;
  firstMs: number;
  firstWall: number;
  lastMs: number;
  lastWall: number;
  frames: number;
  lastDetectedRun: number;
  pending: Pending | null;
  samples: Sample[];
  lastSampleMs: number;
  spoofs: SpoofResult[];
  landmarks: LivenessFrame[];
  thumb: { image: RgbImage; quality: number } | null;
  decision: Decision | null;
  spoofReported: boolean;
}

const MAX_LANDMARK_FRAMES = 600;
const THUMB_SIZE = 96;
/** how long (at most) before a re-check its candidate frames start being collected */
const QUALITY_LEAD_MS = 500;

function calibrationOf(model: string, metric: Metric, threshold: number | undefined): Calibration {
  if (threshold === undefined) return calibrationFor(model, metric);
  try {
    return getCalibration(model, metric);
  } catch {
    return fallbackCalibration(model, metric, threshold);
  }
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new FacekitError('BAD_ARGUMENT', `${name} must be a positive integer, got ${v}`);
  return v;
}

export function livenessOf(frames: readonly LivenessFrame[]): LivenessSummary {
  if (frames.length === 0) return { blinks: 0, turns: 0, live: false, frames: 0 };
  const withEyes = frames.filter((f) => f.landmarks68?.length === 68);
  const r = checkLiveness(withEyes.length ? withEyes : [...frames], withEyes.length ? ['blink', 'turnLeft', 'turnRight'] : ['turnLeft', 'turnRight']);
  const blinks = r.checks.blink.count;
  const turns = r.checks.turnLeft.count + r.checks.turnRight.count;
  return { blinks, turns, live: blinks + turns > 0, frames: frames.length };
}

function spoofOf(results: readonly SpoofResult[]): SpoofSummary | null {
  if (results.length === 0) return null;
  const real = results.filter((r) => r.isReal).length;
  return { isReal: 2 * real >= results.length, score: results.reduce((s, r) => s + r.score, 0) / results.length, frames: results.length, model: results[0].model };
}

async function thumbnailJpeg(img: RgbImage): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}

const dataUrl = (jpg: Buffer) => `data:image/jpeg;base64,${jpg.toString('base64')}`;

/** a square around the face box with some context, for thumbnails */
function thumbBox(b: Box): Box {
  const side = 1.4 * Math.max(b.w, b.h);
  return { x: b.x + b.w / 2 - side / 2, y: b.y + b.h / 2 - side / 2, w: side, h: side };
}

export async function watchVideo(frames: AsyncIterable<VideoFrame>, opts: WatchOptions = {}): Promise<WatchResult> {
  const detectEvery = positiveInt('detectEvery', opts.detectEvery ?? 3);
  const lastK = positiveInt('lastK', opts.lastK ?? 5);
  const minSamples = positiveInt('minSamples', opts.minSamples ?? 2);
  const recheckMs = opts.recheckMs ?? 1000;
  const qualityLeadMs = Math.min(QUALITY_LEAD_MS, recheckMs / 2);
  const minQuality = opts.minQuality ?? 0.3;
  const useSpoof = opts.spoof !== false;
  const model = opts.model ?? DEFAULT_EMBED_MODEL;
  const metric = opts.metric ?? DEFAULT_METRIC;
  const cal = calibrationOf(model, metric, opts.threshold);
  const threshold = opts.threshold ?? cal.threshold;
  const gallery = opts.gallery ?? null;
  if (gallery) {
    const models = gallery.models();
    if (models.length > 0 && !models.some((m) => m.model === model)) {
      throw new FacekitError('BAD_ARGUMENT', `the gallery has no faces embedded with model ${model} (it has: ${models.map((m) => m.model).join(', ')})`);
    }
  }
  const { record } = await loadEmbedModel(model, opts.threads);
  const trackerOpts: Required<TrackerOptions> = { iouThreshold: 0.3, maxGapMs: 1000, minHits: 2, ...opts.tracker };
  let tracker = new FaceTracker<Face>(trackerOpts);
  const cuts = opts.sceneCut === 0 ? null : new SceneCutDetector(opts.sceneCut ?? 20);
  let sinceDetect = 0;
  let sceneCuts = 0;
  const footage = gallery && opts.record !== false ? FootageStore.of(gallery) : null;
  const strangerThreshold = opts.strangerThreshold ?? threshold;
  if (footage) await footage.prune();
  const strangers = footage ? await StrangerBook.load(footage, model, metric, strangerThreshold) : new StrangerBook(metric, strangerThreshold, { model });
  const strangersSeen = new Set<string>();
  /** sightings being written; awaited before the watch returns */
  const writes: Promise<unknown>[] = [];
  const source = opts.source ?? 'video';
  const attendance = new Attendance();
  const states = new Map<number, TrackState>();
  const people = new Set<string>();
  const counts: WatchStats['events'] = { track_started: 0, identified: 0, stranger: 0, spoof_suspected: 0, track_ended: 0 };
  const t0 = performance.now();
  let processed = 0;
  let detections = 0;
  let embeddings = 0;
  let detectRun = -1;
  let tracksSeen = 0;
  let activeTracks = 0;
  let maxFaces = 0;
  const timeMs = { detect: 0, quality: 0, embed: 0, spoof: 0, onFrame: 0 };
  const timed = async <T>(k: keyof typeof timeMs, p: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await p();
    } finally {
      timeMs[k] += performance.now() - t;
    }
  };

  const iso = (wall: number) => new Date(wall).toISOString();
  const emit = (e: WatchEvent) => {
    counts[e.type]++;
    opts.onEvent?.(e);
  };
  const base = (st: TrackState, frame: VideoFrame) => ({ time: round(frame.timeMs / 1000), at: iso(frame.wallTime), trackId: st.id });

  const observe = async (st: TrackState, face: Face, frame: VideoFrame) => {
    st.lastMs = frame.timeMs;
    st.lastWall = frame.wallTime;
    st.lastDetectedRun = detectRun;
    st.landmarks.push({ time: frame.timeMs, landmarks5: face.landmarks5, landmarks68: face.landmarks?.length === 68 ? face.landmarks : undefined });
    if (st.landmarks.length > MAX_LANDMARK_FRAMES) st.landmarks.shift();
    // a decided track only needs candidates for its next re-check: skip the quality measure until
    // then (it is the costliest per-face step after detection)
    if (st.decision && frame.timeMs - st.lastSampleMs < recheckMs - qualityLeadMs) return;
    const quality = await timed('quality', () => assessQuality(frame.image, face));
    const q = quality.score;
    if (q < minQuality) return;
    if (!st.pending || q >= st.pending.quality.score) {
      st.pending = { crop: cropForModel(frame.image, face, record, opts.align !== false), face, frame: frame.image, quality, timeMs: frame.timeMs };
    }
    if ((opts.thumbnails !== false || footage) && (!st.thumb || q > st.thumb.quality)) st.thumb = { image: cropResize(frame.image, thumbBox(face.box), THUMB_SIZE, THUMB_SIZE), quality: q };
  };

  // the same decision as identifying a photo: nearest person, calibrated threshold and confidence
  const match = (vector: Float32Array): Pick<Sample, 'match' | 'confidence'> => {
    if (!gallery) return { match: null, confidence: 0 };
    const r = matchEmbedding(gallery, vector, { model, metric, threshold: opts.threshold, topK: 1, rule: opts.rule });
    const best = r.candidates[0];
    if (!best) return { match: null, confidence: 0 };
    return { match: r.match ? { personId: best.personId, name: best.name } : null, confidence: best.confidence };
  };


  const decide = async (frame: VideoFrame) => {
    const due = [...states.values()].filter((st) => st.confirmed && st.pending && (st.decision === null || frame.timeMs - st.lastSampleMs >= recheckMs));
    if (due.length === 0) return;
    const embedded = await timed('embed', () => embedCropsDetailed(due.map((st) => st.pending!.crop), { model, flip: opts.flip, threads: opts.threads }));
    const vectors = embedded.map((e) => e.vector);
    embeddings += due.length;
    for (let i = 0; i < due.length; i++) {
      let st = due[i];
      const p = st.pending!;
      if (st.decision && st.samples.length > 0 && !samePerson(vectors[i], st.samples)) st = split(st, frame);
      st.pending = null;
      st.lastSampleMs = frame.timeMs;
      // a sample's quality is the photo path's: the image cues refined by the recognizer's output,
      // which is what stranger matching weighs and the sightings' best face is chosen by
      const quality = refineQuality(p.quality, model, embeddingCues(embedded[i])).score;
      st.samples.push({ ...match(vectors[i]), vector: vectors[i], quality, timeMs: p.timeMs });
      if (st.samples.length > lastK) st.samples.shift();
      if (useSpoof) st.spoofs.push(await timed('spoof', () => checkSpoof(p.frame, p.face)));
      if (st.samples.length < minSamples) continue;
      const v = voteIdentity(st.samples, lastK)!;
      const liveness = livenessOf(st.landmarks);
      const spoof = spoofOf(st.spoofs);
      // two faces of one frame are two people (cannot-link): while another track on this frame is
      // this person, this track waits for a decision of its own
      const heldByAnother = v.person && [...states.values()].some((o) => o !== st && o.decision?.kind === 'person' && o.decision.personId === v.person!.personId && o.lastDetectedRun === detectRun);
      if (heldByAnother) continue;
      if (v.person) {
        if (st.decision?.kind !== 'person' || st.decision.personId !== v.person.personId) {
          st.decision = { kind: 'person', ...v.person };
          people.add(v.person.personId);
          emit({ type: 'identified', ...base(st, frame), personId: v.person.personId, name: v.person.name, confidence: roundMeasure(v.confidence), votes: v.votes, frames: v.frames, liveness, spoof });
        }
      } else if (st.decision?.kind !== 'stranger') {
        const unknown = st.samples.filter((s) => !s.match).map((s) => ({ vector: s.vector, quality: s.quality }));
        // strangers on screen with this face right now are someone else (cannot-link)
        const together = [...states.values()].filter((o) => o !== st && o.decision?.kind === 'stranger' && o.lastDetectedRun === detectRun).map((o) => decisionId(o.decision)!);
        const jpeg = st.thumb ? await thumbnailJpeg(st.thumb.image) : null;
        const m = await strangers.identify(unknown, { exclude: together, crop: jpeg, at: iso(frame.wallTime) });
        st.decision = { kind: 'stranger', strangerId: m.id };
        strangersSeen.add(m.id);
        for (const id of m.merged) strangersSeen.delete(id);
        const thumbnail = jpeg && opts.thumbnails !== false ? dataUrl(jpeg) : null;
        emit({ type: 'stranger', ...base(st, frame), strangerId: st.decision.strangerId, votes: v.votes, frames: v.frames, thumbnail, liveness, spoof });
      }
      if (spoof && !spoof.isReal && !st.spoofReported && spoof.frames >= minSamples) {
        st.spoofReported = true;
        emit({ type: 'spoof_suspected', ...base(st, frame), identity: decisionId(st.decision), spoof });
      }
    }
  };

  const samePerson = (v: Float32Array, samples: readonly Sample[]): boolean => {
    const mean = new Float32Array(v.length);
    for (const s of samples) for (let k = 0; k < v.length; k++) mean[k] += s.vector[k];
    return distance(v, l2Normalize(mean), metric) <= threshold;
  };

  /** the track's face changed: end the track as it was and go on under a new id from this frame */
  const split = (st: TrackState, frame: VideoFrame): TrackState => {
    finish(st, frame);
    const id = tracker.reassign(st.id, frame.timeMs);
    const next: TrackState = {
      ...newState(id, frame), confirmed: true, bornFrame: processed, lastDetectedRun: st.lastDetectedRun, pending: st.pending,
    };
    states.set(id, next);
    tracksSeen++;
    emit({ type: 'track_started', ...base(next, frame), box: roundBox(tracker.box(id) ?? st.pending!.face.box) });
    return next;
  };

  const newState = (id: number, frame: VideoFrame): TrackState => ({
    id, confirmed: false, bornFrame: processed, firstMs: frame.timeMs, firstWall: frame.wallTime, lastMs: frame.timeMs, lastWall: frame.wallTime, frames: 0,
    lastDetectedRun: detectRun, pending: null, samples: [], lastSampleMs: -Infinity, spoofs: [], landmarks: [], thumb: null, decision: null, spoofReported: false,
  });

  const finish = (st: TrackState, frame: VideoFrame | null) => {
    states.delete(st.id);
    if (!st.confirmed) return;
    // a stranger merged into an earlier one since the decision is reported as that one
    const d = st.decision?.kind === 'stranger' ? { ...st.decision, strangerId: strangers.root(st.decision.strangerId) } : st.decision;
    const ended = {
      type: 'track_ended' as const,
      time: round((frame?.timeMs ?? st.lastMs) / 1000),
      at: iso(frame?.wallTime ?? st.lastWall),
      trackId: st.id,
      firstSeen: round(st.firstMs / 1000),
      lastSeen: round(st.lastMs / 1000),
      firstSeenAt: iso(st.firstWall),
      lastSeenAt: iso(st.lastWall),
      frames: st.frames,
      identity: decisionId(d),
      name: d ? (d.kind === 'person' ? d.name : d.strangerId) : null,
      liveness: livenessOf(st.landmarks),
    };
    emit(ended);
    if (d && footage) writes.push(recordSighting(st, d, ended));
    if (d) {
      attendance.add({
        personId: decisionId(d)!, person: ended.name!, kind: d.kind, firstSeen: ended.firstSeen, lastSeen: ended.lastSeen,
        firstSeenAt: ended.firstSeenAt, lastSeenAt: ended.lastSeenAt, frames: st.frames,
      });
    }
  };

  let lastFrame: VideoFrame | null = null;
  for await (const frame of frames) {
    if (opts.signal?.aborted) break;
    const t = frame.timeMs;
    let step;
    if (cuts?.check(frame.image)) {
      // end every track before this frame and detect on it afresh; ids keep counting up
      sceneCuts++;
      for (const tr of tracker.flush()) {
        const st = states.get(tr.id);
        if (st) finish(st, lastFrame ?? frame);
      }
      states.clear();
      tracker = new FaceTracker<Face>(trackerOpts, tracker.nextTrackId);
      sinceDetect = 0;
    }
    lastFrame = frame;
    const detectNow = sinceDetect % detectEvery === 0;
    sinceDetect++;
    if (detectNow) {
      detectRun = processed;
      detections++;
      const faces = await timed('detect', () => detectFaces(frame.image, opts));
      maxFaces = Math.max(maxFaces, faces.length);
      step = tracker.update(faces.map((f) => ({ box: f.box, score: f.score, payload: f })), t);
      for (let i = 0; i < faces.length; i++) {
        const id = step.assignment[i];
        let st = states.get(id);
        if (!st) {
          st = newState(id, frame);
          states.set(id, st);
        }
        await observe(st, faces[i], frame);
      }
    } else {
      step = tracker.advance(t);
    }
    for (const tr of step.started) {
      const st = states.get(tr.id);
      if (!st) continue;
      st.confirmed = true;
      tracksSeen++;
      // frames from birth to now in which the detector found it (the track was not yet reported)
      st.frames = processed - st.bornFrame;
      emit({ type: 'track_started', ...base(st, frame), box: roundBox(tr.box) });
    }
    for (const tr of step.active) {
      const st = states.get(tr.id);
      if (st && st.lastDetectedRun === detectRun) st.frames++;
    }
    if (detectNow) await decide(frame);
    for (const tr of step.ended) {
      const st = states.get(tr.id);
      if (st) finish(st, frame);
    }
    // tracks that died before being confirmed end silently in the tracker: forget them too
    for (const st of states.values()) {
      if (!st.confirmed && t - st.lastMs > trackerOpts.maxGapMs) states.delete(st.id);
    }
    activeTracks = step.active.length;
    if (opts.onFrame) {
      const views: TrackView[] = step.active.map((tr) => {
        const d = states.get(tr.id)?.decision ?? null;
        return { id: tr.id, box: tr.box, label: d ? (d.kind === 'person' ? d.name : d.strangerId) : null, kind: d?.kind ?? null, detected: states.get(tr.id)?.lastDetectedRun === detectRun };
      });
      await timed('onFrame', async () => opts.onFrame!(frame, views));
    }
    processed++;
    opts.onProgress?.(stats());
  }
  for (const tr of tracker.flush()) {
    const st = states.get(tr.id);
    if (st) finish(st, lastFrame);
  }
  activeTracks = 0;
  await Promise.all(writes);
  return { stats: stats(), attendance: attendance.list() };

  /** the track as a sighting: who, when, its best face (embedding and crop) */
  async function recordSighting(st: TrackState, d: Decision, ended: { firstSeen: number; lastSeen: number; firstSeenAt: string; lastSeenAt: string }): Promise<void> {
    const best = st.samples.reduce<Sample | null>((a, b) => (!a || b.quality > a.quality ? b : a), null);
    await footage!.addSighting({
      personId: d.kind === 'person' ? d.personId : null, strangerId: d.kind === 'stranger' ? d.strangerId : null, source, trackId: st.id,
      startTime: ended.firstSeen, endTime: ended.lastSeen, startedAt: ended.firstSeenAt, endedAt: ended.lastSeenAt,
      quality: best ? roundMeasure(best.quality) : null, model, embedding: best?.vector ?? null, crop: st.thumb ? await thumbnailJpeg(st.thumb.image) : null,
    });
  }

  function stats(): WatchStats {
    const elapsedMs = performance.now() - t0;
    return {
      frames: processed, detections, embeddings, fps: processed / Math.max(elapsedMs / 1000, 1e-9), elapsedMs,
      activeTracks, tracks: tracksSeen, people: people.size, strangers: strangersSeen.size, events: { ...counts },
      timeMs: { ...timeMs }, maxFaces, sceneCuts,
    };
  }
}

function decisionId(d: Decision | null): string | null {
  return d ? (d.kind === 'person' ? d.personId : d.strangerId) : null;
}

/** event times in seconds, to the millisecond */
const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
