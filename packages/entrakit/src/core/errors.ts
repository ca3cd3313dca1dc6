/**
 * Every error entrakit raises on purpose carries a stable `code` (listed in docs/errors.md) so
 * callers and tests can branch on it without parsing messages.
 */
export class EntrakitError extends Error {
  readonly code: string;
  /** HTTP status the error maps to when it reaches an HTTP boundary. */
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options: { status?: number; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EntrakitError';
    this.code = code;
    this.status = options.status ?? 500;
    if (options.details) this.details = options.details;
  }
}

export function isEntrakitError(value: unknown, code?: string): value is EntrakitError {
  return value instanceof EntrakitError && (code === undefined || value.code === code);
}
