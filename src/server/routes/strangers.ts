import type { FastifyInstance } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import type { FootageService } from '../../strangers/service.js';
import { HttpError } from '../http-error.js';
import { imageFrom } from '../plugins/uploads.js';
import { errorResponses, imageField, readSecurity } from '../schemas.js';
import type { RouteDeps } from './deps.js';

/**
 * Strangers, sightings, searching back through footage and corrections (src/strangers). The
 * service carries them as `footage` (src/strangers/service.ts); a service without: 501.
 */
export function footageOf(service: unknown): FootageService | null {
  const f = (service as { footage?: FootageService | null } | null)?.footage;
  return f && typeof f.gallery === 'function' ? f : null;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const list = (key: string) => ({ 200: { type: 'object', properties: { [key]: { type: 'array', items: anyObject } } }, ...errorResponses });

export function registerStrangerRoutes(app: FastifyInstance, deps: RouteDeps & { footage: FootageService | null }): void {
  const lib = () => import('../../strangers/index.js');
  const gallery = async () => {
    if (!deps.footage) throw new HttpError(501, 'BAD_REQUEST', 'this server keeps no strangers or sightings (an in-memory gallery)');
    const g = await deps.footage.gallery();
    await g.settled();
    return g;
  };

  app.get('/v1/strangers', {
    config: { scope: 'read' },
    schema: { tags: ['strangers'], summary: 'Strangers not yet named (all=true: merged and named ones too)', security: readSecurity, querystring: { type: 'object', properties: { all: { type: 'boolean' } } }, response: list('strangers') },
  }, async (request) => ({ strangers: await (await lib()).FootageStore.of(await gallery()).listStrangers({ all: (request.query as { all?: boolean }).all }) }));

  app.post('/v1/strangers/:id/name', {
    config: { scope: 'write' },
    schema: {
      tags: ['strangers'], summary: 'Name a stranger: it becomes a person (the one of that name, or a new one) with all its sightings', security: readSecurity,
      params: idParams, body: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 } } }, response: { 200: anyObject, ...errorResponses },
    },
  }, async (request) => (await lib()).nameStranger(await gallery(), (request.params as { id: string }).id, (request.body as { name: string }).name));

  app.post('/v1/strangers/:id/merge', {
    config: { scope: 'write' },
    schema: {
      tags: ['strangers'], summary: 'Two strangers are one: this one counts as `into` (undo with unmerge)', security: readSecurity,
      params: idParams, body: { type: 'object', required: ['into'], properties: { into: { type: 'string', minLength: 1, maxLength: 200 } } }, response: { 200: anyObject, ...errorResponses },
    },
  }, async (request) => {
    const store = (await lib()).FootageStore.of(await gallery());
    await store.mergeStrangers((request.params as { id: string }).id, (request.body as { into: string }).into);
    return store.rootOf((request.params as { id: string }).id);
  });

  app.post('/v1/strangers/:id/unmerge', {
    config: { scope: 'write' },
    schema: { tags: ['strangers'], summary: 'Undo a merge: the stranger stands on its own again', security: readSecurity, params: idParams, response: { 200: anyObject, ...errorResponses } },
  }, async (request) => {
    const store = (await lib()).FootageStore.of(await gallery());
    await store.unmergeStranger((request.params as { id: string }).id);
    return store.getStranger((request.params as { id: string }).id);
  });

  app.get('/v1/sightings', {
    config: { scope: 'read' },
    schema: {
      tags: ['strangers'], summary: 'When and where a person or a stranger was seen', security: readSecurity,
      querystring: {
        type: 'object',
        properties: {
          person: { type: 'string', maxLength: 200 }, stranger: { type: 'string', maxLength: 200 }, since: { type: 'string', maxLength: 64 },
          source: { type: 'string', maxLength: 2048 }, limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 }, offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
      response: list('sightings'),
    },
  }, async (request) => ({ sightings: await (await lib()).listSightings(await gallery(), request.query as Record<string, never>) }));

  app.get('/v1/sightings/:id/crop', {
    config: { scope: 'read' },
    schema: { tags: ['strangers'], summary: 'The best face of a sighting (JPEG)', security: readSecurity, params: idParams },
  }, async (request, reply) => {
    const crop = await (await lib()).FootageStore.of(await gallery()).sightingCrop((request.params as { id: string }).id);
    if (!crop) throw new FacekitError('NOT_FOUND', 'this sighting kept no face crop');
    return reply.type('image/jpeg').send(crop);
  });

  app.post('/v1/sightings/:id/not', {
    config: { scope: 'write' },
    schema: {
      tags: ['strangers'], summary: 'This sighting is not that person (default: the person it names); later identification respects it', security: readSecurity,
      params: idParams, body: { type: 'object', properties: { person: { type: 'string', minLength: 1, maxLength: 200 } } }, response: { 200: anyObject, ...errorResponses },
    },
  }, async (request) => {
    const c = await (await lib()).correctSighting(await gallery(), (request.params as { id: string }).id, (request.body as { person?: string } | undefined)?.person);
    return { id: c.id, personId: c.personId, origin: c.origin, ref: c.ref, created: c.created };
  });

  app.post('/v1/search-footage', {
    config: { scope: 'read' },
    schema: {
      tags: ['strangers'], summary: 'Every sighting of the face in a photo (its largest face), nearest first, with thumbnails', security: readSecurity,
      consumes: ['application/json', 'multipart/form-data'],
      body: { type: 'object', properties: { image: imageField, threshold: { type: 'number', minimum: 0, maximum: 4 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
      response: { 200: anyObject, ...errorResponses },
    },
  }, async (request) => {
    const b = request.body as { threshold?: number; limit?: number };
    const image = imageFrom(request, 'image');
    const g = await gallery();
    return deps.queue.run(async () => (await lib()).searchFootage(g, image, { maxPixels: deps.maxPixels, threshold: b.threshold, limit: b.limit }));
  });
}
