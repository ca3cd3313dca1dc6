import type { Directory } from '../directory/directory.ts';
import type { User } from '../directory/types.ts';
import type { TokenDeps, TokenResponseBody } from '../grants/grant-context.ts';
import { AadError } from '../protocol/aad-error.ts';
import { grantedResourceScopes, type ScopeRequest } from '../protocol/scopes.ts';
import { GRAPH_APP_ID, OIDC_SCOPES } from '../protocol/microsoft-resources.ts';
import { accessTokenAudience, mintUserAccessToken } from './access-token.ts';
import { clientAcr, type AuthenticatedClient } from '../client-auth/authenticate-client.ts';
import { mintIdToken } from './id-token.ts';
import { clientInfo } from './identifiers.ts';
import { effectiveLifetimes } from './lifetimes.ts';

/** The signed-in user, still present and enabled (50057 otherwise; the grant is no longer good). */
export function activeUser(directory: Directory, tenantId: string, userId: string): User {
  const stored = directory.objects.get('user', userId);
  if (!stored || stored.tenantId !== tenantId) throw new AadError(70000, 'The provided grant is invalid: the user no longer exists in the tenant.');
  if (!stored.value.accountEnabled) throw new AadError(50057, 'The user account is disabled.');
  return stored.value;
}

/**
 * `scp`: the requested scopes (or, for `.default`, what was granted). Graph tokens also carry the
 * OIDC scopes, and a request naming only OIDC scopes gets every Graph scope already granted, as Entra does.
 */
export function scopeClaim(directory: Directory, tenantId: string, clientId: string, userId: string, request: ScopeRequest): string[] {
  if (request.resource.appId !== GRAPH_APP_ID) return grantedResourceScopes(directory, tenantId, clientId, userId, request);
  const oidc = [...request.oidc].filter((s) => s !== 'offline_access');
  const named = request.resourceScopeStrings.length > 0 && !request.isDefault ? request.resourceScopes : [...directory.consents.grantedScopes(tenantId, clientId, GRAPH_APP_ID, userId)].sort();
  return [...new Set([...named, ...oidc])].filter((s) => s !== 'offline_access');
}

/**
 * The requested strings echoed back (MSAL matches on them), never offline_access. OIDC scopes are
 * Graph permissions: echoed only when the token is for Graph, as Entra does.
 */
export function scopeEcho(request: ScopeRequest): string {
  const graph = request.resource.appId === GRAPH_APP_ID;
  return request.requested.filter((s) => (graph ? s.toLowerCase() !== 'offline_access' : !OIDC_SCOPES.has(s.toLowerCase()))).join(' ');
}

export interface DelegatedIssue {
  tenantId: string;
  client: AuthenticatedClient;
  clientSpId: string;
  user: User;
  request: ScopeRequest;
  amr: string[];
  /** Authentication contexts satisfied (`acrs`). */
  acrs?: string[];
  /** Client capabilities ('cp1' gives CAE tokens for CAE-capable resources). */
  capabilities?: string[];
  sid?: string;
  nonce?: string;
  /** Already minted by the grant (new family or rotation); only returned with offline_access or on refresh. */
  refreshToken?: string;
}

/** Token response of delegated grants: access token, ID token with openid, refresh token, client_info. */
export async function delegatedTokenResponse(deps: TokenDeps, issue: DelegatedIssue): Promise<TokenResponseBody> {
  const { tenantId, user, request, client } = issue;
  const accessToken = await mintUserAccessToken(deps, {
    tenantId,
    user,
    client: { app: client.app, acr: clientAcr(client), servicePrincipalId: issue.clientSpId },
    resource: request.resource,
    audience: accessTokenAudience(request),
    scopes: scopeClaim(deps.directory, tenantId, client.clientId, user.id, request),
    amr: issue.amr,
    ...(issue.acrs?.length ? { acrs: issue.acrs } : {}),
    ...(issue.capabilities?.length ? { capabilities: issue.capabilities } : {}),
    ...(issue.sid ? { sid: issue.sid } : {}),
  });
  const lifetime = effectiveLifetimes(deps.directory, tenantId, client.clientId, request.resource.appId).accessTokenS;
  const body: TokenResponseBody = {
    token_type: 'Bearer',
    scope: scopeEcho(request),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
  };
  if (issue.refreshToken) body['refresh_token'] = issue.refreshToken;
  if (request.oidc.has('openid')) {
    body['id_token'] = await mintIdToken(deps, {
      tenantId,
      user,
      client: client.app,
      profile: request.oidc.has('profile'),
      email: request.oidc.has('email'),
      amr: issue.amr,
      ...(issue.nonce ? { nonce: issue.nonce } : {}),
      ...(issue.sid ? { sid: issue.sid } : {}),
    });
  }
  body['client_info'] = clientInfo(user.id, tenantId);
  return body;
}
