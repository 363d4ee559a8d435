/**
 * The request fields deepface's face routes share, their schemas, and what they mean for the
 * facekit service: one place for /represent, /verify, /analyze, /register and /search.
 */
import type { RepresentOptions } from '../service.js';
import { DEEPFACE_DEFAULT_DETECTOR, DEEPFACE_DEFAULT_MODEL, detectorFor, modelFor } from './names.js';

export const consumes = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

export const img = { type: 'string', description: 'a path under the server image root, base64, a data URL, an http(s) URL (when the server fetches URLs), or a multipart file' } as const;
/** the fields every deepface face route takes */
export const common = {
  model_name: { type: 'string', description: `deepface model name (README's mapping table says which facekit model runs); default ${DEEPFACE_DEFAULT_MODEL}` },
  detector_backend: { type: 'string', description: `deepface detector name (mapped like model_name); default ${DEEPFACE_DEFAULT_DETECTOR}` },
  enforce_detection: { type: 'boolean', default: true, description: 'false: the whole image stands in for a face when none is found' },
  align: { type: 'boolean', default: true },
  anti_spoofing: { type: 'boolean', default: false, description: 'refuse (400) when a face looks presented (photo, screen)' },
  expand_percentage: { type: 'integer', minimum: 0, default: 0, description: 'grow each detected box by this percent (the facial area reported, and the crop when align is false; aligned crops follow the landmarks)' },
  normalization: { type: 'string', description: 'accepted, ignored (each model uses its own)' },
  l2_normalize: { type: 'boolean', description: 'accepted, ignored: facekit\'s cosine metrics normalize anyway' },
  silent: { type: 'boolean', description: 'accepted, ignored' },
} as const;

/** the facekit models that ran, beside deepface's names in every response */
export const facekitNames = {
  facekit_model: { type: 'string', description: 'the facekit recognizer that ran for model_name' },
  facekit_detector: { type: 'string', description: 'the facekit detector that ran for detector_backend' },
} as const;

const nullableInt = { type: ['integer', 'null'] } as const;
export const facialAreaSchema = {
  type: 'object',
  required: ['x', 'y', 'w', 'h', 'left_eye', 'right_eye'],
  description: 'null coordinates for a side given as an embedding',
  properties: {
    x: nullableInt,
    y: nullableInt,
    w: nullableInt,
    h: nullableInt,
    left_eye: { type: ['array', 'null'], items: { type: 'integer' } },
    right_eye: { type: ['array', 'null'], items: { type: 'integer' } },
    nose: { type: 'array', items: { type: 'integer' } },
    mouth_left: { type: 'array', items: { type: 'integer' }, description: 'the person\'s left, like left_eye' },
    mouth_right: { type: 'array', items: { type: 'integer' } },
  },
} as const;

export interface CommonFields {
  model_name?: string;
  detector_backend?: string;
  enforce_detection?: boolean;
  align?: boolean;
  anti_spoofing?: boolean;
  expand_percentage?: number;
  max_faces?: number;
}

/** The facekit models a request's deepface names mean, and the service options its fields set. */
export function facePlan(b: CommonFields, maxPixels: number) {
  const model = modelFor(b.model_name);
  const detector = detectorFor(b.detector_backend);
  const options: RepresentOptions = {
    maxPixels, model: model.facekit, detector: detector.facekit, align: b.align, enforceDetection: b.enforce_detection, antiSpoofing: b.anti_spoofing,
    expandPercentage: b.expand_percentage, maxFaces: b.max_faces,
  };
  return { model, detector, options, names: { facekit_model: model.facekit, facekit_detector: detector.facekit } };
}

