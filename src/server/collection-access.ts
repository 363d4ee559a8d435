/**
 * Which gallery collection a request acts on, and whether its key may: one rule for every route,
 * applied by the auth hook before any handler runs, so a key limited to collection A never reaches
 * B (nor a route that does not say which collection it touches).
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';
import { allowsCollection } from './keys/scopes.js';
import type { FaceService } from './service.js';

export const DEFAULT_COLLECTION = 'default';

/** /v1/collections/:collection/..., else ?collection=NAME, else the default collection */
export function requestCollection(request: FastifyRequest): string {
  const fromPath = (request.params as { collection?: unknown } | undefined)?.collection;
  if (typeof fromPath === 'string' && fromPath) return fromPath;
  const fromQuery = (request.query as { collection?: unknown } | undefined)?.collection;
  return typeof fromQuery === 'string' && fromQuery ? fromQuery : DEFAULT_COLLECTION;
}

/** 403 unless the request's key may act on the request's collection through this route. */
export function checkCollectionAccess(request: FastifyRequest): void {
  const key = request.apiKey;
  if (!key?.collections) return;
  const use = request.routeOptions.config?.collections;
  const limited = `this key is limited to collections [${key.collections.join(', ')}]`;
  if (!use) throw new HttpError(403, 'FORBIDDEN', `${limited}; ${request.method} ${request.routeOptions.url} does not act on a collection`);
  if (use === 'scoped' && !allowsCollection(key, request.collection)) {
    throw new HttpError(403, 'FORBIDDEN', `${limited}, not ${request.collection}`);
  }
}

/** The service for the request's collection (the default collection is the service itself). */
export async function serviceFor(service: FaceService, request: FastifyRequest): Promise<FaceService> {
  if (request.collection === DEFAULT_COLLECTION) return service;
  if (!service.inCollection) throw new HttpError(400, 'BAD_REQUEST', 'this server has no collections other than default');
  return service.inCollection(request.collection);
}

/** The querystring property collection-scoped routes document. */
export const collectionQueryProperty = {
  collection: { type: 'string', minLength: 1, maxLength: 64, description: 'gallery collection (default: default)' },
} as const;
