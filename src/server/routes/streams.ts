import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isFacekitError } from '../../errors/index.js';
import { HttpError } from '../http-error.js';
import { fileUnderRoot } from '../image-root.js';
import { errorResponses, readSecurity } from '../schemas.js';
import type { RouteDeps } from './deps.js';

/**
 * Video streams watched by the server: start one from a source, follow its events as server-sent
 * events, stop it. The watching itself (ffmpeg, tracking, decisions, in worker threads) is behind
 * StreamService, which the face service may carry as `streams`; a service without one answers 501.
 */
export interface StreamService {
  start(options: StreamStartBody): Promise<unknown>;
  get(id: string): unknown;
  list(): unknown[];
  subscribe(id: string, listener: (m: { id: number; kind: string; data: unknown }) => void, afterId?: number): () => void;
  stop(id: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface StreamStartBody {
  source: string;
  detectEvery?: number;
  fps?: number;
  width?: number;
  height?: number;
  realtime?: boolean;
  spoof?: boolean;
  retries?: number;
}

/** the service's stream watcher, when it has one */
export function streamsOf(service: unknown): StreamService | null {
  const s = (service as { streams?: StreamService } | null)?.streams;
  return s && typeof s.start === 'function' ? s : null;
}

const startBody = {
  type: 'object',
  required: ['source'],
  properties: {
    source: { type: 'string', minLength: 1, maxLength: 2048, description: 'rtsp:// or http(s):// URL, camera[:N], or a file under the server\'s image root' },
    detectEvery: { type: 'integer', minimum: 1, maximum: 30 },
    fps: { type: 'number', exclusiveMinimum: 0, maximum: 120 },
    width: { type: 'integer', minimum: 16, maximum: 4096 },
    height: { type: 'integer', minimum: 16, maximum: 4096 },
    realtime: { type: 'boolean', description: 'read a file at its own frame rate, as if live' },
    spoof: { type: 'boolean' },
    retries: { type: 'integer', minimum: 0, maximum: 100 },
  },
} as const;

const stream = { type: 'object', additionalProperties: true } as const;

function isUrlOrDevice(source: string): boolean {
  return /^(rtsps?|https?):\/\//i.test(source) || /^camera(:\d+)?$/.test(source) || /^\/dev\/video\d+$/.test(source);
}

/** A file source must be a file under the image root (absent: files are refused), as deepface's image paths are. */
async function resolveSource(source: string, imageRoot: string | null): Promise<string> {
  if (isUrlOrDevice(source)) return source;
  if (/^[a-z][a-z0-9+.-]*:/i.test(source)) throw new HttpError(400, 'BAD_REQUEST', `unsupported source "${source}": use rtsp://, http(s)://, camera[:N] or a file under the image root`);
  if (!imageRoot) throw new HttpError(400, 'BAD_REQUEST', 'this server reads no files: start it with --image-root DIR to watch video files under DIR, or give a stream URL');
  const file = await fileUnderRoot(imageRoot, source);
  if ('refused' in file) throw new HttpError(400, 'BAD_REQUEST', `source ${source} was refused: ${file.refused}`);
  return file.path;
}

export function registerStreamRoutes(app: FastifyInstance, deps: RouteDeps & { streams: StreamService | null }): void {
  const open = new Set<FastifyReply>();
  const need = (): StreamService => {
    if (!deps.streams) throw new HttpError(501, 'BAD_REQUEST', 'this server does not watch video streams');
    return deps.streams;
  };

  app.post('/v1/streams', {
    config: { scope: 'write' },
    schema: {
      tags: ['streams'],
      summary: 'Start watching a video stream: faces tracked and identified, events at /v1/streams/{id}/events',
      security: readSecurity,
      body: startBody,
      response: { 201: stream, ...errorResponses },
    },
  }, async (request, reply) => {
    const s = need();
    const body = request.body as StreamStartBody;
    const source = await resolveSource(body.source, deps.imageRoot);
    if ((body.width === undefined) !== (body.height === undefined)) throw new HttpError(400, 'BAD_REQUEST', 'give both width and height, or neither');
    try {
      const started = await s.start({ ...body, source });
      return reply.code(201).send(started);
    } catch (e) {
      // a source that cannot be opened is the caller's input, not a missing route or resource
      if (isFacekitError(e) && e.code === 'NOT_FOUND') throw new HttpError(400, 'BAD_REQUEST', e.message);
      throw e;
    }
  });

  app.get('/v1/streams', {
    config: { scope: 'read' },
    schema: { tags: ['streams'], summary: 'Streams being watched (and recently finished)', security: readSecurity, response: { 200: { type: 'object', properties: { streams: { type: 'array', items: stream } } }, ...errorResponses } },
  }, async () => ({ streams: need().list() }));

  app.get('/v1/streams/:id', {
    config: { scope: 'read' },
    schema: { tags: ['streams'], summary: 'One stream: state, source size and rate, running figures', security: readSecurity, response: { 200: stream, ...errorResponses } },
  }, async (request) => need().get((request.params as { id: string }).id));

  app.get('/v1/streams/:id/events', {
    config: { scope: 'read' },
    schema: {
      tags: ['streams'],
      summary: 'Server-sent events: track_started, identified, stranger, spoof_suspected, track_ended, state, figures, end',
      description: 'Each message has an id; reconnect with Last-Event-ID (or ?after=N) to resume. The stream closes after the "end" message.',
      security: readSecurity,
      querystring: { type: 'object', properties: { after: { type: 'integer', minimum: 0 } } },
    },
  }, async (request: FastifyRequest, reply: FastifyReply) => {
    const s = need();
    const id = (request.params as { id: string }).id;
    s.get(id); // 404 before the stream starts
    const header = Number(request.headers['last-event-id']);
    const after = Number.isInteger(header) ? header : ((request.query as { after?: number }).after ?? 0);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': facekit stream events\n\n');
    open.add(reply);
    let unsubscribe: () => void = () => undefined;
    const end = () => {
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(reply);
      if (!res.writableEnded) res.end();
    };
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    keepAlive.unref();
    request.raw.on('close', end);
    unsubscribe = s.subscribe(id, (m) => {
      if (res.writableEnded) return;
      res.write(`id: ${m.id}\nevent: ${m.kind}\ndata: ${JSON.stringify(m.data)}\n\n`);
      if (m.kind === 'end') setImmediate(end);
    }, after);
  });

  app.delete('/v1/streams/:id', {
    config: { scope: 'write' },
    schema: { tags: ['streams'], summary: 'Stop watching; open tracks end and the final attendance is returned', security: readSecurity, response: { 200: stream, ...errorResponses } },
  }, async (request) => need().stop((request.params as { id: string }).id));

  app.addHook('preClose', async () => {
    for (const r of open) r.raw.end();
    open.clear();
    await deps.streams?.close();
  });
}
