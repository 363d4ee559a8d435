import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FacekitError } from '../../errors/index.js';
import { HttpError } from '../http-error.js';
import { authenticate } from '../keys/manage.js';
import { grants } from '../keys/scopes.js';
import { checkCollectionAccess, requestCollection } from '../collection-access.js';
import type { KeyStore } from '../keys/store.js';
import { WindowCounter } from '../window-counter.js';
import '../fastify-types.js';

export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Protected mode, after Redis: with no API keys the server only listens on loopback and lets
 * local requests through; binding any other address without a key is refused up front.
 * Throws FacekitError(BAD_ARGUMENT) with the remedy in the message.
 */
export async function checkBind(host: string, keyStore: KeyStore): Promise<{ authOff: boolean }> {
  const keys = await keyStore.activeCount();
  if (isLoopback(host)) return { authOff: keys === 0 };
  if (keys === 0) {
    throw new FacekitError(
      'BAD_ARGUMENT',
      `refusing to listen on ${host}: no API keys exist, so anyone who can reach this address could use and change the gallery. ` +
        'Create a key first (facekit keys create --scope read,write), or bind 127.0.0.1 to run locally without keys.',
    );
  }
  return { authOff: false };
}

export const PROTECTED_MODE_WARNING =
  'PROTECTED MODE: no API keys exist, so authentication is OFF and the server listens on loopback only. ' +
  'Anyone on this machine can call every route. Create a key (facekit keys create --scope read,write) to turn authentication on.';

function presentedToken(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = request.headers['x-api-key'];
  if (typeof x === 'string' && x.trim()) return x.trim();
  return null;
}

/**
 * Every route with a `scope` in its config needs a key holding that scope, unless no key exists
 * and the server was bound to loopback. Key existence is checked per request, so the first key
 * created with the CLI turns authentication on without a restart.
 *
 * A client address that fails authentication `failures.max` times in a window gets 429 for the
 * rest of it, key or not: the per-key rate limit cannot meter clients that have no key, and
 * guessing keys (hopeless for 256-bit secrets) should still be loud and slow.
 */
export function installAuth(app: FastifyInstance, opts: { keyStore: KeyStore; host: string; failures: { max: number; windowMs: number } }): void {
  const { keyStore } = opts;
  const boundToLoopback = isLoopback(opts.host);
  const failures = new WindowCounter(opts.failures.windowMs);
  const failed = (request: FastifyRequest, message: string, challenge: string): HttpError => {
    if (opts.failures.max) failures.hit(request.ip);
    return new HttpError(401, 'UNAUTHORIZED', message, { 'www-authenticate': challenge });
  };
  app.decorateRequest('apiKey', null);
  app.decorateRequest('collection', '');

  app.addHook('onRequest', async (request) => {
    request.collection = requestCollection(request);
    const scope = request.routeOptions.config?.scope;
    if (!scope) return;
    const token = presentedToken(request);
    if (boundToLoopback && (await keyStore.activeCount()) === 0) {
      // belt and braces: even if someone re-bound the instance, remote peers never get keyless access
      if (!isLoopback(request.socket.localAddress ?? '') && !isLoopback(request.ip)) {
        throw new HttpError(403, 'PROTECTED_MODE', 'protected mode: no API keys exist, so only loopback clients are served');
      }
      return;
    }
    if (opts.failures.max && failures.count(request.ip) >= opts.failures.max) {
      const seconds = Math.ceil(failures.msLeft(request.ip) / 1000);
      throw new HttpError(429, 'TOO_MANY_AUTH_FAILURES', `too many failed authentications from this address; retry in ${seconds} s`, { 'retry-after': String(seconds) });
    }
    if (!token) throw failed(request, 'an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"', 'Bearer');
    const key = await authenticate(keyStore, token);
    if (!key) throw failed(request, 'unknown or revoked API key', 'Bearer error="invalid_token"');
    request.apiKey = key;
    if (!grants(key.scopes, scope)) {
      throw new HttpError(403, 'FORBIDDEN', `this key has scopes [${key.scopes.join(', ')}] but ${request.method} ${request.routeOptions.url} needs '${scope}'`);
    }
    checkCollectionAccess(request);
  });
}
