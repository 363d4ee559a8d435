import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { common, consumes, facePlan, facekitNames, img, type CommonFields } from '../deepface/fields.js';
import { deepfaceImage } from '../deepface/images.js';
import { DEEPFACE_METRICS, galleryMetricFor } from '../deepface/names.js';
import { deepfaceErrorResponses, requireImageFields } from '../deepface/protocol.js';
import { facialArea } from '../deepface/shapes.js';
import type { EnrollOptions, FaceService } from '../service.js';
import { readSecurity } from '../schemas.js';
import type { DeepfaceScopeDeps } from './deepface.js';

/**
 * deepface's database routes over facekit's gallery (the server's --db: SQLite or PostgreSQL).
 * deepface stores one row per face under an `img_name`; facekit stores people with faces, so an
 * img_name is a person's name: /register adds the image's face to the person of that name
 * (creating them), /search answers with the names of the nearest people, and /build/index
 * brings the gallery's vector index up to date (facekit keeps it current on every write; across
 * servers sharing a PostgreSQL gallery, it waits until the others' writes are in).
 */
const databaseFields = {
  database_type: { type: 'string', description: 'accepted, ignored: the gallery is the server\'s --db (SQLite or PostgreSQL)' },
  connection_details: { type: ['string', 'object'], description: 'accepted, ignored: clients never choose the server\'s database' },
} as const;

/**
 * deepface's img_name default: the img string itself when it ends in .jpg, .jpeg or .png (a path
 * or URL), else a new random UUID (base64, uploads, other URLs), so each such face is a person of
 * its own, as each is an img_name of its own in deepface.
 */
function imgNameOf(b: { img_name?: string; img?: unknown }): string {
  if (b.img_name) return b.img_name;
  if (typeof b.img === 'string' && /\.(jpg|jpeg|png)$/.test(b.img)) return b.img;
  return randomUUID();
}

/** The faces the gallery holds for a facekit model; deepface refuses to search or index none. */
async function facesFor(service: FaceService, model: string, deepfaceModel: string, use: string): Promise<{ model: string; dims: number; faces: number; hnsw: boolean }> {
  const index = galleryMethod(service, 'indexGallery');
  const found = (await index()).find((m) => m.model === model);
  if (!found || found.faces === 0) {
    throw new FacekitError('BAD_ARGUMENT', `No embeddings found in the database for model_name='${deepfaceModel}' (facekit model ${model}). You must call register some embeddings to the database before using ${use}.`);
  }
  return found;
}

/** A gallery method the FaceService contract leaves optional (test doubles may lack it). */
function galleryMethod<K extends 'searchGallery' | 'indexGallery'>(service: FaceService, method: K): NonNullable<FaceService[K]> {
  const fn = service[method];
  if (!fn) throw new FacekitError('UNSUPPORTED_OP', `this server's face service does not offer ${method}`);
  return fn.bind(service) as NonNullable<FaceService[K]>;
}

