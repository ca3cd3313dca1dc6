/** RFC 6750 section 3 error codes. A request without any token gets no error code at all. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface BearerChallenge {
  error?: BearerErrorCode;
  errorDescription?: string;
  /** Scopes that would satisfy the request, space-separated in the header. */
  scope?: readonly string[];
}

const MAX_DESCRIPTION = 200;

/**
 * `Bearer realm="api", error="invalid_token", error_description="..."`. Values are restricted to
 * the characters RFC 6750 allows inside quotes (no `"`, `\`, control or non-ASCII characters), so
 * nothing can break out of the quoted string or inject another header line.
 */
export function buildWwwAuthenticate(realm: string, challenge: BearerChallenge = {}): string {
  const params = [`realm="${quotedSafe(realm)}"`];
  if (challenge.error) params.push(`error="${challenge.error}"`);
  if (challenge.error && challenge.errorDescription) {
    params.push(`error_description="${quotedSafe(challenge.errorDescription).slice(0, MAX_DESCRIPTION)}"`);
  }
  const scopes = (challenge.scope ?? []).map(scopeTokenSafe).filter((scope) => scope !== '');
  if (challenge.error === 'insufficient_scope' && scopes.length > 0) params.push(`scope="${scopes.join(' ')}"`);
  return `Bearer ${params.join(', ')}`;
}

/** NQSCHAR: %x20-21 / %x23-5B / %x5D-7E. */
function quotedSafe(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
}

/** scope-token: %x21 / %x23-5B / %x5D-7E (no spaces). */
function scopeTokenSafe(value: string): string {
  return value.replace(/[^\x21\x23-\x5b\x5d-\x7e]/g, '');
}
