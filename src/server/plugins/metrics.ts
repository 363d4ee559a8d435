import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../metrics.js';
import type { WorkQueue } from '../queue.js';
import type { FaceService } from '../service.js';
import { errorResponses, readSecurity } from '../schemas.js';

/**
 * Counts every response by route template (not raw URL, so ids do not explode the label set)
 * and serves GET /metrics. Gallery size is asked of the service at scrape time.
 */
export function installMetrics(app: FastifyInstance, deps: { metrics: ServerMetrics; service: FaceService; queue: WorkQueue }): void {
  const { metrics, service, queue } = deps;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.get('/metrics', {
    config: { scope: 'read' },
    schema: {
      tags: ['ops'],
      summary: 'Prometheus metrics (text exposition format 0.0.4)',
      security: readSecurity,
      response: { 200: { type: 'string', description: 'Prometheus text format' }, ...errorResponses },
    },
  }, async (request, reply) => {
    try {
      const page = await service.people.list({ offset: 0, limit: 0 });
      metrics.galleryPeople.set(page.total);
      if (typeof page.totalFaces === 'number') metrics.galleryFaces.set(page.totalFaces);
    } catch (err) {
      // a failing store must not take the metrics page down with it
      request.log.warn({ err }, 'gallery size unavailable for /metrics');
    }
    metrics.queueRunning.set(queue.running);
    metrics.queueWaiting.set(queue.queued);
    metrics.queueRejected.set(queue.rejected);
    metrics.queueAbandoned.set(queue.abandoned);
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return metrics.render();
  });
}
