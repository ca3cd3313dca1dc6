import { errorCodeEntry } from './codes.ts';
import type { EntrakitErrorCode, OAuthErrorCode } from './codes.ts';

/** Parameters of the RFC 6750 challenge beyond realm and error (see `httpProblem`). */
export interface ChallengeParams {
  /** Scopes that would satisfy the request (insufficient_scope), space-separated in the header. */
  scope?: readonly string[];
  /** Base64 claims request of an Entra claims challenge (insufficient_claims). */
  claims?: string;
  /** Where the client gets a new token: Entra's `authorization_uri` parameter. */
  authorizationUri?: string;
}

interface CommonOptions {
  cause?: unknown;
  /** Extra facts for logs and callers (never rendered to HTTP clients). */
  details?: Record<string, unknown>;
  challenge?: ChallengeParams;
}

/** A library code: status and OAuth error come from the table in codes.ts. */
export interface LibraryErrorOptions extends CommonOptions {
  /** Only where one code answers two ways (e.g. an IdP refusal vs an IdP failure). */
  status?: number;
}

/** A code an application defines (not in the library's table): it states its own status. */
export interface AppErrorOptions extends CommonOptions {
  status: number;
  /** The OAuth-style `error` of the HTTP body (snake_case), e.g. `consent_required`. */
  oauthError?: string;
  /** Extra string fields of the HTTP body, e.g. `claims`. */
  bodyFields?: Record<string, string>;
}

/**
 * Every error entrakit raises on purpose carries a stable `code` (listed in docs/errors.md) so
 * callers and tests can branch on it without parsing messages. Library codes come from the typed
 * table in codes.ts: `LibraryError` (`EntrakitError<EntrakitErrorCode>`) carries exactly those, a
 * closed union, so `switch (error.code)` is checked for exhaustiveness. Applications may raise their
 * own codes with an explicit status; such an error's type names its code (`EntrakitError<'MY_CODE'>`).
 */
export class EntrakitError<Code extends string = string> extends Error {
  readonly code: Code;
  /** HTTP status the error maps to when it reaches an HTTP boundary. */
  readonly status: number;
  /** The OAuth `error` an HTTP client receives, when the error is meant for one. */
  readonly oauthError?: Code extends EntrakitErrorCode ? OAuthErrorCode : string;
  /** The answer carries a WWW-Authenticate Bearer challenge with these parameters. */
  readonly challenge?: ChallengeParams;
  readonly bodyFields?: Readonly<Record<string, string>>;
  readonly details?: Record<string, unknown>;

  constructor(code: Code & EntrakitErrorCode, message: string, options?: LibraryErrorOptions);
  constructor(code: Code, message: string, options: AppErrorOptions);
  constructor(code: Code, message: string, options: Partial<AppErrorOptions> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EntrakitError';
    this.code = code;
    const entry = errorCodeEntry(code);
    this.status = options.status ?? entry?.status ?? 500;
    const oauthError = entry ? entry.oauthError : options.oauthError;
    if (oauthError !== undefined) this.oauthError = oauthError as typeof this.oauthError;
    // Library codes challenge when the table says so; app codes when they give challenge params.
    if (entry?.challenge || options.challenge) this.challenge = Object.freeze({ ...options.challenge });
    if (options.bodyFields) this.bodyFields = Object.freeze({ ...options.bodyFields });
    if (options.details) this.details = options.details;
  }
}

/** An error the library raised: its code is one of the table's. */
export type LibraryError = EntrakitError<EntrakitErrorCode>;

/** True for an EntrakitError whose code is in the library's table (narrowed to that union). */
export function isLibraryError(value: unknown): value is LibraryError {
  return value instanceof EntrakitError && errorCodeEntry(value.code) !== undefined;
}

/** Any EntrakitError, library or application code. */
export function isEntrakitError(value: unknown): value is EntrakitError<string>;
/** An EntrakitError with this code, typed as such. */
export function isEntrakitError<Code extends string>(value: unknown, code: Code): value is EntrakitError<Code>;
export function isEntrakitError(value: unknown, code?: string): boolean {
  return value instanceof EntrakitError && (code === undefined || value.code === code);
}
