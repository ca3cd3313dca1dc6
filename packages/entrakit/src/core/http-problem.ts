import { isLibraryErrorCode } from './codes.ts';
import { isEntrakitError } from './errors.ts';
import type { ChallengeParams } from './errors.ts';

/** An error as an HTTP answer: `{error, error_description}` JSON plus the Bearer challenge. */
export interface HttpProblem {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string } & Record<string, string>;
}

export interface HttpProblemOptions {
  /** The `realm` of WWW-Authenticate challenges. */
  realm: string;
}

const MAX_DESCRIPTION = 200;

/**
 * The one renderer for errors that reach an HTTP client. 4xx answers carry the OAuth error and the
 * message (entrakit's messages are fixed text plus claim names, never token values) and, when the
 * code challenges, `WWW-Authenticate: Bearer ...` (RFC 6750 section 3). Library 5xx answers say
 * only that the request could not be completed: their messages name internal URLs. An
 * application's own 5xx codes show their message (the application wrote it for clients). Anything
 * that is not an EntrakitError is a bug: 500 `server_error` with nothing about the cause (the
 * caller logs it).
 */
export function httpProblem(error: unknown, options: HttpProblemOptions): HttpProblem {
  if (!isEntrakitError(error)) {
    return { status: 500, headers: {}, body: { error: 'server_error', error_description: 'The server failed to handle the request' } };
  }
  const status = error.status;
  const library = isLibraryErrorCode(error.code);
  if (status >= 500) {
    const description = !library
      ? error.message
      : error.code === 'JWKS_UNREACHABLE' || error.code.startsWith('DISCOVERY_')
        ? 'The access token could not be validated right now'
        : 'The server failed to handle the request';
    return { status, headers: {}, body: { ...error.bodyFields, error: error.oauthError ?? 'server_error', error_description: description } };
  }
  const oauthError = error.oauthError ?? fallbackError(status);
  const headers: Record<string, string> = {};
  if (error.challenge) {
    // No credentials at all: RFC 6750 3.1 says the challenge carries no error code.
    const withError = error.oauthError !== undefined;
    headers['WWW-Authenticate'] = formatBearerChallenge(options.realm, {
      ...error.challenge,
      ...(withError ? { error: error.oauthError } : {}),
      // Entra's claims challenge carries no description; the JSON body has it.
      ...(withError && error.oauthError !== 'insufficient_claims' ? { errorDescription: error.message } : {}),
    });
  }
  return { status, headers, body: { ...error.bodyFields, error: oauthError, error_description: error.message.slice(0, 500) } };
}

function fallbackError(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  return 'invalid_request';
}

/**
 * `Bearer realm="api", error="invalid_token", error_description="..."`, then `scope` (with
 * insufficient_scope) and `claims`. Values are restricted to the characters RFC 6750 allows inside
 * quotes (no `"`, `\`, control or non-ASCII characters), so nothing can break out of the quoted
 * string or inject another header line.
 */
export function formatBearerChallenge(realm: string, params: ChallengeParams & { error?: string; errorDescription?: string } = {}): string {
  const parts = [`realm="${quotedSafe(realm)}"`];
  if (params.authorizationUri) parts.push(`authorization_uri="${quotedSafe(params.authorizationUri)}"`);
  if (params.error) parts.push(`error="${quotedSafe(params.error)}"`);
  if (params.error && params.errorDescription) {
    parts.push(`error_description="${quotedSafe(params.errorDescription).slice(0, MAX_DESCRIPTION)}"`);
  }
  const scopes = (params.scope ?? []).map(scopeTokenSafe).filter((scope) => scope !== '');
  if (params.error === 'insufficient_scope' && scopes.length > 0) parts.push(`scope="${scopes.join(' ')}"`);
  if (params.claims) parts.push(`claims="${params.claims.replace(/[^A-Za-z0-9+/=]/g, '')}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** NQSCHAR: %x20-21 / %x23-5B / %x5D-7E. */
function quotedSafe(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
}

/** scope-token: %x21 / %x23-5B / %x5D-7E (no spaces). */
function scopeTokenSafe(value: string): string {
  return value.replace(/[^\x21\x23-\x5b\x5d-\x7e]/g, '');
}
