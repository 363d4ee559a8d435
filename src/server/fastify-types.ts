/** What the plugins add to Fastify's request and route config (module augmentation). */
import type { ApiKeyRecord } from './keys/store.js';
import type { Scope } from './keys/scopes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** bytes per image, however it arrives (multipart file, base64, data URL, file path) */
    imageByteLimit: number;
  }
  interface FastifyContextConfig {
    /** the scope a key needs; routes without one are public (health, docs) */
    scope?: Scope;
    /**
     * how the route uses gallery collections: 'scoped' acts on the request's collection (a key
     * limited to collections must name one of its own), 'list' shows only the key's own; routes
     * without it are refused to keys limited to collections
     */
    collections?: 'scoped' | 'list';
  }
  interface FastifyRequest {
    /** the authenticated key; null when auth is off (no keys, loopback only) or the route is public */
    apiKey: ApiKeyRecord | null;
    /** files from a multipart body, by field name */
    uploads: Map<string, Buffer[]> | null;
    /** ids a write touched that the URL does not show (e.g. the id of a created person) */
    auditTarget: Record<string, unknown> | null;
    /** the gallery collection the request acts on: /v1/collections/:collection, else ?collection=, else 'default' */
    collection: string;
  }
}

export {};
