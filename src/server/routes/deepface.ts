import type { FastifyInstance } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import type { UrlFetchPolicy } from '../deepface/fetch-url.js';
import { deepfaceImage, deepfaceInput } from '../deepface/images.js';
import { DEEPFACE_DEFAULT_DETECTOR, DEEPFACE_DEFAULT_MODEL, DEEPFACE_METRICS, detectorFor, metricFor, modelFor } from '../deepface/names.js';
import { deepfaceErrorResponses, installDeepfaceProtocol } from '../deepface/protocol.js';
import { analyzeResponse, NO_FACIAL_AREA, RACE_NOTE, representResponse, verifyResponse, type DeepfaceFacialArea, facialArea } from '../deepface/shapes.js';
import type { AnalyzeAction, RepresentOptions } from '../service.js';
import { readSecurity } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const img = { type: 'string', description: 'a path under the server image root, base64, a data URL, an http(s) URL (when the server fetches URLs), or a multipart file' } as const;
/** the fields every deepface face route takes */
const common = {
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
const facekitNames = {
  facekit_model: { type: 'string', description: 'the facekit recognizer that ran for model_name' },
  facekit_detector: { type: 'string', description: 'the facekit detector that ran for detector_backend' },
} as const;

const nullableInt = { type: ['integer', 'null'] } as const;
const facialAreaSchema = {
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
  },
} as const;

const scores = { type: 'object', additionalProperties: { type: 'number' } } as const;
const ACTIONS: AnalyzeAction[] = ['age', 'gender', 'emotion', 'race'];

