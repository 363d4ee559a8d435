import type { FastifyInstance } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { box, errorBody, errorResponses, imageField, readSecurity } from '../schemas.js';
import { imageFrom } from '../plugins/uploads.js';
import type { RouteDeps } from './deps.js';

/** A clustered face as the routes return it. */
export interface ClusterFaceJson { faceId: number; file: string; box: { x: number; y: number; w: number; h: number }; quality: number }
export interface ClusterJson { id: string; name?: string; personId?: string; faces: ClusterFaceJson[] }
export interface ClustersJson { dir: string; method: string; threshold: number; clusters: ClusterJson[]; unclustered: ClusterFaceJson[]; stats?: Record<string, number> }
export interface FindMatchJson { file: string; box: ClusterFaceJson['box']; faceId: number; distance: number; confidence: number }

/**
 * What the cluster routes need: photo folders on the server (named relative to its photos root,
 * never outside it), clustered and searched by the cluster stage. Like FaceService, a contract:
 * the routes never call the library themselves. Naming enrolls through the server's own people
 * service, so its identify sees the new person at once.
 */
export interface ClusterRouteService {
  /** the clusters as last computed (NOT_FOUND when the folder was never clustered) */
  list(dir: string): Promise<ClustersJson>;
  /** brings the folder's faces and clusters up to date */
  run(dir: string, opts: { method?: string; recluster?: boolean }): Promise<ClustersJson>;
  /** the cluster's best faces as single-face JPEG crops, for enrolling */
  bestFaces(dir: string, clusterId: string, n: number): Promise<{ faceIds: number[]; crops: Buffer[]; personId?: string }>;
  /** records that the faces were enrolled as this person */
  named(dir: string, clusterId: string, name: string, personId: string, faceIds: number[]): Promise<void>;
  merge(dir: string, ids: string[]): Promise<ClustersJson>;
  split(dir: string, id: string, faceIds: number[]): Promise<{ newId: string; clusters: ClustersJson }>;
  find(image: Buffer, dir: string, opts: { threshold?: number; all?: boolean; topK?: number }): Promise<{ threshold: number; searched: number; matches: FindMatchJson[] }>;
  /** JPEG of one face, for the page */
  thumbnail(dir: string, faceId: number): Promise<Buffer>;
}

const dirField = { type: 'string', minLength: 1, maxLength: 1000, description: 'folder relative to the server\'s photos root' } as const;
const clusterId = { type: 'string', minLength: 1, maxLength: 100 } as const;
const clusterFace = {
  type: 'object',
  required: ['faceId', 'file', 'box', 'quality'],
  properties: { faceId: { type: 'integer' }, file: { type: 'string' }, box, quality: { type: 'number' } },
} as const;
const cluster = {
  type: 'object',
  required: ['id', 'faces'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, personId: { type: 'string' }, faces: { type: 'array', items: clusterFace } },
} as const;
const clusters = {
  type: 'object',
  required: ['dir', 'method', 'threshold', 'clusters', 'unclustered'],
  properties: {
    dir: { type: 'string' },
    method: { type: 'string' },
    threshold: { type: 'number' },
    clusters: { type: 'array', items: cluster },
    unclustered: { type: 'array', items: clusterFace },
    stats: { type: 'object', additionalProperties: { type: 'number' } },
  },
} as const;
const responses = { ...errorResponses, 404: { description: 'folder, cluster or face not found', ...errorBody } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: clusterId } } as const;

