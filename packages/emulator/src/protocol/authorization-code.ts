import { sha256Base64Url } from 'entrakit/internal';

/** Entra's authorization codes live about 10 minutes. */
export const CODE_TTL_MS = 10 * 60_000;

/**
 * What the authorize endpoint remembers for a code, stored in `state` under codeKey(code) and
 * taken (single use) by the authorization_code grant.
 */
export interface AuthorizationCodeRecord {
  clientId: string;
  /** Exactly as sent to /authorize; the token request must repeat it byte for byte. */
  redirectUri: string;
  tenantId: string;
  userId: string;
  /** The `scope` parameter as sent to /authorize. */
  scope: string;
  nonce?: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256';
  /** SSO session id, becomes the `sid` claim. */
  sid: string;
  /** Seconds since the epoch of the interactive sign-in (`auth_time`). */
  authTime: number;
  amr: string[];
  /** Authentication contexts the sign-in satisfied (`acrs`). */
  acrs?: string[];
  /** Client capabilities from the `claims` parameter ('cp1': CAE-capable). */
  capabilities?: string[];
  issuedAt: number;
}

/** Codes are stored by hash, so a leaked state database does not leak redeemable codes. */
export function codeKey(code: string): string {
  return `code:${sha256Base64Url(code)}`;
}

/** After redemption: remembers which refresh-token family the code produced, to revoke it on reuse. */
export function redeemedCodeKey(code: string): string {
  return `code-redeemed:${sha256Base64Url(code)}`;
}
