import type { Directory } from '../directory/directory.ts';
import type { Application, User } from '../directory/types.ts';
import type { KeyRing } from '../keys/signing-keys.ts';
import { v2Issuer } from '../protocol/tenant.ts';
import { groupClaims, userRoles } from './directory-claims.ts';
import { opaqueClaim, pairwiseSubject } from './identifiers.ts';
import { effectiveLifetimes } from './lifetimes.ts';
import { signToken } from './sign.ts';
import { faultyClaims, faultyToken } from '../token-faults.ts';
import type { TokenFaults } from '../token-faults.ts';

export interface IdTokenInput {
  tenantId: string;
  user: User;
  client: Application;
  /** From /authorize; absent on refreshes (OIDC: nonce only in the first ID token). */
  nonce?: string;
  /** SSO session id; absent for tokens minted outside an interactive session (OBO). */
  sid?: string;
  /** The `profile` scope was asked: name, preferred_username and oid. */
  profile: boolean;
  /** The `email` scope was asked. */
  email: boolean;
  /** Authentication methods of the sign-in (pwd, mfa); absent for tokens without a sign-in. */
  amr?: string[];
  /** Hybrid flow: hash of the code returned with this ID token. */
  cHash?: string;
  /** Implicit flow: hash of the access token returned with this ID token. */
  atHash?: string;
}

/**
 * A v2 ID token as Entra issues it: aud = client id, pairwise sub, ver "2.0", no auth_time by
 * default. `openid` alone gives sub and the token basics; `profile` adds name, preferred_username
 * and oid; `email` adds email.
 */
export async function mintIdToken(deps: IdTokenDeps, input: IdTokenInput): Promise<string> {
  const claims = idTokenClaims(deps, input);
  // Test-only hook: an admin-requested fault (token-faults.ts) spoils this token; none by default.
  const fault = deps.tokenFaults?.takeIdTokenFault(input.client.appId);
  if (fault) return faultyToken(await signToken(deps.keys, faultyClaims(claims, fault)), fault);
  return signToken(deps.keys, claims);
}

type IdTokenDeps = { directory: Directory; keys: KeyRing; publicUrl: string; clock: () => number; tokenFaults?: TokenFaults };

/** The claims of an ID token, before signing (the admin token endpoint starts from these). */
export function idTokenClaims(deps: IdTokenDeps, input: IdTokenInput): Record<string, unknown> {
  const now = Math.floor(deps.clock() / 1000);
  const { user, tenantId, client } = input;
  // The app's own app roles assigned to the user (directly or through a group) ride in its ID token.
  const clientSp = client.appRoles.length > 0 ? deps.directory.findServicePrincipalByAppId(tenantId, client.appId) : undefined;
  const roles = clientSp ? userRoles(deps.directory, clientSp, user.id) : [];
  const claims: Record<string, unknown> = {
    aud: client.appId,
    iss: v2Issuer(deps.publicUrl, tenantId),
    iat: now,
    nbf: now,
    exp: now + effectiveLifetimes(deps.directory, tenantId, client.appId).idTokenS,
    aio: opaqueClaim(48),
    ...(input.amr?.length ? { amr: input.amr } : {}),
    ...(input.atHash ? { at_hash: input.atHash } : {}),
    ...(input.cHash ? { c_hash: input.cHash } : {}),
    ...(input.email && user.mail ? { email: user.mail } : {}),
    ...groupClaims(deps.directory, deps.publicUrl, client.groupMembershipClaims, user.id),
    ...(input.profile ? { name: user.displayName } : {}),
    ...(input.nonce ? { nonce: input.nonce } : {}),
    ...(input.profile ? { oid: user.id, preferred_username: user.userPrincipalName } : {}),
    rh: opaqueClaim(24),
    ...(roles.length > 0 ? { roles } : {}),
    ...(input.sid ? { sid: input.sid } : {}),
    sub: pairwiseSubject(tenantId, user.id, client.appId),
    tid: tenantId,
    uti: opaqueClaim(16),
    ver: '2.0',
  };
  return claims;
}
