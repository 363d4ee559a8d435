import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { WindowCounter } from '../window-counter.js';
import '../fastify-types.js';

export interface AuditEntry {
  time: string;
  /** key id; null when auth is off (protected mode, loopback) */
  keyId: string | null;
  keyName: string | null;
  ip: string;
  method: string;
  route: string;
  /** ids from the URL (person id, face id) and ids the handler reported (created person, added faces) */
  target: Record<string, unknown>;
  status: number;
  /** on a refusal of a client without a key: how many more of its refusals the previous window had, unlogged */
  unloggedRefusals?: number;
}

/** Refusals of clients without a key: 401, 403 (protected mode), 429. */
const REFUSED = new Set([401, 403, 429]);

/**
 * Append-only JSON lines, one per write request (who, what, when, outcome). Written synchronously
 * before the response leaves, so a client that saw the response can rely on the line existing.
 */
export class AuditLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }
  write(entry: AuditEntry): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}

/**
 * One line per write request; but a client without a key that keeps being refused writes one line
 * per address per window (the next one counts the rest), so anonymous requests cannot flood the log.
 */
export function installAudit(app: FastifyInstance, log: AuditLog | null, opts: { refusalWindowMs: number }): void {
  app.decorateRequest('auditTarget', null);
  if (!log) return;
  const refusals = new WindowCounter(opts.refusalWindowMs);
  app.addHook('onSend', async (request, reply, payload) => {
    const scope = request.routeOptions.config?.scope;
    if (scope !== 'write' && scope !== 'admin') return payload;
    let unlogged: number | undefined;
    if (!request.apiKey && REFUSED.has(reply.statusCode)) {
      const { count, previous } = refusals.hit(request.ip);
      if (count > 1) return payload;
      if (previous > 1) unlogged = previous - 1;
    }
    log.write({
      time: new Date().toISOString(),
      keyId: request.apiKey?.id ?? null,
      keyName: request.apiKey?.name ?? null,
      ip: request.ip,
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      target: { ...(request.params as Record<string, unknown> | undefined), ...(request.auditTarget ?? {}) },
      status: reply.statusCode,
      ...(unlogged ? { unloggedRefusals: unlogged } : {}),
    });
    return payload;
  });
}
