/**
 * Failures the HTTP layer itself raises (auth, limits, queue), with the status and headers they
 * need. Library failures stay FacekitError and are mapped in plugins/errors.ts.
 */
export type HttpErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'PROTECTED_MODE'
  | 'RATE_LIMITED'
  | 'TOO_MANY_AUTH_FAILURES'
  | 'QUEUE_FULL'
  | 'CLIENT_GONE'
  | 'SHUTTING_DOWN'
  | 'PAYLOAD_TOO_LARGE'
  | 'ROUTE_NOT_FOUND'
  | 'BAD_REQUEST';

export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: HttpErrorCode;
  readonly headers: Record<string, string>;
  constructor(statusCode: number, code: HttpErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = headers;
  }
}
