import { AadError } from '../protocol/aad-error.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { authenticateClient, clientServicePrincipalId, requireClientCredential } from '../client-auth/authenticate-client.ts';
import { requireConsent } from './consent-check.ts';
import { activeUser, delegatedTokenResponse } from '../tokens/delegated-response.ts';
import { refreshLifetimeOf } from '../tokens/lifetimes.ts';
import { createRefreshTokens } from './refresh-token-store.ts';
import { verifyUserAssertion } from './user-assertion.ts';
import type { GrantContext, TokenResponseBody } from './grant-context.ts';
import { checkRedemptionOrigin } from './cross-origin.ts';
import { credentialStamp } from './credential-stamp.ts';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * On-behalf-of: an API (confidential client) trades the user's token it received for a token to a
 * downstream resource, for the same user. The API needs consent for the downstream scopes (65001).
 */
export async function onBehalfOfGrant(context: GrantContext): Promise<TokenResponseBody> {
  const { deps, form } = context;
  const client = await authenticateClient(context);
  requireClientCredential(client);
  checkRedemptionOrigin(false, context.origin);
  const use = form.require('requested_token_use');
  if (use !== 'on_behalf_of') throw new AadError(9002313, `Invalid request. requested_token_use must be 'on_behalf_of', not '${use.slice(0, 64)}'.`);
  const assertion = form.require('assertion');
  const scope = form.require('scope');

  const subject = await verifyUserAssertion(context, client.app, assertion);
  const clientSpId = clientServicePrincipalId(context, client, subject.tenantId);
  const user = activeUser(deps.directory, subject.tenantId, subject.userId);
  const request = parseScopes(deps.directory, subject.tenantId, scope);
  requireConsent(deps.directory, subject.tenantId, client.app, user.id, request);

  let refreshToken: string | undefined;
  if (request.oidc.has('offline_access')) {
    const refreshTokens = createRefreshTokens(deps.state, deps.clock, context.options.refreshTokenReuse, refreshLifetimeOf(deps.directory));
    ({ token: refreshToken } = await refreshTokens.startFamily({
      clientId: client.clientId,
      tenantId: subject.tenantId,
      userId: user.id,
      scope,
      amr: subject.amr,
      confidential: true,
      spa: false,
      credentialStamp: credentialStamp(deps.directory, user.id),
    }));
  }
  return delegatedTokenResponse(deps, {
    tenantId: subject.tenantId,
    client,
    clientSpId,
    user,
    request,
    amr: subject.amr,
    ...(refreshToken ? { refreshToken } : {}),
  });
}
