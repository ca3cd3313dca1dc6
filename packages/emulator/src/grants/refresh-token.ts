import type { User } from '../directory/types.ts';
import { AadError } from '../protocol/aad-error.ts';
import { parseScopes, type ScopeRequest } from '../protocol/scopes.ts';
import { authenticateClient, clientServicePrincipalId, requireClientCredential } from '../client-auth/authenticate-client.ts';
import { requireConsent } from './consent-check.ts';
import { activeUser, delegatedTokenResponse } from '../tokens/delegated-response.ts';
import { refreshLifetimeOf } from '../tokens/lifetimes.ts';
import { createRefreshTokens, revokedFamily, type RefreshTokenRecord } from './refresh-token-store.ts';
import { credentialStamp } from './credential-stamp.ts';
import type { GrantContext, TokenResponseBody } from './grant-context.ts';
import { checkRedemptionOrigin } from './cross-origin.ts';
import { grantClaims } from './step-up-claims.ts';

/**
 * refresh_token: every redemption rotates (a new refresh token comes back); reuse handling follows
 * options.refreshTokenReuse. Like Entra, a refresh token also redeems for another resource the user
 * consented to: `scope` picks it. Everything is checked before the token is consumed, so a refused
 * request (wrong client, missing consent) does not cost the caller its refresh token.
 */
export async function refreshTokenGrant(context: GrantContext): Promise<TokenResponseBody> {
  const { deps, form } = context;
  const client = await authenticateClient(context);
  const presented = form.require('refresh_token');
  const refreshTokens = createRefreshTokens(deps.state, deps.clock, context.options.refreshTokenReuse, refreshLifetimeOf(deps.directory));

  // Filled in by the check callback (the cast keeps TypeScript from narrowing it to undefined).
  let checked = undefined as { clientSpId: string; user: User; request: ScopeRequest; claims: { acrs: string[]; capabilities: string[] } } | undefined;
  const { record, next } = await refreshTokens.rotate(presented, (r: RefreshTokenRecord) => {
    if (r.clientId !== client.clientId) throw new AadError(70000, 'The provided grant is invalid: the refresh token was issued to a different client.');
    if (context.authority.kind === 'tenant' && context.authority.tenant.id !== r.tenantId) {
      throw new AadError(70000, 'The provided grant is invalid: the refresh token was issued for a different tenant.');
    }
    checkRedemptionOrigin(r.spa, context.origin);
    if (r.confidential) requireClientCredential(client);
    const clientSpId = clientServicePrincipalId(context, client, r.tenantId);
    const user = activeUser(deps.directory, r.tenantId, r.userId);
    if (r.credentialStamp !== undefined && r.credentialStamp !== credentialStamp(deps.directory, user.id)) throw revokedFamily(r.familyStartedAt);
    // Graph's revokeSignInSessions voids every refresh token issued before it (AADSTS50173).
    const revokedAt = deps.directory.revokedAt(user.id);
    if (revokedAt !== undefined && r.familyStartedAt < revokedAt) throw revokedFamily(r.familyStartedAt);
    const request = parseScopes(deps.directory, r.tenantId, form.get('scope') ?? r.scope);
    requireConsent(deps.directory, r.tenantId, client.app, user.id, request);
    const claims = grantClaims(deps.directory, r.tenantId, r, form.get('claims'), r.amr, request.resource.appId);
    checked = { clientSpId, user, request, claims };
    return claims;
  });
  if (!checked) throw new Error('refresh token check did not run');
  return delegatedTokenResponse(deps, {
    tenantId: record.tenantId,
    client,
    clientSpId: checked.clientSpId,
    user: checked.user,
    request: checked.request,
    amr: record.amr,
    acrs: checked.claims.acrs,
    capabilities: checked.claims.capabilities,
    ...(record.sid ? { sid: record.sid } : {}),
    refreshToken: next,
  });
}
