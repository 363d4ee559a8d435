/**
 * The browser page (web/: plain ES modules and CSS, no build step) served at `/` by the REST
 * server through @fastify/static. The page only talks to the /v1 routes, so it needs no server
 * code of its own; its files carry no auth scope and are public like /docs.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

/** Serves web/ at `/` (index.html for `/`). Call before the server listens. */
export function installWebPage(app: FastifyInstance, root: string = WEB_ROOT): void {
  // wildcard off: one route per file found now, so unknown GETs still reach the JSON 404 handler
  void app.register(import('@fastify/static'), { root, prefix: '/', wildcard: false, index: ['index.html'], cacheControl: false });
}

/**
 * Adds the web page to the next Fastify instance this process creates, through Fastify's
 * `fastify.initialization` diagnostics channel: `facekit serve` builds its server inside the
 * server module, and this lets the CLI add the page without reaching into it.
 */
export function installWebPageOnNextServer(root: string = WEB_ROOT): void {
  const onInit = (message: unknown): void => {
    unsubscribe('fastify.initialization', onInit);
    installWebPage((message as { fastify: FastifyInstance }).fastify, root);
  };
  subscribe('fastify.initialization', onInit);
}
