import type { FastifyError, FastifyInstance } from 'fastify';
import { isFacekitError, type ErrorCode } from '../../errors/index.js';
import { HttpError } from '../http-error.js';

/** Status for each library error code; bad input is the client's (4xx), the rest is ours (500). */
const STATUS: Record<ErrorCode, number> = {
  BAD_IMAGE: 400,
  BAD_ARGUMENT: 400,
  NO_FACE: 400,
  MANY_FACES: 400,
  SPOOF: 400,
  LOW_QUALITY: 422,
  IMAGE_TOO_LARGE: 413,
  MODEL_NOT_FOUND: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  MODEL_SOURCE_MISSING: 500,
  MISSING_DEPENDENCY: 501,
  MODEL_SOURCE_CORRUPT: 500,
  UNSUPPORTED_OP: 500,
  STORE_ERROR: 500,
  TIMEOUT: 503,
  INTERNAL: 500,
};

export interface ErrorBody {
  /** details: what a client can act on without parsing the message (LOW_QUALITY: the photo's quality score and reasons) */
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function statusForCode(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

function codeForStatus(status: number): string {
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 404) return 'ROUTE_NOT_FOUND';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 503) return 'UNAVAILABLE';
  return 'BAD_REQUEST';
}

/** Turns any thrown value into a status, headers and the one JSON error shape. */
export function toErrorResponse(err: unknown): { status: number; headers: Record<string, string>; body: ErrorBody; internal: boolean } {
  if (err instanceof HttpError) {
    return { status: err.statusCode, headers: err.headers, body: { error: { code: err.code, message: err.message } }, internal: false };
  }
  if (isFacekitError(err)) {
    const status = statusForCode(err.code);
    // 5xx library errors can carry paths or connection strings: log them, tell the client less
    const message = status >= 500 ? 'internal error; see the server log' : err.message;
    const details = err.code === 'LOW_QUALITY' && err.details ? { details: err.details } : {};
    return { status, headers: {}, body: { error: { code: err.code, message, ...details } }, internal: status >= 500 };
  }
  const fe = err as Partial<FastifyError> & { validation?: unknown };
  if (fe && fe.validation) {
    return { status: 400, headers: {}, body: { error: { code: 'BAD_ARGUMENT', message: fe.message ?? 'invalid request' } }, internal: false };
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, headers: {}, body: { error: { code: codeForStatus(status), message: fe.message ?? 'bad request' } }, internal: false };
  }
  if (status === 503) {
    return { status, headers: {}, body: { error: { code: 'UNAVAILABLE', message: fe.message ?? 'unavailable' } }, internal: false };
  }
  return { status: 500, headers: {}, body: { error: { code: 'INTERNAL', message: 'internal error; see the server log' } }, internal: true };
}

export function installErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const r = toErrorResponse(err);
    if (r.internal) request.log.error({ err }, 'request failed');
    reply.code(r.status).headers(r.headers).type('application/json').send(r.body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).type('application/json').send({ error: { code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
}
