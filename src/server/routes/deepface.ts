import type { FastifyInstance } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import type { UrlFetchPolicy } from '../deepface/fetch-url.js';
import { deepfaceImage } from '../deepface/images.js';
import { deepfaceErrorResponses, installDeepfaceProtocol } from '../deepface/protocol.js';
import { DEEPFACE_METRICS, deepfaceDetectorName, deepfaceModelName, detectorFor, metricFor, modelFor } from '../deepface/names.js';
import { analyzeResponse, representResponse, verifyResponse } from '../deepface/shapes.js';
import type { AnalyzeAction } from '../service.js';
import { readSecurity } from '../schemas.js';
import type { RouteDeps } from './deps.js';

const img = { type: 'string', description: 'data URL, base64, or a path under the server image root; or a multipart file' } as const;
/** deepface fields we accept; the ones marked ignored have no counterpart and do not change results */
const common = {
  model_name: { type: 'string', description: 'deepface model name (see the mapping table); default: facekit default model' },
  detector_backend: { type: 'string', description: 'deepface detector name; default opencv' },
  enforce_detection: { type: 'boolean', default: true },
  align: { type: 'boolean', default: true },
  anti_spoofing: { type: 'boolean', default: false },
  expand_percentage: { type: 'integer', description: 'accepted, ignored' },
  normalization: { type: 'string', description: 'accepted, ignored (each model uses its own)' },
  silent: { type: 'boolean', description: 'accepted, ignored' },
} as const;

const facialArea = {
  type: 'object',
  required: ['x', 'y', 'w', 'h', 'left_eye', 'right_eye'],
  properties: {
    x: { type: 'integer' },
    y: { type: 'integer' },
    w: { type: 'integer' },
    h: { type: 'integer' },
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

type Common = { model_name?: string; detector_backend?: string; enforce_detection?: boolean; align?: boolean; anti_spoofing?: boolean };

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

  app.post('/verify', {
    config: { scope: 'read' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.verify',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      body: {
        type: 'object',
        properties: {
          img1: img, img2: img, img1_path: img, img2_path: img,
          ...common,
          distance_metric: { type: 'string', description: `one of ${DEEPFACE_METRICS.join(', ')}; default cosine` },
          threshold: { type: 'number', minimum: 0 },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['verified', 'distance', 'threshold', 'model', 'detector_backend', 'similarity_metric', 'facial_areas', 'time'],
          properties: {
            verified: { type: 'boolean' },
            distance: { type: 'number' },
            threshold: { type: 'number' },
            confidence: { type: 'number', description: 'percent, as newer deepface versions report; present when the model is calibrated' },
            model: { type: 'string' },
            detector_backend: { type: 'string' },
            similarity_metric: { type: 'string' },
            facial_areas: { type: 'object', required: ['img1', 'img2'], properties: { img1: facialArea, img2: facialArea } },
            time: { type: 'number' },
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    const t0 = performance.now();
    const b = request.body as Common & { distance_metric?: string; threshold?: number };
    const model = modelFor(b.model_name);
    const detector = detectorFor(b.detector_backend);
    const metric = metricFor(b.distance_metric);
    const image1 = await deepfaceImage(request, ['img1', 'img1_path'], imageOpts);
    const image2 = await deepfaceImage(request, ['img2', 'img2_path'], imageOpts);
    const r = await queue.run(() => service.verify(image1, image2, {
      maxPixels, model, detector, metric, threshold: b.threshold, align: b.align, enforceDetection: b.enforce_detection, antiSpoofing: b.anti_spoofing,
    }));
    const names = { model: b.model_name || deepfaceModelName(r.model), detector: b.detector_backend || deepfaceDetectorName(r.detector) };
    return verifyResponse(r, names, (performance.now() - t0) / 1000);
  });

  app.post('/represent', {
    config: { scope: 'read' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.represent',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      body: { type: 'object', properties: { img, img_path: img, ...common, max_faces: { type: 'integer', minimum: 1 } } },
      response: {
        200: {
          type: 'object',
          required: ['results'],
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                required: ['embedding', 'facial_area', 'face_confidence'],
                properties: { embedding: { type: 'array', items: { type: 'number' } }, facial_area: facialArea, face_confidence: { type: 'number' } },
              },
            },
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    const b = request.body as Common & { max_faces?: number };
    const model = modelFor(b.model_name);
    const detector = detectorFor(b.detector_backend);
    const image = await deepfaceImage(request, ['img', 'img_path'], imageOpts);
    const r = await queue.run(() => service.represent(image, {
      maxPixels, model, detector, align: b.align, maxFaces: b.max_faces, enforceDetection: b.enforce_detection, antiSpoofing: b.anti_spoofing,
    }));
    return representResponse(r);
  });

  app.post('/analyze', {
    config: { scope: 'read' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.analyze',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      body: {
        type: 'object',
        properties: {
          img, img_path: img, ...common,
          actions: { type: ['array', 'string'], items: { type: 'string' }, description: 'age, gender, emotion, race (default: all)' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['results'],
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                required: ['region', 'face_confidence'],
                properties: {
                  region: facialArea,
                  face_confidence: { type: 'number' },
                  age: { type: 'number' },
                  gender: scores,
                  dominant_gender: { type: 'string' },
                  emotion: scores,
                  dominant_emotion: { type: 'string' },
                  race: scores,
                  dominant_race: { type: 'string' },
                },
              },
            },
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    const b = request.body as Common & { actions?: unknown };
    const actions = parseActions(b.actions);
    const detector = detectorFor(b.detector_backend);
    const image = await deepfaceImage(request, ['img', 'img_path'], imageOpts);
    const r = await queue.run(() => service.analyze(image, { maxPixels, detector, actions, enforceDetection: b.enforce_detection, antiSpoofing: b.anti_spoofing }));
    return analyzeResponse(r, actions);
  });
}
