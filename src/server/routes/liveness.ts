import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http-error.js';
import { imagesFrom } from '../plugins/uploads.js';
import { detectorField, errorResponses, face, imageField, modelField, readSecurity } from '../schemas.js';
import type { LivenessChallengeName } from '../service.js';
import type { RouteDeps } from './deps.js';

/** a webcam burst: ~3 s at 10 fps is 30 frames; more only costs time on the server */
export const MAX_LIVENESS_FRAMES = 60;

const check = {
  type: 'object',
  required: ['requested', 'passed', 'count'],
  properties: { requested: { type: 'boolean' }, passed: { type: 'boolean' }, count: { type: 'integer' } },
} as const;

/**
 * Verify with liveness: a burst of webcam frames in which the person follows a challenge (blink,
 * turn the head), checked on the landmark tracks, then the most frontal frame recognised against
 * a claimed person or the gallery.
 */
export function registerLivenessRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { service, queue, maxPixels } = deps;

  app.post('/v1/liveness', {
    config: { scope: 'read' },
    schema: {
      tags: ['faces'],
      summary: 'Active liveness (blink / head turn) over a burst of frames, then verify or identify the best frame',
      consumes: ['application/json'],
      security: readSecurity,
      body: {
        type: 'object',
        required: ['frames', 'challenge'],
        properties: {
          frames: { type: 'array', items: imageField, minItems: 2, maxItems: MAX_LIVENESS_FRAMES, description: 'JPEG frames in capture order, base64 or data URLs' },
          challenge: { type: 'string', enum: ['blink', 'turn-left', 'turn-right', 'turn'] },
          personId: { type: 'string', minLength: 1, description: 'verify against this enrolled person; absent: identify against the gallery' },
          mirrored: { type: 'boolean', description: 'frames are mirrored (selfie preview): flips turn-left / turn-right' },
          detector: detectorField,
          model: modelField,
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['live', 'checks', 'frames', 'framesWithFace', 'bestFrame', 'face', 'match', 'trace'],
          properties: {
            live: { type: 'boolean' },
            checks: { type: 'object', properties: { blink: check, turnLeft: check, turnRight: check } },
            trace: {
              type: 'array',
              items: { type: 'object', properties: { frame: { type: 'integer' }, ear: { type: ['number', 'null'] }, yaw: { type: ['number', 'null'] } } },
            },
            frames: { type: 'integer' },
            framesWithFace: { type: 'integer' },
            bestFrame: { type: 'integer' },
            face,
            match: {
              type: ['object', 'null'],
              properties: {
                personId: { type: 'string' }, name: { type: 'string' }, distance: { type: 'number' }, threshold: { type: 'number' },
                verified: { type: 'boolean' }, confidence: { type: 'number' },
              },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    if (!service.liveness) throw new HttpError(501, 'BAD_REQUEST', 'this server does not check liveness');
    const b = request.body as { challenge: LivenessChallengeName; personId?: string; mirrored?: boolean; detector?: string; model?: string };
    const frames = imagesFrom(request, 'frames', { required: true });
    const liveness = service.liveness.bind(service);
    return queue.run(() => liveness(frames, { maxPixels, challenge: b.challenge, personId: b.personId, mirrored: b.mirrored, detector: b.detector, model: b.model }));
  });
}
