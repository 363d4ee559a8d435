import type { FastifyInstance } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import type { UrlFetchPolicy } from '../deepface/fetch-url.js';
import { deepfaceImage, deepfaceInput, type DeepfaceImageOptions } from '../deepface/images.js';
import { common, consumes, facePlan, facekitNames, facialAreaSchema, img, type CommonFields } from '../deepface/fields.js';
import { DEEPFACE_METRICS, metricFor } from '../deepface/names.js';
import { deepfaceErrorResponses, installDeepfaceProtocol, requireImageFields } from '../deepface/protocol.js';
import { analyzeResponse, NO_FACIAL_AREA, RACE_NOTE, representResponse, verifyResponse, type DeepfaceFacialArea, facialArea } from '../deepface/shapes.js';
import type { AnalyzeAction } from '../service.js';
import { readSecurity } from '../schemas.js';
import { deepfaceGalleryRoutes } from './deepface-gallery.js';
import type { RouteDeps } from './deps.js';

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

export interface DeepfaceRouteDeps extends RouteDeps {
  maxImageBytes: number;
  urls: UrlFetchPolicy;
}

/** what the deepface route files use: the server's deps, and where images may come from */
export interface DeepfaceScopeDeps extends RouteDeps {
  images: DeepfaceImageOptions;
}

/**
 * deepface's API: POST /verify, /represent, /analyze (here) and /register, /search,
 * /build/index (deepface-gallery.ts) with deepface's request fields, response shapes and error
 * bodies, in a scope of their own (deepface/protocol.ts).
 */
export function registerDeepfaceRoutes(app: FastifyInstance, deps: DeepfaceRouteDeps): void {
  const scoped: DeepfaceScopeDeps = { ...deps, images: { imageRoot: deps.imageRoot, maxBytes: deps.maxImageBytes, urls: deps.urls } };
  void app.register(async (scope) => {
    installDeepfaceProtocol(scope);
    deepfaceRoutes(scope, scoped);
    deepfaceGalleryRoutes(scope, scoped);
  });
}

function deepfaceRoutes(app: FastifyInstance, deps: DeepfaceScopeDeps): void {
  const { service, queue, maxPixels, images: imageOpts } = deps;

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
    requireImageFields(request, [['img1', 'img1_path'], ['img2', 'img2_path']]);
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
    requireImageFields(request, [['img', 'img_path']]);
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
    requireImageFields(request, [['img', 'img_path']]);
    const b = request.body as CommonFields & { actions?: unknown };
    const actions = parseActions(b.actions);
    const plan = facePlan(b, maxPixels);
    const image = await deepfaceImage(request, ['img', 'img_path'], imageOpts);
    const { detector, enforceDetection, antiSpoofing, expandPercentage, maxFaces } = plan.options;
    const r = await queue.run(() => service.analyze(image, { maxPixels, detector, actions, enforceDetection, antiSpoofing, expandPercentage, maxFaces }));
    return { ...analyzeResponse(r, actions), facekit_detector: plan.names.facekit_detector };
  });
}