/** Photo folders: cluster by person, name a cluster into the gallery, find a face. */
export function registerClusterRoutes(app: FastifyInstance, deps: RouteDeps & { clusters: ClusterRouteService | null }): void {
  const { queue, service } = deps;
  const svc = (): ClusterRouteService => {
    if (!deps.clusters) throw new FacekitError('NOT_FOUND', 'photo folders are off on this server: start it with a photos root');
    return deps.clusters;
  };

  app.get('/v1/clusters', {
    config: { scope: 'read' },
    schema: { tags: ['clusters'], summary: 'The clusters of a folder as last computed', security: readSecurity, querystring: { type: 'object', required: ['dir'], properties: { dir: dirField } }, response: { 200: clusters, ...responses } },
  }, async (request) => svc().list((request.query as { dir: string }).dir));

  app.post('/v1/clusters', {
    config: { scope: 'write' },
    schema: {
      tags: ['clusters'],
      summary: 'Cluster the faces of a folder by person (new files only are embedded; ids stay stable)',
      security: readSecurity,
      body: { type: 'object', required: ['dir'], properties: { dir: dirField, method: { type: 'string', enum: ['chinese-whispers', 'connected-components', 'dbscan'] }, recluster: { type: 'boolean' } } },
      response: { 200: clusters, ...responses },
    },
  }, async (request) => {
    const b = request.body as { dir: string; method?: string; recluster?: boolean };
    return queue.run(() => svc().run(b.dir, { method: b.method, recluster: b.recluster }));
  });

  app.post('/v1/clusters/:id/name', {
    config: { scope: 'write' },
    schema: {
      tags: ['clusters'],
      summary: 'Name a cluster: its best faces are enrolled as that person, so identify knows them',
      security: readSecurity,
      params: idParams,
      body: { type: 'object', required: ['dir', 'name'], properties: { dir: dirField, name: { type: 'string', minLength: 1, maxLength: 200 }, best: { type: 'integer', minimum: 1, maximum: 20, default: 5 } } },
      response: {
        200: { type: 'object', required: ['cluster', 'personId', 'name', 'enrolled'], properties: { cluster: { type: 'string' }, personId: { type: 'string' }, name: { type: 'string' }, enrolled: { type: 'integer' } } },
        ...responses,
      },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const b = request.body as { dir: string; name: string; best: number };
    const c = svc();
    const best = await c.bestFaces(b.dir, id, b.best);
    let personId = best.personId;
    if (personId && best.crops.length) {
      try {
        await queue.run(() => service.people.addFaces(personId!, best.crops, { maxPixels: deps.maxPixels }));
        await service.people.rename(personId, b.name);
      } catch (e) {
        if (!(e instanceof FacekitError && e.code === 'NOT_FOUND')) throw e;
        personId = undefined; // deleted from the gallery since: enroll afresh
      }
    } else if (personId) await service.people.rename(personId, b.name);
    if (!personId) {
      if (best.crops.length === 0) throw new FacekitError('BAD_ARGUMENT', `cluster ${id} has no faces to enroll`);
      personId = (await queue.run(() => service.people.create({ name: b.name, images: best.crops }, { maxPixels: deps.maxPixels }))).id;
    }
    await c.named(b.dir, id, b.name, personId, best.faceIds);
    request.auditTarget = { personId };
    return { cluster: id, personId, name: b.name, enrolled: best.faceIds.length };
  });

  app.post('/v1/clusters/merge', {
    config: { scope: 'write' },
    schema: {
      tags: ['clusters'],
      summary: 'Merge clusters into the first one given',
      security: readSecurity,
      body: { type: 'object', required: ['dir', 'ids'], properties: { dir: dirField, ids: { type: 'array', items: clusterId, minItems: 2, maxItems: 100 } } },
      response: { 200: clusters, ...responses },
    },
  }, async (request) => {
    const b = request.body as { dir: string; ids: string[] };
    return svc().merge(b.dir, b.ids);
  });

  app.post('/v1/clusters/:id/split', {
    config: { scope: 'write' },
    schema: {
      tags: ['clusters'],
      summary: 'Move faces out of a cluster into a new one',
      security: readSecurity,
      params: idParams,
      body: { type: 'object', required: ['dir', 'faceIds'], properties: { dir: dirField, faceIds: { type: 'array', items: { type: 'integer' }, minItems: 1 } } },
      response: { 200: { type: 'object', required: ['newId', 'clusters'], properties: { newId: { type: 'string' }, clusters } }, ...responses },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const b = request.body as { dir: string; faceIds: number[] };
    return svc().split(b.dir, id, b.faceIds);
  });

  app.get('/v1/clusters/faces/:faceId', {
    config: { scope: 'read' },
    schema: {
      tags: ['clusters'],
      summary: 'A face of a clustered folder as a JPEG thumbnail',
      security: readSecurity,
      params: { type: 'object', required: ['faceId'], properties: { faceId: { type: 'integer', minimum: 1 } } },
      querystring: { type: 'object', required: ['dir'], properties: { dir: dirField } },
    },
  }, async (request, reply) => {
    const { faceId } = request.params as { faceId: number };
    const jpeg = await svc().thumbnail((request.query as { dir: string }).dir, faceId);
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=60').send(jpeg);
  });

  app.post('/v1/find', {
    config: { scope: 'read' },
    schema: {
      tags: ['clusters'],
      summary: 'Every image in a folder showing the face in the image, nearest first',
      consumes: ['application/json', 'multipart/form-data'],
      security: readSecurity,
      body: {
        type: 'object',
        required: ['dir'],
        properties: { image: imageField, dir: dirField, threshold: { type: 'number', minimum: 0 }, all: { type: 'boolean' }, topK: { type: 'integer', minimum: 1 } },
      },
      response: {
        200: {
          type: 'object',
          required: ['threshold', 'searched', 'matches'],
          properties: {
            threshold: { type: 'number' },
            searched: { type: 'integer' },
            matches: { type: 'array', items: { type: 'object', required: ['file', 'box', 'faceId', 'distance', 'confidence'], properties: { file: { type: 'string' }, box, faceId: { type: 'integer' }, distance: { type: 'number' }, confidence: { type: 'number' } } } },
          },
        },
        ...responses,
      },
    },
  }, async (request) => {
    const b = request.body as { dir: string; threshold?: number; all?: boolean; topK?: number };
    const image = imageFrom(request, 'image');
    return queue.run(() => svc().find(image, b.dir, { threshold: b.threshold, all: b.all, topK: b.topK }));
  });
}
