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
 * `scp`: additive, as in Entra: every scope granted to the client on the resource (by the user or
 * an admin) besides those requested. Graph tokens also carry the OIDC scopes (Graph permissions in
 * Entra), never offline_access.
 */
export function scopeClaim(directory: Directory, tenantId: string, clientId: string, userId: string, request: ScopeRequest): string[] {
  const resourceScopes = grantedResourceScopes(directory, tenantId, clientId, userId, request);
  if (request.resource.appId !== GRAPH_APP_ID) return resourceScopes;
  const granted = directory.consents.grantedScopes(tenantId, clientId, GRAPH_APP_ID, userId);
  const oidc = [...new Set([...request.oidc, ...[...granted].filter((s) => OIDC_SCOPES.has(s)).sort()])];
  return [...new Set([...resourceScopes, ...oidc])].filter((s) => s !== 'offline_access');
}

/**
 * The requested strings echoed back (MSAL matches on them), never offline_access, then the other
 * granted scopes the token carries (named like the request's, e.g. `https://graph.microsoft.com/User.Read`),
 * so a client's cache knows what the token is good for. OIDC scopes are Graph permissions: echoed
 * only when the token is for Graph, as Entra does.
 */
export function scopeEcho(request: ScopeRequest, scp: string[]): string {
  const graph = request.resource.appId === GRAPH_APP_ID;
  const echoed = request.requested.filter((s) => (graph ? s.toLowerCase() !== 'offline_access' : !OIDC_SCOPES.has(s.toLowerCase())));
  if (request.isDefault) return echoed.join(' ');
  const named = new Set(request.resourceScopes);
  const first = request.resourceScopeStrings[0];
  const prefix = first !== undefined && first.lastIndexOf('/') > 0 ? first.slice(0, first.lastIndexOf('/') + 1) : graph ? '' : `${request.resource.servicePrincipalNames[0] ?? request.resource.appId}/`;
  const extra = scp.filter((s) => !OIDC_SCOPES.has(s) && !named.has(s)).map((s) => `${prefix}${s}`);
  return [...echoed, ...extra].join(' ');
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
  const scp = scopeClaim(deps.directory, tenantId, client.clientId, user.id, request);
  const accessToken = await mintUserAccessToken(deps, {
    tenantId,
    user,
    client: { app: client.app, acr: clientAcr(client), servicePrincipalId: issue.clientSpId },
    resource: request.resource,
    audience: accessTokenAudience(request),
    scopes: scp,
    amr: issue.amr,
    ...(issue.acrs?.length ? { acrs: issue.acrs } : {}),
    ...(issue.capabilities?.length ? { capabilities: issue.capabilities } : {}),
    ...(issue.sid ? { sid: issue.sid } : {}),
  });
  const lifetime = effectiveLifetimes(deps.directory, tenantId, client.clientId, request.resource.appId).accessTokenS;
  const body: TokenResponseBody = {
    token_type: 'Bearer',
    scope: scopeEcho(request, scp),
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
