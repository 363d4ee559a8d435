import type { FastifyInstance } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { HttpError } from '../http-error.js';
import { allowsCollection } from '../keys/scopes.js';
import { errorResponses, readSecurity } from '../schemas.js';
import type { CollectionsService } from '../service.js';
import type { RouteDeps } from './deps.js';

const name = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;
const params = { type: 'object', required: ['collection'], properties: { collection: name } } as const;
const collection = {
  type: 'object',
  required: ['name', 'model', 'createdAt', 'keepCrops', 'calibrations'],
  properties: {
    name: { type: 'string' },
    model: { type: ['string', 'null'], description: 'recognition model of its embeddings; null: any' },
    createdAt: { type: 'string' },
    keepCrops: { type: 'boolean', description: 'enrolled face crops are kept (to move the collection to another model)' },
    calibrations: { type: 'object', additionalProperties: true, description: 'calibrations fitted on site, by model.metric' },
    people: { type: 'integer' },
    faces: { type: 'integer' },
  },
} as const;

/**
 * Gallery collections: isolated sets of people in one store, each with its model and fitted
 * calibration. The people, identify and verify routes take ?collection=NAME. A key limited to
 * collections sees and changes only its own.
 */
export function registerCollectionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const collections = (): CollectionsService => {
    if (!deps.service.collections) throw new HttpError(400, 'BAD_REQUEST', 'this server has no collections');
    return deps.service.collections;
  };

  app.get('/v1/collections', {
    config: { scope: 'read', collections: 'list' },
    schema: {
      tags: ['collections'],
      summary: 'List the collections (a key limited to collections sees its own)',
      security: readSecurity,
      response: { 200: { type: 'object', required: ['collections'], properties: { collections: { type: 'array', items: collection } } }, ...errorResponses },
    },
  }, async (request) => ({ collections: (await collections().list()).filter((c) => allowsCollection(request.apiKey, c.name)) }));

  app.post('/v1/collections', {
    config: { scope: 'write', collections: 'list' },
    schema: {
      tags: ['collections'],
      summary: 'Create a collection (201)',
      security: readSecurity,
      body: {
        type: 'object',
        required: ['name'],
        properties: { name, model: { type: 'string', minLength: 1, maxLength: 200 }, keepCrops: { type: 'boolean', default: false } },
      },
      response: { 201: collection, ...errorResponses },
    },
  }, async (request, reply) => {
    const b = request.body as { name: string; model?: string; keepCrops?: boolean };
    if (!allowsCollection(request.apiKey, b.name)) throw new HttpError(403, 'FORBIDDEN', `this key is limited to collections [${request.apiKey!.collections!.join(', ')}], not ${b.name}`);
    const created = await collections().create({ name: b.name, model: b.model ?? null, keepCrops: b.keepCrops });
    request.auditTarget = { collection: created.name };
    reply.code(201);
    return created;
  });

  app.get('/v1/collections/:collection', {
    config: { scope: 'read', collections: 'scoped' },
    schema: { tags: ['collections'], summary: 'One collection with its numbers of people and faces', security: readSecurity, params, response: { 200: collection, ...errorResponses } },
  }, async (request) => collections().get(request.collection));

  app.patch('/v1/collections/:collection', {
    config: { scope: 'write', collections: 'scoped' },
    schema: {
      tags: ['collections'],
      summary: 'Turn keeping face crops on or off',
      security: readSecurity,
      params,
      body: { type: 'object', properties: { keepCrops: { type: 'boolean' } }, minProperties: 1 },
      response: { 200: collection, ...errorResponses },
    },
  }, async (request) => {
    const b = request.body as { keepCrops?: boolean };
    if (b.keepCrops === undefined) throw new FacekitError('BAD_ARGUMENT', 'send keepCrops');
    return collections().update(request.collection, { keepCrops: b.keepCrops });
  });

  app.delete('/v1/collections/:collection', {
    config: { scope: 'write', collections: 'scoped' },
    schema: {
      tags: ['collections'],
      summary: 'Delete a collection with all its people and faces',
      security: readSecurity,
      params,
      response: { 200: { type: 'object', required: ['people', 'faces'], properties: { people: { type: 'integer' }, faces: { type: 'integer' } } }, ...errorResponses },
    },
  }, async (request) => {
    const removed = await collections().delete(request.collection);
    request.auditTarget = { collection: request.collection, ...removed };
    return removed;
  });
}
