import type { FastifyInstance } from 'fastify';
import type { AnalyzeAction } from '../service.js';
import { detectorField, errorResponses, face, imageField, modelField, readSecurity } from '../schemas.js';
import { imageFrom } from '../plugins/uploads.js';
import type { RouteDeps } from './deps.js';

const detectBody = {
  type: 'object',
  properties: {
    image: imageField,
    detector: detectorField,
    maxFaces: { type: 'integer', minimum: 1, maximum: 1000 },
    minScore: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

const representedFace = {
  type: 'object',
  required: [...face.required, 'embedding', 'model'],
  properties: { ...face.properties, embedding: { type: 'array', items: { type: 'number' } }, model: { type: 'string' } },
} as const;

const attributes = {
  type: 'object',
  properties: {
    age: { type: 'number' },
    gender: { type: 'object', properties: { female: { type: 'number' }, male: { type: 'number' } } },
    emotion: { type: 'object', additionalProperties: { type: 'number' } },
    race: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;

export const ANALYZE_ACTIONS: AnalyzeAction[] = ['age', 'gender', 'emotion', 'race'];

/** Single-image inference: detect, represent (embeddings), analyze (attributes). */
export function registerDetectRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { service, queue, maxPixels } = deps;

  app.post('/v1/detect', {
    config: { scope: 'read' },
    schema: {
      tags: ['faces'],
      summary: 'Find faces: boxes, scores and five landmarks',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      body: detectBody,
      response: {
        200: {
          type: 'object',
          required: ['width', 'height', 'faces'],
          properties: { width: { type: 'integer' }, height: { type: 'integer' }, faces: { type: 'array', items: face } },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const b = request.body as { detector?: string; maxFaces?: number; minScore?: number };
    const image = imageFrom(request, 'image');
    return queue.run(() => service.detect(image, { maxPixels, detector: b.detector, maxFaces: b.maxFaces, minScore: b.minScore }));
  });

  app.post('/v1/represent', {
    config: { scope: 'read' },
    schema: {
      tags: ['faces'],
      summary: 'Embed every face found (or the whole image with detector=skip)',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      body: { ...detectBody, properties: { ...detectBody.properties, model: modelField, align: { type: 'boolean' } } },
      response: {
        200: {
          type: 'object',
          required: ['width', 'height', 'faces'],
          properties: { width: { type: 'integer' }, height: { type: 'integer' }, faces: { type: 'array', items: representedFace } },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const b = request.body as { detector?: string; maxFaces?: number; minScore?: number; model?: string; align?: boolean };
    const image = imageFrom(request, 'image');
    return queue.run(() => service.represent(image, { maxPixels, detector: b.detector, maxFaces: b.maxFaces, minScore: b.minScore, model: b.model, align: b.align }));
  });

  app.post('/v1/analyze', {
    config: { scope: 'read' },
    schema: {
      tags: ['faces'],
      summary: 'Estimate attributes (age, gender, emotion, ...) of every face found',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      body: {
        type: 'object',
        properties: {
          image: imageField,
          detector: detectorField,
          maxFaces: { type: 'integer', minimum: 1, maximum: 1000 },
          actions: { type: 'array', items: { type: 'string', enum: ANALYZE_ACTIONS }, description: 'default: all' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['faces'],
          properties: {
            faces: {
              type: 'array',
              items: { type: 'object', required: [...face.required, 'attributes'], properties: { ...face.properties, attributes } },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const b = request.body as { detector?: string; maxFaces?: number; actions?: AnalyzeAction[] };
    const image = imageFrom(request, 'image');
    return queue.run(() => service.analyze(image, { maxPixels, detector: b.detector, maxFaces: b.maxFaces, actions: b.actions }));
  });
}
