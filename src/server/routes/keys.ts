import type { FastifyInstance } from 'fastify';
import { createKey, listKeys, revokeKey } from '../keys/manage.js';
import { SCOPES, type Scope } from '../keys/scopes.js';
import type { KeyStore } from '../keys/store.js';
import { errorResponses, readSecurity } from '../schemas.js';

const keyInfo = {
  type: 'object',
  required: ['id', 'name', 'scopes', 'createdAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string', enum: SCOPES } },
    createdAt: { type: 'string' },
    revokedAt: { type: 'string' },
    collections: { type: 'array', items: { type: 'string' }, description: 'the only gallery collections the key may use; absent: all' },
  },
} as const;

/** The same operations as `facekit keys`, for admins over HTTP. */
export function registerKeyRoutes(app: FastifyInstance, deps: { keyStore: KeyStore }): void {
  const { keyStore } = deps;

  app.get('/v1/keys', {
    config: { scope: 'admin' },
    schema: {
      tags: ['keys'],
      summary: 'List API keys (never their secrets)',
      security: readSecurity,
      querystring: { type: 'object', properties: { includeRevoked: { type: 'boolean', default: false } } },
      response: { 200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: keyInfo } } }, ...errorResponses },
    },
  }, async (request) => ({ keys: await listKeys(keyStore, { includeRevoked: (request.query as { includeRevoked: boolean }).includeRevoked }) }));

  app.post('/v1/keys', {
    config: { scope: 'admin' },
    schema: {
      tags: ['keys'],
      summary: 'Create an API key; the token is shown only in this response',
      security: readSecurity,
      body: {
        type: 'object',
        required: ['scopes'],
        properties: {
          scopes: { type: 'array', items: { type: 'string', enum: SCOPES }, minItems: 1 },
          name: { type: 'string', maxLength: 200 },
          collections: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, minItems: 1, description: 'limit the key to these collections' },
        },
      },
      response: { 201: { type: 'object', required: ['token', 'key'], properties: { token: { type: 'string' }, key: keyInfo } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const b = request.body as { scopes: Scope[]; name?: string; collections?: string[] };
    const created = await createKey(keyStore, { scopes: [...new Set(b.scopes)], name: b.name, collections: b.collections });
    request.auditTarget = { keyId: created.key.id, scopes: created.key.scopes };
    reply.code(201);
    return created;
  });

  app.delete('/v1/keys/:id', {
    config: { scope: 'admin' },
    schema: {
      tags: ['keys'],
      summary: 'Revoke an API key',
      security: readSecurity,
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    await revokeKey(keyStore, (request.params as { id: string }).id);
    return reply.code(204).send();
  });
}
