import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http-error.js';

export interface RateLimitOptions {
  /** requests per key (or per client address when auth is off) per window; 0 disables */
  max: number;
  /** window in milliseconds */
  windowMs: number;
}

/**
 * Per-key request budget. It runs after authentication (route-level onRequest hooks follow the
 * instance-level auth hook), so a key's budget is shared by every address using it.
 *
 * In protected mode (no API key exists, loopback only) there is no key to meter, and every client
 * is a local process of the machine's own users: a per-address budget there would only turn a
 * local benchmark or batch job into 429s (all of it comes from 127.0.0.1), while the bounded work
 * queue (src/server/queue.ts) already protects the server. So keyless requests are not metered:
 * a request that reaches this hook on a scoped route without a key passed auth in protected mode.
 */
export async function installRateLimit(app: FastifyInstance, opts: RateLimitOptions): Promise<void> {
  if (!opts.max) return;
  await app.register(rateLimit, {
    global: true,
    max: opts.max,
    timeWindow: opts.windowMs,
    keyGenerator: (request) => (request.apiKey ? `key:${request.apiKey.id}` : `ip:${request.ip}`),
    // public routes (health, docs) and keyless (protected-mode, loopback) requests are not metered
    allowList: (request) => !request.routeOptions.config?.scope || !request.apiKey,
    errorResponseBuilder: (_request, ctx) =>
      new HttpError(ctx.statusCode, 'RATE_LIMITED', `rate limit exceeded: ${ctx.max} requests per ${opts.windowMs / 1000}s; retry in ${ctx.after}`),
  });
}
