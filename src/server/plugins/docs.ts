import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** OpenAPI 3 document built from the route schemas, served at /docs/json with Swagger UI at /docs. */
export async function installDocs(app: FastifyInstance, opts: { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'facekit REST API',
        version: opts.version,
        description:
          'Face detection, embedding, verification, identification and a people gallery. Images go in as multipart files ' +
          'or as base64 / data URLs in JSON. /verify, /represent and /analyze mirror the deepface API.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      tags: [
        { name: 'faces', description: 'detect, represent, verify, identify, analyze' },
        { name: 'people', description: 'the gallery of enrolled people' },
        { name: 'deepface', description: 'deepface-compatible routes' },
        { name: 'keys', description: 'API key management (admin)' },
        { name: 'ops', description: 'health and metrics' },
        { name: 'collections', description: 'isolated galleries in one store; people, identify and verify take ?collection=NAME' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
