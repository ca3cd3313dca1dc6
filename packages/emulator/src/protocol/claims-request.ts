import { isPlainObject } from 'entrakit/internal';
import type { Directory } from '../directory/directory.ts';
import { AUTH_CONTEXT_ID } from 'entrakit/internal';
import { AadError } from './aad-error.ts';

/**
 * What a `claims` request parameter (OIDC Core 5.5) asks of the access token, as Entra reads it:
 * - `acrs` (essential, value or values): authentication contexts c1..c99 to satisfy;
 * - `xms_cc` (values): client capabilities; "CP1" declares the client handles CAE claims challenges
 *   (MSAL's clientCapabilities merges it in);
 * - `nbf` (essential, value): the token must come from a sign-in no older than this (seconds), as
 *   sent in a CAE challenge.
 * Anything else is accepted and ignored, as Entra does with claims it does not act on.
 */
export interface ClaimsRequest {
  acrs: string[];
  capabilities: string[];
  /** Seconds since the epoch. */
  notBefore?: number;
}

export const EMPTY_CLAIMS: ClaimsRequest = { acrs: [], capabilities: [] };

function stringsOf(entry: Record<string, unknown>): string[] {
  const values: unknown[] = [];
  if (entry['value'] !== undefined) values.push(entry['value']);
  if (Array.isArray(entry['values'])) values.push(...(entry['values'] as unknown[]));
  return values.filter((v): v is string => typeof v === 'string' && v.length <= 64);
}

/** Parses the parameter; not JSON or not an object is AADSTS9002313 (malformed request). */
export function parseClaimsRequest(text: string | undefined): ClaimsRequest {
  if (text === undefined) return EMPTY_CLAIMS;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!isPlainObject(value)) throw new AadError(9002313, "Invalid request. The 'claims' parameter is not a valid JSON object.");
  const accessToken = value['access_token'];
  if (!isPlainObject(accessToken)) return EMPTY_CLAIMS;
  const result: ClaimsRequest = { acrs: [], capabilities: [] };
  const acrs = accessToken['acrs'];
  if (isPlainObject(acrs)) result.acrs = [...new Set(stringsOf(acrs).filter((v) => AUTH_CONTEXT_ID.test(v)))].sort();
  const cc = accessToken['xms_cc'];
  if (isPlainObject(cc)) result.capabilities = [...new Set(stringsOf(cc).map((v) => v.toLowerCase()))].sort();
  const nbf = accessToken['nbf'];
  if (isPlainObject(nbf)) {
    const n = Number(stringsOf(nbf)[0] ?? nbf['value']);
    if (Number.isSafeInteger(n) && n > 0) result.notBefore = n;
  }
  return result;
}

/** Merges two requests (a grant's remembered contexts and capabilities plus a new request's). */
export function mergeClaims(a: Pick<ClaimsRequest, 'acrs' | 'capabilities'>, b: Pick<ClaimsRequest, 'acrs' | 'capabilities'>): { acrs: string[]; capabilities: string[] } {
  return { acrs: [...new Set([...a.acrs, ...b.acrs])].sort(), capabilities: [...new Set([...a.capabilities, ...b.capabilities])].sort() };
}

/** CP1: the client handles claims challenges, so it gets CAE tokens (`xms_cc`) and revocation challenges. */
export const isCaeCapable = (capabilities: readonly string[]): boolean => capabilities.includes('cp1');

/**
 * Whether a sign-in with these methods (`amr`) satisfies the contexts. A context the tenant does not
 * define has no policy behind it, so it is satisfied (Entra then still lists it in `acrs`).
 */
export function needsMfa(directory: Directory, tenantId: string, acrs: readonly string[], amr: readonly string[]): boolean {
  if (amr.includes('mfa')) return false;
  return acrs.some((id) => directory.stepUp.context(tenantId, id)?.requireMfa === true);
}

/** AADSTS50076 as Entra words it; at the token endpoint it is invalid_grant + suberror basic_action + the claims to send to /authorize. */
export function mfaRequired(resource: string, options: { tokenEndpoint: boolean; claims?: string }): AadError {
  const message = `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resource}'.`;
  return options.tokenEndpoint
    ? new AadError(50076, message, { error: 'invalid_grant', suberror: 'basic_action', ...(options.claims ? { claims: options.claims } : {}) })
    : new AadError(50076, message, { error: 'interaction_required' });
}
