import { EntrakitError } from '../errors.ts';

/** Every reason a token is refused; each maps to HTTP 401 (the caller must get a new token; codes.ts). */
export type TokenErrorCode =
  | 'TOKEN_MALFORMED'
  | 'TOKEN_TOO_LARGE'
  | 'TOKEN_ALG_NOT_ALLOWED'
  | 'TOKEN_SIGNATURE_INVALID'
  | 'TOKEN_KEY_NOT_FOUND'
  | 'TOKEN_ISSUER_INVALID'
  | 'TOKEN_AUDIENCE_INVALID'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_NONCE_MISMATCH'
  | 'TOKEN_TENANT_NOT_ALLOWED'
  | 'TOKEN_CLAIM_MISSING'
  | 'TOKEN_NOT_ACCESS_TOKEN';

/**
 * Messages are fixed text plus claim *names* only: they end up in WWW-Authenticate headers and
 * logs, so they never echo values taken from the token.
 */
export function tokenError(
  code: TokenErrorCode,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): EntrakitError {
  return new EntrakitError(code, message, options);
}

/** The keys could not be obtained, so nothing can be verified: fail closed with a server error. */
export function jwksUnreachable(cause: unknown): EntrakitError {
  return new EntrakitError('JWKS_UNREACHABLE', 'The signing keys could not be loaded; the token was not accepted', { cause });
}