export function deepfaceGalleryRoutes(app: FastifyInstance, deps: DeepfaceScopeDeps): void {
  const { service, queue, maxPixels, images: imageOpts } = deps;

  app.post('/register', {
    config: { scope: 'write' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.register: the image\'s face joins the gallery under img_name',
      consumes,
      security: readSecurity,
      body: { type: 'object', properties: { img, img_name: { type: 'string', description: 'whose face; default: img when it ends in .jpg, .jpeg or .png, else a random UUID (as deepface)' }, ...common, ...databaseFields } },
      response: {
        200: {
          type: 'object',
          required: ['inserted', 'img_name', 'facekit_person_id', 'facekit_model', 'facekit_detector'],
          properties: {
            inserted: { type: 'integer', description: 'faces stored: the image\'s one main face (facekit refuses a photo where no face clearly dominates)' },
            img_name: { type: 'string' },
            facekit_person_id: { type: 'string' },
            ...facekitNames,
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    requireImageFields(request, [['img']]);
    const b = request.body as CommonFields & { img_name?: string; img?: unknown };
    const plan = facePlan(b, maxPixels);
    const name = imgNameOf(b);
    const image = await deepfaceImage(request, ['img'], imageOpts);
    const { maxPixels: mp, model, detector, antiSpoofing, expandPercentage } = plan.options;
    const opts: EnrollOptions = { maxPixels: mp, model, detector, antiSpoofing, expandPercentage };
    // facekit's enrollment rule: the person of that name gets the face, created on first use
    const person = await queue.run(() => service.people.create({ name, images: [image] }, opts));
    return { inserted: 1, img_name: name, facekit_person_id: person.id, ...plan.names };
  });

  const row = {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'the stored face (the nearest face of that person)' },
      img_name: { type: 'string' },
      model_name: { type: 'string' },
      detector_backend: { type: 'string' },
      aligned: { type: 'boolean' },
      l2_normalized: { type: 'boolean' },
      search_method: { type: 'string' },
      target_x: { type: ['integer', 'null'], description: 'the query face\'s facial area, as deepface names it' },
      target_y: { type: ['integer', 'null'] },
      target_w: { type: ['integer', 'null'] },
      target_h: { type: ['integer', 'null'] },
      threshold: { type: 'number' },
      distance_metric: { type: 'string' },
      distance: { type: 'number' },
      confidence: { type: 'number', description: 'percent, from facekit\'s calibration' },
      verified: { type: 'boolean', description: 'beyond deepface: distance <= threshold' },
      facekit_person_id: { type: 'string' },
    },
  } as const;

  app.post('/search', {
    config: { scope: 'read' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.search: for each face in img, the registered img_names nearest to it',
      consumes,
      security: readSecurity,
      body: {
        type: 'object',
        properties: {
          img, ...common, ...databaseFields,
          distance_metric: { type: 'string', description: `one of ${DEEPFACE_METRICS.join(', ')}; default cosine` },
          threshold: { type: 'number', minimum: 0, description: 'on distance_metric\'s scale; default: facekit\'s calibrated threshold' },
          similarity_search: { type: 'boolean', default: false, description: 'true: the nearest whatever their distance; false: only those within the threshold' },
          k: { type: 'integer', minimum: 1, description: 'at most this many names per face; default: all (within the threshold unless similarity_search)' },
          search_method: { type: 'string', enum: ['exact', 'ann'], default: 'exact', description: 'exact or ann, echoed in each row; facekit searches its index exactly or by HNSW by gallery size either way' },
          l2_normalize: { type: 'boolean', default: false, description: 'echoed as l2_normalized; facekit\'s cosine metrics normalize anyway' },
          max_faces: { type: 'integer', minimum: 1 },
        },
      },
      response: {
        200: { type: 'object', required: ['results', 'facekit_model', 'facekit_detector'], properties: { results: { type: 'array', items: { type: 'array', items: row } }, ...facekitNames } },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    requireImageFields(request, [['img']]);
    const b = request.body as CommonFields & { distance_metric?: string; threshold?: number; similarity_search?: boolean; k?: number; search_method?: string; l2_normalize?: boolean };
    const plan = facePlan(b, maxPixels);
    const metric = galleryMetricFor(b.distance_metric);
    const search = galleryMethod(service, 'searchGallery');
    const image = await deepfaceImage(request, ['img'], imageOpts);
    const r = await queue.run(() => service.represent(image, plan.options));
    // deepface's order: the image's faces first, then the stored embeddings (none is a 400)
    const stored = await facesFor(service, plan.model.facekit, plan.model.deepface, 'search');
    // deepface's k: None (absent) lists every match; people <= faces
    const topK = b.k ?? stored.faces;
    const same = {
      model_name: plan.model.deepface, detector_backend: plan.detector.deepface, aligned: b.align ?? true, l2_normalized: b.l2_normalize ?? false, search_method: b.search_method ?? 'exact',
    };
    const threshold = b.threshold === undefined ? undefined : metric.fromDeepface(b.threshold);
    const results = [];
    for (const face of r.faces) {
      const found = await search(face.embedding, { model: plan.model.facekit, topK, threshold });
      const area = facialArea(face);
      results.push(found.candidates
        .filter((c) => b.similarity_search || c.distance <= found.threshold)
        .map((c) => ({
          id: c.faceId,
          img_name: c.name,
          ...same,
          target_x: area.x, target_y: area.y, target_w: area.w, target_h: area.h,
          threshold: metric.toDeepface(found.threshold),
          distance_metric: metric.deepface,
          distance: metric.toDeepface(c.distance),
          ...(c.confidence !== undefined ? { confidence: Math.round(c.confidence * 10000) / 100 } : {}),
          verified: c.distance <= found.threshold,
          facekit_person_id: c.personId,
        })));
    }
    return { results, ...plan.names };
  });

  app.post('/build/index', {
    config: { scope: 'write' },
    schema: {
      tags: ['deepface'],
      summary: 'deepface-compatible DeepFace.build_index: the gallery\'s vector index, up to date',
      consumes,
      security: readSecurity,
      body: { type: ['object', 'null'], properties: { model_name: common.model_name, detector_backend: common.detector_backend, align: common.align, l2_normalize: common.l2_normalize, ...databaseFields } },
      response: {
        200: {
          type: 'object',
          required: ['message', 'indexes'],
          properties: {
            message: { type: 'string', description: 'deepface\'s "Index built successfully"' },
            indexes: {
              description: 'beyond deepface: the model_name\'s index in facekit\'s gallery',
              type: 'array',
              items: { type: 'object', properties: { facekit_model: { type: 'string' }, dims: { type: 'integer' }, faces: { type: 'integer' }, hnsw: { type: 'boolean' } } },
            },
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    // like deepface, one model's index: model_name's (default VGG-Face); none stored is a 400
    const plan = facePlan((request.body ?? {}) as CommonFields, maxPixels);
    const m = await facesFor(service, plan.model.facekit, plan.model.deepface, 'build_index');
    return { message: 'Index built successfully', indexes: [{ facekit_model: m.model, dims: m.dims, faces: m.faces, hnsw: m.hnsw }] };
  });
}
