/**
 * How deepface's API speaks HTTP, for the routes that imitate it (installed in their own Fastify
 * scope, so /v1 keeps facekit's own conventions):
 * - errors are `{"error": "message"}`, with the status facekit gives the same failure, except a
 *   missing image field, which deepface's routes answer before running anything as
 *   `{"exception": "message"}` (400); a 400 after that reads, as deepface's service.py words it,
 *   "Exception while verifying: <message>" (representing, analyzing, ...; without the traceback);
 * - a body is JSON, an urlencoded form, multipart, or JSON sent without a JSON content type
 *   (Flask's request.get_json(force) habit: `curl -d '{...}'` sends it as a form);
 * - form values are strings, and Python clients write booleans as "True"/"False".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { toErrorResponse } from '../plugins/errors.js';
import { errorResponses } from '../schemas.js';

export type DeepfaceErrorBody = { error: string } | { exception: string };

/**
 * deepface's routes.py reads the image fields first (extract_image_from_request) and answers a
 * failure there with `{"exception": message}`, 400; everything later is `{"error": message}`.
 */
export class ImageFieldError extends FacekitError {
  constructor(message: string) {
    super('BAD_ARGUMENT', message);
  }
}

/** deepface's first check: each image field is present (an upload or a non-empty value), in order. */
export function requireImageFields(request: FastifyRequest, fields: string[][]): void {
  const body = (request.body ?? {}) as Record<string, unknown>;
  for (const names of fields) {
    const present = names.some((n) => request.uploads?.get(n)?.length || (body[n] !== undefined && body[n] !== null && body[n] !== '' && !(Array.isArray(body[n]) && (body[n] as unknown[]).length === 0)));
    if (!present) throw new ImageFieldError(`'${names[0]}' not found in either json or form data request`);
  }
}

/** facekit's error statuses with deepface's body, for the routes' OpenAPI schemas */
export const deepfaceErrorResponses = Object.fromEntries(
  Object.entries({ ...errorResponses, 415: { description: 'unsupported content type' } }).map(([status, r]) => [
    status,
    status === '400'
      ? { description: `${r.description}; a missing image field is {"exception": message}, as deepface answers it`, type: 'object', properties: { error: { type: 'string' }, exception: { type: 'string' } } }
      : { description: r.description, type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
  ]),
);

function parseLooseBody(_request: FastifyRequest, text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as Record<string, unknown>;
    } catch (e) {
      throw new FacekitError('BAD_ARGUMENT', `the body looks like JSON but does not parse: ${(e as Error).message}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(trimmed)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** service.py's wording of a failed call, per route */
const FAILED_WHILE: Record<string, string> = {
  '/represent': 'representing', '/verify': 'verifying', '/analyze': 'analyzing', '/register': 'registering', '/search': 'searching', '/build/index': 'building index',
};

export function deepfaceErrorBody(err: unknown, status: number, message: string, route: string | undefined): DeepfaceErrorBody {
  if (err instanceof ImageFieldError) return { exception: message };
  const doing = route === undefined ? undefined : FAILED_WHILE[route];
  return { error: status === 400 && doing ? `Exception while ${doing}: ${message}` : message };
}

const PYTHON_BOOLEANS: Record<string, boolean> = { True: true, False: false };

export function installDeepfaceProtocol(scope: FastifyInstance): void {
  scope.setErrorHandler((err, request, reply) => {
    const r = toErrorResponse(err);
    if (r.internal) request.log.error({ err }, 'request failed');
    const body = deepfaceErrorBody(err, r.status, r.body.error.message, request.routeOptions.url);
    reply.code(r.status).headers(r.headers).type('application/json').send(body);
  });
  // the form parser also takes JSON, and so do text/plain and '*' (any other or no content type)
  for (const type of ['application/x-www-form-urlencoded', 'text/plain', '*']) {
    if (scope.hasContentTypeParser(type)) scope.removeContentTypeParser(type);
    scope.addContentTypeParser(type, { parseAs: 'string' }, (request, body, done) => {
      try {
        done(null, parseLooseBody(request, body as string));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
  }
  scope.addHook('preValidation', async (request) => {
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return;
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && Object.hasOwn(PYTHON_BOOLEANS, v)) body[k] = PYTHON_BOOLEANS[v];
  });
}
