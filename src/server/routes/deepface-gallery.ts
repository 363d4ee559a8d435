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

/** deepface's img_name; by default the img string itself when it names a file or URL (not base64). */
function imgNameOf(b: { img_name?: string; img?: unknown }): string {
  if (b.img_name) return b.img_name;
  if (typeof b.img === 'string' && b.img.length < 1024 && !/^data:/i.test(b.img) && /[/.]/.test(b.img)) return b.img;
  throw new FacekitError('BAD_ARGUMENT', "'img_name' is required when img is base64 or an uploaded file: it names whom the face belongs to");
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
      body: { type: 'object', properties: { img, img_name: { type: 'string', description: 'whose face; default: the img path or URL' }, ...common, ...databaseFields } },
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
      img_name: { type: 'string' },
      id: { type: 'string', description: 'the stored face' },
      distance: { type: 'number' },
      threshold: { type: 'number' },
      confidence: { type: 'number', description: 'percent, from facekit\'s calibration' },
      verified: { type: 'boolean' },
      source_x: { type: ['integer', 'null'] },
      source_y: { type: ['integer', 'null'] },
      source_w: { type: ['integer', 'null'] },
      source_h: { type: ['integer', 'null'] },
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
          similarity_search: { type: 'boolean', default: false, description: 'true: the k nearest whatever their distance; false: only those within the threshold' },
          k: { type: 'integer', minimum: 1, description: 'names per face (default 5)' },
          search_method: { type: 'string', description: 'accepted, ignored: facekit searches its index exactly or by HNSW by gallery size' },
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
    const b = request.body as CommonFields & { distance_metric?: string; threshold?: number; similarity_search?: boolean; k?: number };
    const plan = facePlan(b, maxPixels);
    const metric = galleryMetricFor(b.distance_metric);
    const search = galleryMethod(service, 'searchGallery');
    const image = await deepfaceImage(request, ['img'], imageOpts);
    const r = await queue.run(() => service.represent(image, plan.options));
    const threshold = b.threshold === undefined ? undefined : metric.fromDeepface(b.threshold);
    const results = [];
    for (const face of r.faces) {
      const found = await search(face.embedding, { model: plan.model.facekit, topK: b.k ?? 5, threshold });
      const area = facialArea(face);
      results.push(found.candidates
        .filter((c) => b.similarity_search || c.distance <= found.threshold)
        .map((c) => ({
          img_name: c.name,
          id: c.faceId,
          distance: metric.toDeepface(c.distance),
          threshold: metric.toDeepface(found.threshold),
          ...(c.confidence !== undefined ? { confidence: Math.round(c.confidence * 10000) / 100 } : {}),
          verified: c.distance <= found.threshold,
          source_x: area.x, source_y: area.y, source_w: area.w, source_h: area.h,
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
            message: { type: 'string' },
            indexes: {
              type: 'array',
              items: { type: 'object', properties: { facekit_model: { type: 'string' }, dims: { type: 'integer' }, faces: { type: 'integer' }, hnsw: { type: 'boolean' } } },
            },
          },
        },
        ...deepfaceErrorResponses,
      },
    },
  }, async (request) => {
    const b = (request.body ?? {}) as CommonFields;
    const index = galleryMethod(service, 'indexGallery');
    // with a model_name, that model's index only (deepface builds one per model)
    const only = b.model_name ? facePlan(b, maxPixels).model.facekit : undefined;
    const indexes = (await index()).filter((m) => !only || m.model === only).map((m) => ({ facekit_model: m.model, dims: m.dims, faces: m.faces, hnsw: m.hnsw }));
    const faces = indexes.reduce((n, m) => n + m.faces, 0);
    return { message: `index up to date: ${faces} face${faces === 1 ? '' : 's'} in ${indexes.length} model index${indexes.length === 1 ? '' : 'es'}`, indexes };
  });
}
