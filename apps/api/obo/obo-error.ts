import { Buffer } from 'node:buffer';
import type { EntrakitError } from 'entrakit';
import { apiError } from '../http/api-error.ts';

interface MsalErrorShape {
  errorCode?: unknown;
  errorMessage?: unknown;
  subError?: unknown;
  errorNo?: unknown;
  status?: unknown;
  claims?: unknown;
}

const UNREACHABLE_CODES = new Set(['temporarily_unavailable', 'server_error', 'network_error', 'endpoints_resolution_error', 'openid_config_error', 'post_request_failed', 'get_request_failed']);

/**
 * Turns an MSAL On-Behalf-Of failure into the answer the API's caller can act on:
 * - a claims challenge (MFA, conditional access): 401 `insufficient_claims` with the claims,
 *   base64 in WWW-Authenticate as Entra-protected APIs send them, so the client can re-authenticate;
 * - AADSTS65001 (consent missing): 403 `consent_required`;
 * - any other invalid_grant (assertion expired, revoked): 401 `invalid_token`;
 * - the identity provider unreachable or failing: 502; our own client refused: 502.
 */
export function oboFailure(error: unknown, options: { realm: string; authority: string }): EntrakitError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as MsalErrorShape;
  const code = typeof e.errorCode === 'string' ? e.errorCode : '';
  const message = typeof e.errorMessage === 'string' ? e.errorMessage : '';
  const subError = typeof e.subError === 'string' ? e.subError : '';
  const errorNo = typeof e.errorNo === 'string' || typeof e.errorNo === 'number' ? String(e.errorNo) : '';
  const aadsts = errorNo !== '' ? errorNo : /AADSTS(\d+)/.exec(message)?.[1];
  const status = typeof e.status === 'number' ? e.status : undefined;
  const summary = entraSummary(code, message);
  const authorizationUri = `${options.authority}/oauth2/v2.0/authorize`;

  if (typeof e.claims === 'string' && e.claims.trim() !== '') {
    const description = `Entra requires more claims for the downstream token (${summary}); acquire a new token with these claims`;
    const claims = Buffer.from(e.claims, 'utf8').toString('base64');
    return apiError('OBO_CLAIMS_CHALLENGE', description, {
      status: 401,
      error: 'insufficient_claims',
      challenge: { authorizationUri, claims },
      bodyFields: { claims: e.claims },
      cause: error,
    });
  }
  if (aadsts === '65001' || subError === 'consent_required' || code === 'consent_required') {
    const description = `The user has not consented to what this API needs downstream (${summary}); sign in again and grant consent`;
    return apiError('OBO_CONSENT_REQUIRED', description, { status: 403, error: 'consent_required', challenge: { authorizationUri }, cause: error });
  }
  if (code === 'invalid_grant' || code === 'interaction_required' || code === 'login_required') {
    const description = `The access token could not be exchanged On-Behalf-Of (${summary}); acquire a new token`;
    return apiError('OBO_INVALID_GRANT', description, { status: 401, error: 'invalid_token', challenge: { authorizationUri }, cause: error });
  }
  if (UNREACHABLE_CODES.has(code) || (status !== undefined && (status >= 500 || status === 429))) {
    const description = `The identity provider could not be reached for On-Behalf-Of (${summary})`;
    return apiError('OBO_UNREACHABLE', description, { status: 502, error: 'identity_provider_unavailable', cause: error });
  }
  const description = `The identity provider refused the API's On-Behalf-Of request (${summary})`;
  return apiError('OBO_FAILED', description, { status: 502, error: 'obo_failed', cause: error });
}

/** `invalid_grant: AADSTS65001: text`, without Entra's trace and correlation ids or MSAL's framing. */
function entraSummary(code: string, message: string): string {
  const described = /AADSTS\d+:.*/.exec(message)?.[0] ?? /Description: (.*)/.exec(message)?.[1] ?? message;
  const text = described.split(/\s+Trace ID:|\s+- Correlation ID:|\r?\n/)[0]?.trim() ?? '';
  const joined = [code, text].filter((part) => part !== '').join(': ');
  return (joined || 'no details').slice(0, 240);
}
