import { isEntrakitError } from '../core/errors.ts';
import { buildWwwAuthenticate } from './www-authenticate.ts';
import type { BearerChallenge } from './www-authenticate.ts';

export interface BearerErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
}

/**
 * The HTTP answer for an authentication failure, independent of any framework. Client errors
 * carry the RFC 6750 challenge; server-side failures (keys or discovery unreachable) say only that
 * the token could not be validated, without internal detail.
 */
export function bearerErrorResponse(error: unknown, realm: string): BearerErrorResponse {
  const status = isEntrakitError(error) ? error.status : 500;
  const challenge = isEntrakitError(error) ? ((error.details?.['challenge'] as BearerChallenge | undefined) ?? fallbackChallenge(status)) : undefined;
  if (status >= 500 || !challenge) {
    return {
      status: status >= 500 ? status : 500,
      headers: {},
      body: {
        error: status === 503 ? 'temporarily_unavailable' : 'server_error',
        error_description: 'The access token could not be validated right now',
      },
    };
  }
  const headers: Record<string, string> = { 'WWW-Authenticate': buildWwwAuthenticate(realm, challenge) };
  return {
    status,
    headers,
    body: {
      error: challenge.error ?? 'unauthorized',
      error_description: challenge.errorDescription ?? 'A bearer access token is required',
    },
  };
}

/** For 4xx errors raised without a challenge (e.g. by a custom authenticator): a fixed, safe one. */
function fallbackChallenge(status: number): BearerChallenge | undefined {
  if (status === 400) return { error: 'invalid_request', errorDescription: 'The request is malformed' };
  if (status === 401) return { error: 'invalid_token', errorDescription: 'The access token is not valid' };
  if (status === 403) return { error: 'insufficient_scope', errorDescription: 'The access token does not grant access' };
  return undefined;
}
