import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectionQueryProperty, serviceFor } from '../collection-access.js';
import { FacekitError } from '../../errors/index.js';
import { enrolledPerson, errorResponses, imageList, modelField, detectorField, person, personWithFaces, readSecurity, storedFace } from '../schemas.js';
import { imagesFrom } from '../plugins/uploads.js';
import type { RouteDeps } from './deps.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const name = { type: 'string', minLength: 1, maxLength: 200 } as const;
const metadata = { type: ['object', 'string'], description: 'free JSON object (as a JSON string in multipart forms)' } as const;
const noContent = { 204: { type: 'null', description: 'done' }, ...errorResponses } as const;

/** Multipart forms carry metadata as a JSON string; JSON bodies carry the object itself. */
function metadataOf(v: unknown): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  let m = v;
  if (typeof v === 'string') {
    try {
      m = JSON.parse(v);
    } catch {
      throw new FacekitError('BAD_ARGUMENT', 'metadata must be a JSON object');
    }
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new FacekitError('BAD_ARGUMENT', 'metadata must be a JSON object');
  return m as Record<string, unknown>;
}

/** The gallery: people and their enrolled faces. Reads need 'read', every change 'write'. */
export function registerPeopleRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { service, queue, maxPixels } = deps;
  // every route acts on the request's collection (?collection=NAME; default: the default collection)
  const peopleOf = async (request: FastifyRequest) => (await serviceFor(service, request)).people;
  const inCollection = { type: 'object', properties: collectionQueryProperty } as const;

  app.get('/v1/people', {
    config: { scope: 'read', collections: 'scoped' },
    schema: {
      tags: ['people'],
      summary: 'List enrolled people',
      security: readSecurity,
      querystring: {
        type: 'object',
        properties: { offset: { type: 'integer', minimum: 0, default: 0 }, limit: { type: 'integer', minimum: 0, maximum: 1000, default: 100 }, ...collectionQueryProperty },
      },
      response: {
        200: {
          type: 'object',
          required: ['people', 'total'],
          properties: { people: { type: 'array', items: person }, total: { type: 'integer' }, totalFaces: { type: 'integer' } },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const q = request.query as { offset: number; limit: number };
    return (await peopleOf(request)).list({ offset: q.offset, limit: q.limit });
  });

  app.post('/v1/people', {
    config: { scope: 'write', collections: 'scoped' },
    schema: {
      tags: ['people'],
      summary: 'Enroll a person by name: the images go to the one person of that name, or to a new person (201)',
      description: 'A name already in the gallery is not created again: its person gets the images (200, created false). Several people of that name: 409 CONFLICT listing their ids. metadata is set on a new person only (PATCH changes an existing one).',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      querystring: inCollection,
      body: {
        type: 'object',
        required: ['name'],
        properties: { name, metadata, images: imageList, detector: detectorField, model: modelField, force: { type: 'boolean', description: 'enroll photos below the quality bar too (otherwise 422 LOW_QUALITY with the reasons)' } },
      },
      response: { 200: enrolledPerson, 201: enrolledPerson, ...errorResponses },
    },
  }, async (request, reply) => {
    const b = request.body as { name: string; metadata?: unknown; detector?: string; model?: string; force?: boolean };
    const images = imagesFrom(request, 'images');
    const input = { name: b.name, metadata: metadataOf(b.metadata), images: images.length ? images : undefined };
    const opts = { maxPixels, detector: b.detector, model: b.model, qualityReview: b.force !== true };
    const people = await peopleOf(request);
    const enrolled = images.length ? await queue.run(() => people.create(input, opts)) : await people.create(input, opts);
    request.auditTarget = { personId: enrolled.id, faceIds: enrolled.faces.map((f) => f.id) };
    reply.code(enrolled.created ? 201 : 200);
    return enrolled;
  });

  app.get('/v1/people/:id', {
    config: { scope: 'read', collections: 'scoped' },
    schema: { tags: ['people'], summary: 'One person with their faces', security: readSecurity, params: idParams, querystring: inCollection, response: { 200: personWithFaces, ...errorResponses } },
  }, async (request) => (await peopleOf(request)).get((request.params as { id: string }).id));

  app.patch('/v1/people/:id', {
    config: { scope: 'write', collections: 'scoped' },
    schema: {
      tags: ['people'],
      summary: 'Rename a person and/or replace their metadata',
      security: readSecurity,
      params: idParams,
      querystring: inCollection,
      body: { type: 'object', properties: { name, metadata }, minProperties: 1 },
      response: { 200: person, ...errorResponses },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const b = request.body as { name?: string; metadata?: unknown };
    const meta = metadataOf(b.metadata);
    if (b.name === undefined && meta === undefined) throw new FacekitError('BAD_ARGUMENT', 'send name and/or metadata');
    const people = await peopleOf(request);
    let result = b.name !== undefined ? await people.rename(id, b.name) : undefined;
    if (meta !== undefined) result = await people.setMetadata(id, meta);
    return result;
  });

  app.delete('/v1/people/:id', {
    config: { scope: 'write', collections: 'scoped' },
    schema: { tags: ['people'], summary: 'Delete a person and all their faces', security: readSecurity, params: idParams, querystring: inCollection, response: noContent },
  }, async (request, reply) => {
    await (await peopleOf(request)).delete((request.params as { id: string }).id);
    return reply.code(204).send();
  });

  app.post('/v1/people/:id/faces', {
    config: { scope: 'write', collections: 'scoped' },
    schema: {
      tags: ['people'],
      summary: 'Enroll more face images for a person (one face per image)',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      params: idParams,
      querystring: inCollection,
      body: { type: 'object', properties: { images: imageList, detector: detectorField, model: modelField, force: { type: 'boolean', description: 'enroll photos below the quality bar too (otherwise 422 LOW_QUALITY with the reasons)' } } },
      response: {
        201: { type: 'object', required: ['faces'], properties: { faces: { type: 'array', items: storedFace } } },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const b = (request.body ?? {}) as { detector?: string; model?: string; force?: boolean };
    const images = imagesFrom(request, 'images', { required: true });
    const people = await peopleOf(request);
    const added = await queue.run(() => people.addFaces(id, images, { maxPixels, detector: b.detector, model: b.model, qualityReview: b.force !== true }));
    request.auditTarget = { faceIds: added.faces.map((f) => f.id) };
    reply.code(201);
    return added;
  });

  app.delete('/v1/people/:id/faces/:faceId', {
    config: { scope: 'write', collections: 'scoped' },
    schema: {
      tags: ['people'],
      summary: 'Remove one enrolled face',
      security: readSecurity,
      params: { type: 'object', required: ['id', 'faceId'], properties: { id: idParams.properties.id, faceId: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: noContent,
    },
  }, async (request, reply) => {
    const { id, faceId } = request.params as { id: string; faceId: string };
    await (await peopleOf(request)).deleteFace(id, faceId);
    return reply.code(204).send();
  });
}
