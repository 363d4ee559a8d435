import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
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
}

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

export function installAudit(app: FastifyInstance, log: AuditLog | null): void {
  app.decorateRequest('auditTarget', null);
  if (!log) return;
  app.addHook('onSend', async (request, reply, payload) => {
    const scope = request.routeOptions.config?.scope;
    if (scope !== 'write' && scope !== 'admin') return payload;
    log.write({
      time: new Date().toISOString(),
      keyId: request.apiKey?.id ?? null,
      keyName: request.apiKey?.name ?? null,
      ip: request.ip,
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      target: { ...(request.params as Record<string, unknown> | undefined), ...(request.auditTarget ?? {}) },
      status: reply.statusCode,
    });
    return payload;
  });
}
