/**
 * Our results in deepface's response shapes (DeepFace.verify / represent / analyze as served by
 * deepface/api): snake_case keys, integer pixel regions, eyes named from the person's point of
 * view, attribute scores in percent.
 */
import type { AnalyzeAction, AnalyzeResult, CompareResult, FaceSummary, RepresentResult } from '../service.js';
import type { MetricPlan } from './names.js';

export interface DeepfaceFacialArea {
  x: number | null;
  y: number | null;
  w: number | null;
  h: number | null;
  left_eye: [number, number] | null;
  right_eye: [number, number] | null;
  /** deepface adds these three when its detector finds them (retinaface); facekit's detectors all do */
  nose?: [number, number];
  mouth_left?: [number, number];
  mouth_right?: [number, number];
}

/** deepface's facial area for a side of verify given as an embedding: no face was seen */
export const NO_FACIAL_AREA: DeepfaceFacialArea = { x: null, y: null, w: null, h: null, left_eye: null, right_eye: null };

function eye(p: [number, number] | undefined): [number, number] | null {
  return p ? [Math.round(p[0]), Math.round(p[1])] : null;
}

/**
 * deepface's left_eye and mouth_left are the person's left, which appears on the image's right;
 * our landmarks5 lists points as seen (eyes, nose, mouth corners; image left first), so each
 * pair is swapped here.
 */
export function facialArea(face: FaceSummary): DeepfaceFacialArea {
  const lm = face.landmarks5 as Array<[number, number]> | undefined;
  const area: DeepfaceFacialArea = {
    x: Math.round(face.box.x),
    y: Math.round(face.box.y),
    w: Math.round(face.box.w),
    h: Math.round(face.box.h),
    left_eye: eye(lm?.[1]),
    right_eye: eye(lm?.[0]),
  };
  const [nose, mouthLeft, mouthRight] = [eye(lm?.[2]), eye(lm?.[4]), eye(lm?.[3])];
  if (nose) area.nose = nose;
  if (mouthLeft) area.mouth_left = mouthLeft;
  if (mouthRight) area.mouth_right = mouthRight;
  return area;
}

export function verifyResponse(r: CompareResult, ctx: {
  model: string; detector: string; metric: MetricPlan; areas: [DeepfaceFacialArea, DeepfaceFacialArea]; names: { facekit_model: string; facekit_detector: string }; seconds: number;
}) {
  return {
    verified: r.verified,
    distance: ctx.metric.toDeepface(r.distance),
    threshold: ctx.metric.toDeepface(r.threshold),
    // newer deepface versions add a 0-100 confidence; sent when the model is calibrated
    ...(r.confidence !== undefined ? { confidence: Math.round(r.confidence * 10000) / 100 } : {}),
    model: ctx.model,
    detector_backend: ctx.detector,
    similarity_metric: ctx.metric.deepface,
    facial_areas: { img1: ctx.areas[0], img2: ctx.areas[1] },
    time: Math.round(ctx.seconds * 100) / 100,
    ...ctx.names,
  };
}

export function representResponse(r: RepresentResult) {
  return {
    results: r.faces.map((f) => ({ embedding: f.embedding, facial_area: facialArea(f), face_confidence: Math.round(f.score * 100) / 100 })),
  };
}

function percent(scores: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, v * 100]));
}

function dominant(scores: Record<string, number>): string {
  return Object.entries(scores).reduce((best, cur) => (cur[1] > best[1] ? cur : best), ['', -Infinity])[0];
}

/**
 * deepface's six race labels from the race model's classes. facekit's race model (GEAR, trained
 * on UTKFace) has white, black, asian, indian and other, where UTKFace's "other" covers
 * Hispanic, Latino and Middle Eastern faces: its score is split evenly between deepface's
 * "middle eastern" and "latino hispanic", which facekit therefore cannot tell apart (when
 * "other" wins, dominant_race is "middle eastern", the first of the pair in deepface's order).
 */
export const RACE_NOTE =
  'percent per deepface label; facekit\'s race model has one class (UTKFace\'s "other") for Middle Eastern and Latino Hispanic faces, split evenly between the two, which it cannot tell apart';

const RACE_LABELS: Record<string, string[]> = {
  asian: ['asian'],
  indian: ['indian'],
  black: ['black'],
  white: ['white'],
  other: ['middle eastern', 'latino hispanic'],
};

export function deepfaceRaces(modelScores: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { asian: 0, indian: 0, black: 0, white: 0, 'middle eastern': 0, 'latino hispanic': 0 };
  for (const [cls, p] of Object.entries(modelScores)) {
    const labels = RACE_LABELS[cls] ?? [cls];
    for (const label of labels) out[label] = (out[label] ?? 0) + p / labels.length;
  }
  return out;
}

export function analyzeResponse(r: AnalyzeResult, actions: AnalyzeAction[]) {
  return {
    results: r.faces.map((f) => {
      const out: Record<string, unknown> = { region: facialArea(f), face_confidence: Math.round(f.score * 100) / 100 };
      const a = f.attributes;
      // deepface reports whole years
      if (actions.includes('age') && a.age !== undefined) out.age = Math.round(a.age);
      if (actions.includes('gender') && a.gender) {
        const g = { Woman: a.gender.female, Man: a.gender.male };
        out.gender = percent(g);
        out.dominant_gender = dominant(g);
      }
      if (actions.includes('emotion') && a.emotion) {
        out.emotion = percent(a.emotion);
        out.dominant_emotion = dominant(a.emotion);
      }
      if (actions.includes('race') && a.race) {
        const race = deepfaceRaces(a.race);
        out.race = percent(race);
        out.dominant_race = dominant(race);
      }
      return out;
    }),
  };
}
