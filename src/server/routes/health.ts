import type { FastifyInstance } from 'fastify';
import type { WorkQueue } from '../queue.js';

/** Liveness for load balancers: public, cheap, no service call. */
export function registerHealthRoutes(app: FastifyInstance, deps: { queue: WorkQueue; version: string; authOn: () => Promise<boolean> }): void {
  app.get('/health', {
    schema: {
      tags: ['ops'],
      summary: 'Liveness and load',
      response: {
        200: {
          type: 'object',
          required: ['status', 'version', 'uptimeSeconds', 'queue', 'auth'],
          properties: {
            status: { type: 'string', enum: ['ok'] },
            version: { type: 'string' },
            uptimeSeconds: { type: 'number' },
            auth: { type: 'string', enum: ['on', 'off'] },
            queue: {
              type: 'object',
              required: ['running', 'queued', 'concurrency', 'maxQueued'],
              properties: { running: { type: 'integer' }, queued: { type: 'integer' }, concurrency: { type: 'integer' }, maxQueued: { type: 'integer' } },
            },
          },
        },
      },
    },
  }, async () => ({
    status: 'ok' as const,
    version: deps.version,
    uptimeSeconds: process.uptime(),
    auth: (await deps.authOn()) ? 'on' : 'off',
    queue: { running: deps.queue.running, queued: deps.queue.queued, concurrency: deps.queue.concurrency, maxQueued: deps.queue.maxQueued },
  }));
}
