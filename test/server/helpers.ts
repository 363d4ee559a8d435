import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildServer, type BuildServerOptions, type FacekitServer } from '../../src/server/index.ts';
import { MemoryKeyStore, type KeyStore } from '../../src/server/keys/store.ts';
import { ServerMetrics } from '../../src/server/metrics.ts';
import { FakeFaceService } from './fake-service.ts';

export interface Harness {
  app: FacekitServer;
  url: string;
  service: FakeFaceService;
  keyStore: KeyStore;
  dir: string;
  close(): Promise<void>;
}

/** A server on 127.0.0.1, an ephemeral port, the fake service and a temp dir for files. */
export async function startHarness(over: Partial<BuildServerOptions> = {}, keyStore: KeyStore = new MemoryKeyStore()): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'facekit-server-'));
  const metrics = over.metrics ?? new ServerMetrics();
  const service = (over.service as FakeFaceService | undefined) ?? new FakeFaceService({ onInference: metrics.observeInference });
  const app = await buildServer({ host: '127.0.0.1', port: 0, auditLog: join(dir, 'audit.jsonl'), ...over, service, keyStore, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return {
    app, service, keyStore, dir, url: `http://127.0.0.1:${addr.port}`,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small solid-colour PNG; different colours give different bytes, so the fake tells them apart. */
export async function png(rgb: [number, number, number], size = 64): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

export function dataUrl(buf: Buffer, mime = 'image/png'): string {
  return `data:${mime};base64,${buf.toString('base64')}`;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A Buffer as a multipart file part. */
export function blob(buf: Buffer, type = 'image/png'): Blob {
  return new Blob([new Uint8Array(buf)], { type });
}
