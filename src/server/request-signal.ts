/**
 * The abort signal of the request being handled, for code the routes call without passing it
 * (the work queue): aborted when the client goes away before its response is sent. Carried in
 * AsyncLocalStorage, entered in an onRequest hook so the handler and what it awaits run inside it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

const current = new AsyncLocalStorage<AbortSignal>();

/** The current request's signal; undefined outside a request. */
export function requestSignal(): AbortSignal | undefined {
  return current.getStore();
}

export function installRequestSignal(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const controller = new AbortController();
    // 'close' on the response comes when it is finished or when the connection drops first
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort();
    });
    current.run(controller.signal, done);
  });
}
