import { EntrakitError } from '../errors.ts';
import type { TokenErrorCode } from '../codes.ts';

export type { TokenErrorCode };

/**
 * Messages are fixed text plus claim *names* only: they end up in WWW-Authenticate headers and
 * logs, so they never echo values taken from the token.
 */
export function tokenError(
  code: TokenErrorCode,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): EntrakitError<TokenErrorCode> {
  return new EntrakitError(code, message, options);
}

/** The keys could not be obtained, so nothing can be verified: fail closed with a server error. */
export function jwksUnreachable(cause: unknown): EntrakitError<'JWKS_UNREACHABLE'> {
  return new EntrakitError('JWKS_UNREACHABLE', 'The signing keys could not be loaded; the token was not accepted', { cause });
}