/** deepface's API parses a form-data actions string like "['age', 'gender']"; so do we. */
function parseActions(v: unknown): AnalyzeAction[] {
  if (v === undefined) return [...ACTIONS];
  const list = typeof v === 'string' ? v.replace(/[[\]()"' ]/g, '').split(',').filter(Boolean) : (v as string[]);
  for (const a of list) {
    if (!(ACTIONS as string[]).includes(a)) throw new FacekitError('BAD_ARGUMENT', `invalid action '${a}'; actions are ${ACTIONS.join(', ')}`);
  }
  return list as AnalyzeAction[];
}

interface CommonFields {
  model_name?: string;
  detector_backend?: string;
  enforce_detection?: boolean;
  align?: boolean;
  anti_spoofing?: boolean;
  expand_percentage?: number;
  max_faces?: number;
}

/** The facekit models a request's deepface names mean, and the service options its fields set. */
function facePlan(b: CommonFields, maxPixels: number) {
  const model = modelFor(b.model_name);
  const detector = detectorFor(b.detector_backend);
  const options: RepresentOptions = {
    maxPixels, model: model.facekit, detector: detector.facekit, align: b.align, enforceDetection: b.enforce_detection, antiSpoofing: b.anti_spoofing,
    expandPercentage: b.expand_percentage, maxFaces: b.max_faces,
  };
  return { model, detector, options, names: { facekit_model: model.facekit, facekit_detector: detector.facekit } };
}

export interface DeepfaceRouteDeps extends RouteDeps {
  maxImageBytes: number;
  urls: UrlFetchPolicy;
}

/**
 * POST /verify, /represent, /analyze with deepface's request fields, response shapes and error
 * bodies, in a scope of their own (deepface/protocol.ts).
 */
export function registerDeepfaceRoutes(app: FastifyInstance, deps: DeepfaceRouteDeps): void {
  void app.register(async (scope) => {
    installDeepfaceProtocol(scope);
    deepfaceRoutes(scope, deps);
  });
}

function deepfaceRoutes(app: FastifyInstance, deps: DeepfaceRouteDeps): void {
  const { service, queue, maxPixels } = deps;
  const imageOpts = { imageRoot: deps.imageRoot, maxBytes: deps.maxImageBytes, urls: deps.urls };
  const consumes = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

  app.post('/verify', {
    config: { scope: 'read' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.verify: the closest pair of faces over both images decides',
      consumes,
      security: readSecurity,
      body: {
        type: 'object',
        properties: {
          img1: { ...img, type: ['string', 'array'], items: { type: 'number' }, description: `${img.description}; or an embedding (list of numbers)` },
          img2: { ...img, type: ['string', 'array'], items: { type: 'number' }, description: `${img.description}; or an embedding (list of numbers)` },
          img1_path: img, img2_path: img,
          ...common,
          distance_metric: { type: 'string', description: `one of ${DEEPFACE_METRICS.join(', ')}; default cosine` },
          threshold: { type: 'number', minimum: 0, description: 'on distance_metric\'s scale; default: facekit\'s calibrated threshold for the model that ran' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['verified', 'distance', 'threshold', 'model', 'detector_backend', 'similarity_metric', 'facial_areas', 'time', 'facekit_model', 'facekit_detector'],
          properties: {
            verified: { type: 'boolean' },
            distance: { type: 'number' },
            threshold: { type: 'number' },
            confidence: { type: 'number', description: 'percent, as newer deepface versions report; from facekit\'s calibration of the model that ran' },
            model: { type: 'string' },
            detector_backend: { type: 'string' },
            similarity_metric: { type: 'string' },
            facial_areas: { type: 'object', required: ['img1', 'img2'], properties: { img1: facialAreaSchema, img2: facialAreaSchema } },
            time: { type: 'number' },
            ...facekitNames,
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    const t0 = performance.now();
    const b = request.body as CommonFields & { distance_metric?: string; threshold?: number };
    const plan = facePlan(b, maxPixels);
    const metric = metricFor(b.distance_metric);
    // like deepface: each side is every face represent finds (or the embedding given), and the closest pair decides
    const side = async (names: string[]): Promise<{ embeddings: number[][]; areas: DeepfaceFacialArea[] }> => {
      const input = await deepfaceInput(request, names, imageOpts);
      if (!Buffer.isBuffer(input)) return { embeddings: [input], areas: [NO_FACIAL_AREA] };
      const r = await queue.run(() => service.represent(input, plan.options));
      return { embeddings: r.faces.map((f) => f.embedding), areas: r.faces.map(facialArea) };
    };
    const [a, c] = await Promise.all([side(['img1', 'img1_path']), side(['img2', 'img2_path'])]);
    const threshold = b.threshold === undefined ? undefined : metric.fromDeepface(b.threshold);
    const r = await service.compare(a.embeddings, c.embeddings, { model: plan.model.facekit, metric: metric.facekit, threshold });
    return verifyResponse(r, {
      model: plan.model.deepface, detector: plan.detector.deepface, metric, areas: [a.areas[r.pair[0]], c.areas[r.pair[1]]], names: plan.names, seconds: (performance.now() - t0) / 1000,
    });
  });

  app.post('/represent', {
    config: { scope: 'read' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.represent',
      consumes,
      security: readSecurity,
      body: { type: 'object', properties: { img, img_path: img, ...common, max_faces: { type: 'integer', minimum: 1 } } },
      response: {
        200: {
          type: 'object',
          required: ['results', 'facekit_model', 'facekit_detector'],
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                required: ['embedding', 'facial_area', 'face_confidence'],
                properties: { embedding: { type: 'array', items: { type: 'number' } }, facial_area: facialAreaSchema, face_confidence: { type: 'number' } },
              },
            },
            ...facekitNames,
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    const plan = facePlan(request.body as CommonFields, maxPixels);
    const image = await deepfaceImage(request, ['img', 'img_path'], imageOpts);
    const r = await queue.run(() => service.represent(image, plan.options));
    return { ...representResponse(r), ...plan.names };
  });

  app.post('/analyze', {
    config: { scope: 'read' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.analyze',
      consumes,
      security: readSecurity,
      body: {
        type: 'object',
        properties: {
          img, img_path: img, ...common,
          max_faces: { type: 'integer', minimum: 1 },
          actions: { type: ['array', 'string'], items: { type: 'string' }, description: 'age, gender, emotion, race (default: all); a list, or its Python text' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['results', 'facekit_detector'],
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                required: ['region', 'face_confidence'],
                properties: {
                  region: facialAreaSchema,
                  face_confidence: { type: 'number' },
                  age: { type: 'integer' },
                  gender: scores,
                  dominant_gender: { type: 'string' },
                  emotion: scores,
                  dominant_emotion: { type: 'string' },
                  race: { ...scores, description: RACE_NOTE },
                  dominant_race: { type: 'string' },
                },
              },
            },
            facekit_detector: facekitNames.facekit_detector,
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    const b = request.body as CommonFields & { actions?: unknown };
    const actions = parseActions(b.actions);
    const plan = facePlan(b, maxPixels);
    const image = await deepfaceImage(request, ['img', 'img_path'], imageOpts);
    const { detector, enforceDetection, antiSpoofing, expandPercentage, maxFaces } = plan.options;
    const r = await queue.run(() => service.analyze(image, { maxPixels, detector, actions, enforceDetection, antiSpoofing, expandPercentage, maxFaces }));
    return { ...analyzeResponse(r, actions), facekit_detector: plan.names.facekit_detector };
  });
}
