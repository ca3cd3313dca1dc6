import type { Directory } from '../directory/directory.ts';
import { mergeClaims, mfaRequired, needsMfa, parseClaimsRequest } from '../protocol/claims-request.ts';

/** The contexts and capabilities a grant remembers (code or refresh token). */
export interface GrantClaims {
  acrs?: string[];
  capabilities?: string[];
}

/** The claims request an app must send to /authorize to satisfy these contexts. */
function contextClaims(acrs: string[]): string {
  const acrsRequest = acrs.length === 1 ? { essential: true, value: acrs[0] } : { essential: true, values: acrs };
  return JSON.stringify({ access_token: { acrs: acrsRequest } });
}

/**
 * A token request's `claims` against what the grant satisfied. New contexts that the grant's
 * methods (`amr`) already meet are added; one that needs a second factor the sign-in did not give
 * cannot be met without the user: Entra answers 400 invalid_grant AADSTS50076 with suberror
 * `basic_action` (MSAL: InteractionRequiredAuthError) and `claims` to send to /authorize.
 */
export function grantClaims(directory: Directory, tenantId: string, remembered: GrantClaims, claimsText: string | undefined, amr: readonly string[], resourceAppId: string): { acrs: string[]; capabilities: string[] } {
  const asked = parseClaimsRequest(claimsText);
  const satisfied = remembered.acrs ?? [];
  const missing = asked.acrs.filter((a) => !satisfied.includes(a));
  if (needsMfa(directory, tenantId, missing, amr)) throw mfaRequired(resourceAppId, { tokenEndpoint: true, claims: contextClaims(missing) });
  return mergeClaims({ acrs: satisfied, capabilities: remembered.capabilities ?? [] }, asked);
}
