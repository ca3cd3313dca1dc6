import { EntrakitError } from 'entrakit';

/** A provisioning failure with a stable code (listed in docs/errors.md); the message says what to fix. */
export function provisionError(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}): EntrakitError {
  return new EntrakitError(code, message, { status: 400, ...options });
}
