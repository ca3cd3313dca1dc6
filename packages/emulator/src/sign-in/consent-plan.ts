import type { Directory } from '../directory/directory.ts';
import type { PermissionScope, ServicePrincipal } from '../directory/types.ts';
import { missingConsent, parseScopes, staticScopes } from '../protocol/scopes.ts';
import { GRAPH_APP_ID, OIDC_SCOPES } from '../protocol/microsoft-resources.ts';
import type { ConsentPermission } from '../views/consent-page.ts';
import type { AuthorizeRequest } from './authorize-request.ts';
import type { SsoSession } from './sso-session.ts';

/** What the user would grant on the consent page; empty `permissions` means nothing to ask. */
export interface ConsentPlan {
  resource: ServicePrincipal;
  /** Scope values to grant on the resource. */
  resourceScopes: string[];
  /** OIDC scopes to grant on Microsoft Graph (where Entra keeps them). */
  oidcScopes: string[];
  permissions: ConsentPermission[];
  /** Scopes only an administrator may grant (type 'Admin'), among those asked. */
  adminOnly: string[];
}

function describe(scope: PermissionScope | undefined, value: string, resource: ServicePrincipal | undefined): ConsentPermission {
  return {
    displayName: scope?.userConsentDisplayName ?? scope?.adminConsentDisplayName ?? value,
    description: scope?.userConsentDescription ?? scope?.adminConsentDescription ?? value,
    resourceName: resource?.displayName ?? 'Microsoft Graph',
  };
}

/**
 * The scopes the user has not granted yet (all requested ones with prompt=consent). Throws the
 * scope errors of parseScopes (AADSTS70011, 500011) for the user's tenant.
 */
export function consentPlan(directory: Directory, request: AuthorizeRequest, session: SsoSession, options: { askAll: boolean }): ConsentPlan {
  const scopes = parseScopes(directory, session.tenantId, request.scope);
  const missing = new Set(missingConsent(directory, session.tenantId, request.clientId, session.userId, scopes));
  const asked = (value: string) => options.askAll || missing.has(value);
  // `.default` asks for the registration's static permissions on the resource.
  const wanted = scopes.isDefault ? staticScopes(directory, request.clientId, scopes.resource) : scopes.resourceScopes;
  const resourceScopes = wanted.filter(asked);
  const anythingAsked = resourceScopes.length > 0 || [...scopes.oidc].some((s) => missing.has(s)) || (options.askAll && scopes.oidc.size > 0);
  // openid and offline_access are never "missing", but Entra lists them whenever it asks at all.
  const oidcScopes = anythingAsked ? [...scopes.oidc] : [];
  const graph = directory.findServicePrincipalByAppId(session.tenantId, GRAPH_APP_ID);
  const resourceScope = (value: string) => scopes.resource.oauth2PermissionScopes.find((s) => s.value === value);
  const granted = directory.consents.grantedScopes(session.tenantId, request.clientId, scopes.resource.appId, session.userId);
  return {
    resource: scopes.resource,
    resourceScopes,
    oidcScopes,
    permissions: [
      ...resourceScopes.map((v) => describe(resourceScope(v), v, scopes.resource)),
      ...oidcScopes.filter((v) => OIDC_SCOPES.has(v)).map((v) => describe(graph?.oauth2PermissionScopes.find((s) => s.value === v), v, graph)),
    ],
    adminOnly: resourceScopes.filter((v) => resourceScope(v)?.type === 'Admin' && !granted.has(v)),
  };
}

/** Records the user's consent (Graph's oauth2PermissionGrants for this principal). */
export function grantConsent(directory: Directory, clientAppId: string, session: SsoSession, plan: ConsentPlan): void {
  if (plan.resourceScopes.length > 0) directory.consents.grant(session.tenantId, clientAppId, plan.resource.appId, session.userId, plan.resourceScopes);
  if (plan.oidcScopes.length > 0) directory.consents.grant(session.tenantId, clientAppId, GRAPH_APP_ID, session.userId, plan.oidcScopes);
}
