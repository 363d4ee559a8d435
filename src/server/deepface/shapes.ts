/**
 * Our results in deepface's response shapes (DeepFace.verify / represent / analyze as served by
 * deepface/api): snake_case keys, integer pixel regions, eyes named from the person's point of
 * view, attribute scores in percent.
 */
import type { AnalyzeAction, AnalyzeResult, FaceSummary, RepresentResult, VerifyResult } from '../service.js';

export interface DeepfaceFacialArea {
  x: number;
  y: number;
  w: number;
  h: number;
  left_eye: [number, number] | null;
  right_eye: [number, number] | null;
}

function eye(p: [number, number] | undefined): [number, number] | null {
  return p ? [Math.round(p[0]), Math.round(p[1])] : null;
}

/**
 * deepface's left_eye is the person's left eye, which appears on the image's right; our
 * landmarks5 lists eyes as seen (index 0 = image left), so the two are swapped here.
 */
export function facialArea(face: FaceSummary): DeepfaceFacialArea {
  const lm = face.landmarks5 as Array<[number, number]>;
  return {
    x: Math.round(face.box.x),
    y: Math.round(face.box.y),
    w: Math.round(face.box.w),
    h: Math.round(face.box.h),
    left_eye: eye(lm?.[1]),
    right_eye: eye(lm?.[0]),
  };
}

export function verifyResponse(r: VerifyResult, names: { model: string; detector: string }, seconds: number) {
  return {
    verified: r.verified,
    distance: r.distance,
    threshold: r.threshold,
    // newer deepface versions add a 0-100 confidence
    confidence: Math.round(r.confidence * 10000) / 100,
    model: names.model,
    detector_backend: names.detector,
    similarity_metric: r.metric,
    facial_areas: { img1: facialArea(r.faces[0]), img2: facialArea(r.faces[1]) },
    time: Math.round(seconds * 100) / 100,
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

export function analyzeResponse(r: AnalyzeResult, actions: AnalyzeAction[]) {
  return {
    results: r.faces.map((f) => {
      const out: Record<string, unknown> = { region: facialArea(f), face_confidence: Math.round(f.score * 100) / 100 };
      const a = f.attributes;
      if (actions.includes('age') && a.age !== undefined) out.age = a.age;
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
        out.race = percent(a.race);
        out.dominant_race = dominant(a.race);
      }
      return out;
    }),
  };
}
