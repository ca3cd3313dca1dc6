import { AadError } from '../protocol/aad-error.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { OIDC_SCOPES } from '../protocol/microsoft-resources.ts';
import { accessTokenAudience, mintAppAccessToken } from '../tokens/access-token.ts';
import { authenticateClient, clientAcr, clientServicePrincipalId, requireClientCredential } from '../client-auth/authenticate-client.ts';
import { effectiveLifetimes } from '../tokens/lifetimes.ts';
import type { GrantContext, TokenResponseBody } from './grant-context.ts';
import { checkRedemptionOrigin } from './cross-origin.ts';

/**
 * client_credentials: a confidential client, a tenant-specific authority, and exactly one
 * `{resource}/.default` (the OIDC scopes MSAL appends are ignored). The token's `roles` are the app
 * roles assigned to the client's service principal; the body has no scope and no refresh token.
 */
export async function clientCredentialsGrant(context: GrantContext): Promise<TokenResponseBody> {
  const { deps, form } = context;
  const client = await authenticateClient(context);
  requireClientCredential(client);
  checkRedemptionOrigin(false, context.origin);
  if (context.authority.kind !== 'tenant') {
    throw new AadError(50059, 'No tenant-identifying information found in either the request or implied by any provided credentials. Use a tenant-specific authority for client credentials.');
  }
  const tenantId = context.authority.tenant.id;
  const clientSpId = clientServicePrincipalId(context, client, tenantId);
  const scope = form.require('scope');
  const named = scope.split(' ').filter((s) => s !== '' && !OIDC_SCOPES.has(s.toLowerCase()));
  if (named.length === 0 || named.some((s) => !s.endsWith('/.default'))) {
    throw new AadError(
      1002012,
      `The provided value for scope ${scope.slice(0, 200)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const request = parseScopes(deps.directory, tenantId, named.join(' '));
  const accessToken = await mintAppAccessToken(deps, {
    tenantId,
    client: { app: client.app, acr: clientAcr(client), servicePrincipalId: clientSpId },
    resource: request.resource,
    audience: accessTokenAudience(request),
  });
  const lifetime = effectiveLifetimes(deps.directory, tenantId, client.app.appId, request.resource.appId).accessTokenS;
  return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
}
