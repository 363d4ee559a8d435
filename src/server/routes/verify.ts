import type { FastifyInstance } from 'fastify';
import { METRICS } from '../../compare/index.js';
import type { DistanceMetric, IdentifyOptions } from '../service.js';
import { DEFAULT_MIN_QUALITY } from '../../analyze/quality.js';
import { confidence, detectorField, errorResponses, face, identifiedFace, imageField, modelField, readSecurity, undecided } from '../schemas.js';
import { imageFrom } from '../plugins/uploads.js';
import type { RouteDeps } from './deps.js';
import { collectionQueryProperty, serviceFor } from '../collection-access.js';


/** Comparisons: one image against another (verify) or against the gallery (identify). */
export function registerVerifyRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { service, queue, maxPixels } = deps;

  app.post('/v1/verify', {
    config: { scope: 'read', collections: 'scoped' },
    schema: {
      tags: ['faces'],
      summary: 'Are the main faces of two images the same person?',
      description: 'With ?collection=NAME the calibration fitted for that collection decides (facekit calibrate --db --collection).',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      querystring: { type: 'object', properties: collectionQueryProperty },
      body: {
        type: 'object',
        properties: {
          image1: imageField,
          image2: imageField,
          detector: detectorField,
          model: { ...modelField, description: `${modelField.description}, or 'fusion' (fr_feature and faceapi-recognition, their calibrated P(same) averaged; metric 'fused')` },
          metric: { type: 'string', enum: [...METRICS], description: 'not with a fusion, which decides on its own fused score' },
          threshold: { type: 'number', minimum: 0 },
          align: { type: 'boolean' },
          minQuality: { type: 'number', minimum: 0, maximum: 1, description: `a face below this quality gets no decision but undecided with the reason (default ${DEFAULT_MIN_QUALITY}; 0: decide on any face)` },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['verified', 'distance', 'threshold', 'confidence', 'metric', 'model', 'detector', 'faces'],
          properties: {
            verified: { type: ['boolean', 'null'], description: 'null: a face is below the minimum quality (see undecided)' },
            undecided: { ...undecided, description: 'set when no decision was made: a face below the minimum quality' },
            distance: { type: 'number' },
            threshold: { type: 'number' },
            confidence,
            metric: { type: 'string' },
            model: { type: 'string' },
            detector: { type: 'string' },
            faces: { type: 'array', items: face, minItems: 2, maxItems: 2 },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const b = request.body as { detector?: string; model?: string; metric?: DistanceMetric; threshold?: number; align?: boolean; minQuality?: number };
    const image1 = imageFrom(request, 'image1');
    const image2 = imageFrom(request, 'image2');
    const minQuality = b.minQuality ?? DEFAULT_MIN_QUALITY;
    const s = await serviceFor(service, request);
    return queue.run(() => s.verify(image1, image2, { maxPixels, detector: b.detector, model: b.model, metric: b.metric, threshold: b.threshold, align: b.align, minQuality }));
  });

  app.post('/v1/identify', {
    config: { scope: 'read', collections: 'scoped' },
    schema: {
      tags: ['faces'],
      summary: 'Who in the gallery is each face?',
      description: 'Against the collection ?collection=NAME (default: default), with its model and fitted calibration when it has them.',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      querystring: { type: 'object', properties: collectionQueryProperty },
      body: {
        type: 'object',
        properties: {
          image: imageField,
          detector: detectorField,
          model: modelField,
          topK: { type: 'integer', minimum: 1, maximum: 100, description: 'people listed as candidates per face (default 5)' },
          threshold: { type: 'number', minimum: 0, description: 'overrides the calibrated threshold' },
          maxFaces: { type: 'integer', minimum: 1, maximum: 1000 },
          rule: { type: 'string', enum: ['template', 'min', 'mean-top2'], description: "how a person is scored: 'template' (default: the mean of their enrolled faces), 'min' (their nearest face), 'mean-top2'" },
          minQuality: { type: 'number', minimum: 0, maximum: 1, description: `a face below this quality gets no decision but undecided with the reason (default ${DEFAULT_MIN_QUALITY}; 0: decide on any face)` },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['faces', 'model', 'metric', 'threshold'],
          properties: {
            faces: { type: 'array', items: identifiedFace },
            model: { type: 'string' },
            metric: { type: 'string' },
            threshold: { type: 'number', description: 'a face farther than this from everyone is unknown (match null)' },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const b = request.body as { detector?: string; model?: string; topK?: number; threshold?: number; maxFaces?: number; rule?: IdentifyOptions['rule']; minQuality?: number };
    const image = imageFrom(request, 'image');
    const minQuality = b.minQuality ?? DEFAULT_MIN_QUALITY;
    const s = await serviceFor(service, request);
    return queue.run(() => s.identify(image, { maxPixels, detector: b.detector, model: b.model, topK: b.topK, threshold: b.threshold, maxFaces: b.maxFaces, rule: b.rule, minQuality }));
  });
}
