import type { User } from '../directory/types.ts';
import { AadError } from '../protocol/aad-error.ts';
import { mfaRequired } from '../protocol/claims-request.ts';
import { parseScopes } from '../protocol/scopes.ts';
import { authenticateClient, clientServicePrincipalId, requireClientCredential } from '../client-auth/authenticate-client.ts';
import { requireConsent } from './consent-check.ts';
import { delegatedTokenResponse } from '../tokens/delegated-response.ts';
import { createRefreshTokens } from './refresh-token-store.ts';
import { refreshLifetimeOf } from '../tokens/lifetimes.ts';
import type { GrantContext, TokenResponseBody } from './grant-context.ts';
import { checkRedemptionOrigin } from './cross-origin.ts';
import { credentialStamp } from './credential-stamp.ts';
import { grantClaims } from './step-up-claims.ts';

const MAX_FIELD = 256;
const PASSWORD_AMR = ['pwd'];

/** The user in the authority's tenant, or (common/organizations) in the tenant their UPN's domain names. */
function findUser(context: GrantContext, username: string): { user: User; tenantId: string } | undefined {
  const { directory } = context.deps;
  if (context.authority.kind !== 'tenant') return directory.findUserAnywhere(username) ?? directory.findUserAnywhere(username.toLowerCase());
  const tenantId = context.authority.tenant.id;
  const user = directory.findUserByUsername(tenantId, username) ?? directory.findUserByUsername(tenantId, username.toLowerCase());
  return user ? { user, tenantId } : undefined;
}

/**
 * Resource owner password credentials (`grant_type=password`), for accounts that need no
 * interaction. A public client needs "Allow public client flows" (isFallbackPublicClient); any other
 * client must authenticate (7000218). The checks follow Entra's order: the password (50034 unknown
 * user, 50126 wrong password), then the account (50057), then MFA (50076), then consent (65001),
 * which ROPC cannot ask for.
 */
export async function passwordGrant(context: GrantContext): Promise<TokenResponseBody> {
  const { deps, form } = context;
  const client = await authenticateClient(context);
  if (!client.app.isFallbackPublicClient) requireClientCredential(client);
  checkRedemptionOrigin(false, context.origin);
  const username = form.require('username').trim().slice(0, MAX_FIELD);
  const password = form.require('password').slice(0, MAX_FIELD);
  const scope = form.require('scope');

  const found = findUser(context, username);
  // Always hash, so the response time does not tell which usernames exist.
  const valid = await deps.directory.credentials.verifyPassword(found?.user.id ?? '', password);
  if (!found) {
    const tenant = context.authority.kind === 'tenant' ? context.authority.tenant.id : (username.split('@')[1] ?? context.authority.segment);
    throw new AadError(50034, `The user account ${username.slice(0, 128)} does not exist in the ${tenant.slice(0, 128)} directory. To sign into this application, the account must be added to the directory.`);
  }
  if (!valid) throw new AadError(50126, 'Error validating credentials due to invalid username or password.');
  const { user, tenantId } = found;
  if (!user.accountEnabled) throw new AadError(50057, 'The user account is disabled.');

  const clientSpId = clientServicePrincipalId(context, client, tenantId);
  const request = parseScopes(deps.directory, tenantId, scope);
  // A user who must always give a second factor cannot use a grant that has no place to ask for it.
  if (deps.directory.stepUp.mfaMethod(user.id)?.required) throw mfaRequired(request.resource.appId, { tokenEndpoint: true });
  const claims = grantClaims(deps.directory, tenantId, {}, form.get('claims'), PASSWORD_AMR, request.resource.appId);
  requireConsent(deps.directory, tenantId, client.app, user.id, request);

  let refreshToken: string | undefined;
  if (request.oidc.has('offline_access')) {
    const refreshTokens = createRefreshTokens(deps.state, deps.clock, context.options.refreshTokenReuse, refreshLifetimeOf(deps.directory));
    ({ token: refreshToken } = await refreshTokens.startFamily({
      clientId: client.clientId,
      tenantId,
      userId: user.id,
      scope,
      amr: PASSWORD_AMR,
      acrs: claims.acrs,
      capabilities: claims.capabilities,
      confidential: client.method !== 'none',
      spa: false,
      credentialStamp: credentialStamp(deps.directory, user.id),
    }));
  }
  return delegatedTokenResponse(deps, {
    tenantId,
    client,
    clientSpId,
    user,
    request,
    amr: PASSWORD_AMR,
    acrs: claims.acrs,
    capabilities: claims.capabilities,
    ...(refreshToken ? { refreshToken } : {}),
  });
}
