/**
 * Every error code the entrakit library raises, with the HTTP status it answers and, where it
 * reaches an HTTP client, its OAuth / RFC 6750 `error`. `EntrakitError` takes its status from
 * here, and `httpProblem` renders the body and the WWW-Authenticate challenge from here, so a code
 * means the same on every path. docs/errors.md lists the same codes (a test keeps them in step).
 */

/** OAuth 2.0 / RFC 6750 / Entra `error` values an HTTP client may receive. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_claims'
  | 'server_error'
  | 'temporarily_unavailable';

export interface ErrorCodeEntry {
  /** HTTP status when the error reaches an HTTP boundary. */
  readonly status: number;
  /** The `error` of the JSON body (and of the challenge). Absent: the error is not meant for HTTP clients. */
  readonly oauthError?: OAuthErrorCode;
  /** The answer carries a `WWW-Authenticate: Bearer` challenge (RFC 6750 section 3). */
  readonly challenge?: true;
}

const invalidToken = { status: 401, oauthError: 'invalid_token', challenge: true } as const;
const insufficientScope = { status: 403, oauthError: 'insufficient_scope', challenge: true } as const;

/** Token refusals (src/core/tokens): the caller must get a new token. */
const TOKEN_CODES = {
  TOKEN_MALFORMED: invalidToken,
  TOKEN_TOO_LARGE: invalidToken,
  TOKEN_ALG_NOT_ALLOWED: invalidToken,
  TOKEN_SIGNATURE_INVALID: invalidToken,
  TOKEN_KEY_NOT_FOUND: invalidToken,
  TOKEN_ISSUER_INVALID: invalidToken,
  TOKEN_AUDIENCE_INVALID: invalidToken,
  TOKEN_EXPIRED: invalidToken,
  TOKEN_NOT_YET_VALID: invalidToken,
  TOKEN_TENANT_NOT_ALLOWED: invalidToken,
  TOKEN_CLAIM_MISSING: invalidToken,
  TOKEN_NOT_ACCESS_TOKEN: invalidToken,
  /** ID tokens only (web sign-in): never a bearer answer. */
  TOKEN_NONCE_MISMATCH: { status: 401 },
} as const satisfies Record<string, ErrorCodeEntry>;

export const ERROR_CODES = {
  ...TOKEN_CODES,
  // Keys and discovery (src/core/discovery): nothing can be verified, fail closed.
  JWKS_UNREACHABLE: { status: 503, oauthError: 'temporarily_unavailable' },
  DISCOVERY_UNREACHABLE: { status: 503, oauthError: 'temporarily_unavailable' },
  DISCOVERY_INVALID: { status: 502, oauthError: 'server_error' },
  // Bearer policy (src/bearer).
  /** RFC 6750 3.1: no credentials, so the challenge carries no error code. */
  BEARER_TOKEN_MISSING: { status: 401, challenge: true },
  BEARER_REQUEST_INVALID: { status: 400, oauthError: 'invalid_request', challenge: true },
  BEARER_INSUFFICIENT_SCOPE: insufficientScope,
  BEARER_PRINCIPAL_NOT_ALLOWED: insufficientScope,
  BEARER_CLAIM_REQUIRED: insufficientScope,
  /** Step-up: the token lacks the route's authentication context (Entra claims challenge). */
  BEARER_AUTH_CONTEXT_REQUIRED: { status: 401, oauthError: 'insufficient_claims', challenge: true },
  /** A bug (not an EntrakitError) while authenticating: logged with this code, answered 500. */
  BEARER_INTERNAL_ERROR: { status: 500, oauthError: 'server_error' },
  // Stores (src/store).
  STORE_CLOSED: { status: 500 },
  SESSION_NOT_FOUND: { status: 401 },
  STORE_UNAVAILABLE: { status: 503 },
  STORE_LOCK_TIMEOUT: { status: 503 },
  TOKEN_CACHE_DECRYPT_FAILED: { status: 500 },
  USER_CLAIMS_INCOMPLETE: { status: 401 },
  // Web sign-in (src/web).
  IDP_UNREACHABLE: { status: 502 },
  IDP_RESPONSE_INVALID: { status: 502 },
  /** 502 when MSAL failed; raised with status 400 when the token endpoint refused the code. */
  SIGNIN_CODE_REDEMPTION_FAILED: { status: 502 },
  IDP_UNAVAILABLE: { status: 503 },
  SIGNIN_TRANSACTION_MISSING: { status: 400 },
  SIGNIN_TRANSACTION_NOT_FOUND: { status: 400 },
  SIGNIN_STATE_MISSING: { status: 400 },
  SIGNIN_STATE_MISMATCH: { status: 400 },
  SIGNIN_IDP_ERROR: { status: 400 },
  SIGNIN_CODE_MISSING: { status: 400 },
  SIGNIN_REQUIRED: { status: 401 },
  CSRF_ORIGIN_MISMATCH: { status: 403 },
  CSRF_TOKEN_INVALID: { status: 403 },
  INTERACTION_REQUIRED: { status: 401 },
  STEP_UP_REQUIRED: { status: 401 },
  TOKEN_ACQUISITION_FAILED: { status: 502 },
  GROUPS_OVERAGE_FAILED: { status: 502 },
} as const satisfies Record<string, ErrorCodeEntry>;

/** Every code the library raises: a closed union, derived from the table. */
export type EntrakitErrorCode = keyof typeof ERROR_CODES;
/** Why a token was refused (every one a 401 on the bearer path), derived from the same table. */
export type TokenErrorCode = keyof typeof TOKEN_CODES;

export function isLibraryErrorCode(code: string): code is EntrakitErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** The table entry of a library code, or undefined for codes an app defines. */
export function errorCodeEntry(code: string): ErrorCodeEntry | undefined {
  return isLibraryErrorCode(code) ? ERROR_CODES[code] : undefined;
}
