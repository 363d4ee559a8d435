/**
 * Every failure a user can cause or meet carries a stable `code`, so the CLI, the server and
 * library callers can react to it without parsing messages. Shells catch FacekitError once and
 * print `message`; anything else is a bug and keeps its stack.
 */
export type ErrorCode =
  | 'BAD_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'NO_FACE'
  | 'MANY_FACES'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_SOURCE_MISSING'
  | 'MODEL_SOURCE_CORRUPT'
  | 'UNSUPPORTED_OP'
  | 'BAD_ARGUMENT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'STORE_ERROR'
  | 'SPOOF'
  /** a photo below the enrollment quality bar (details: image, score, reasons); force overrides */
  | 'LOW_QUALITY'
  | 'MISSING_DEPENDENCY'
  /** work that outran its deadline and was abandoned */
  | 'TIMEOUT'
  | 'INTERNAL';

export class FacekitError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'FacekitError';
    this.code = code;
    this.details = details;
  }
}

export function isFacekitError(e: unknown): e is FacekitError {
  return e instanceof FacekitError;
}
