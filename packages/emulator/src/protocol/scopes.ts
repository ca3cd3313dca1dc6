import type { Directory } from '../directory/directory.ts';
import type { ServicePrincipal } from '../directory/types.ts';
import { GRAPH_APP_ID, OIDC_SCOPES } from './microsoft-resources.ts';
import { AadError } from './aad-error.ts';

/** A `scope` parameter, resolved the way Entra does it. */
export interface ScopeRequest {
  /** The strings the client sent, in order, without duplicates (echoed back in `scope`). */
  requested: string[];
  /** openid, profile, email, offline_access: they shape the response, not the access token's resource. */
  oidc: Set<string>;
  /** The one resource the access token is for (Graph when only OIDC scopes or bare names were asked). */
  resource: ServicePrincipal;
  /** Short scope values on the resource, e.g. `User.Read`, `user_impersonation`. Empty for `.default`. */
  resourceScopes: string[];
  /** `{resource}/.default` was asked: everything already granted to the client. */
  isDefault: boolean;
  /** The strings naming resource scopes, as sent (e.g. `api://x/user_impersonation`), for the response's `scope`. */
  resourceScopeStrings: string[];
}

/**
 * Resolves scopes: a bare value means Microsoft Graph; otherwise the resource is what precedes the
 * last `/`. One resource per request (AADSTS70011), unknown resources are AADSTS500011.
 */
export function parseScopes(directory: Directory, tenantId: string, scopeParam: string | undefined): ScopeRequest {
  const requested = [...new Set((scopeParam ?? '').split(' ').map((s) => s.trim()).filter(Boolean))];
  const oidc = new Set(requested.filter((s) => OIDC_SCOPES.has(s.toLowerCase())).map((s) => s.toLowerCase()));
  const others = requested.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()));
  let resourceId: string | undefined;
  const names: string[] = [];
  for (const scope of others) {
    const slash = scope.lastIndexOf('/');
    const identifier = slash > 0 ? scope.slice(0, slash) : GRAPH_APP_ID;
    const name = slash > 0 ? scope.slice(slash + 1) : scope;
    if (!name) throw new AadError(70011, `The provided value for the input parameter 'scope' is not valid. The scope '${scope.slice(0, 200)}' is not valid.`);
    const resource = directory.findResource(tenantId, identifier);
    if (!resource) {
      throw new AadError(
        500011,
        `The resource principal named ${identifier.slice(0, 200)} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    }
    if (resourceId !== undefined && resourceId !== resource.id) {
      throw new AadError(70011, `The provided value for the input parameter 'scope' is not valid. The scope ${requested.join(' ').slice(0, 400)} is not valid. static scope limit exceeded: scopes from more than one resource were requested.`);
    }
    resourceId = resource.id;
    names.push(name);
  }
  const resource = resourceId ? directory.objects.get('servicePrincipal', resourceId)!.value : directory.findResource(tenantId, GRAPH_APP_ID);
  if (!resource) throw new AadError(500011, `The resource principal named ${GRAPH_APP_ID} was not found in the tenant named ${tenantId}.`);
  const isDefault = names.includes('.default');
  if (isDefault && names.length > 1) {
    throw new AadError(70011, `The provided value for the input parameter 'scope' is not valid. '.default' cannot be combined with other scopes of the same resource.`);
  }
  if (!isDefault) {
    for (const name of names) {
      if (!resource.oauth2PermissionScopes.some((s) => s.value === name && s.isEnabled)) {
        throw new AadError(70011, `The provided value for the input parameter 'scope' is not valid. The scope '${name.slice(0, 200)}' does not exist on the resource '${resource.appId}'.`);
      }
    }
  }
  return {
    requested,
    oidc,
    resource,
    resourceScopes: isDefault ? [] : names,
    isDefault,
    resourceScopeStrings: others,
  };
}

/**
 * Scope values a `.default` request stands for: the delegated permissions the client's registration
 * lists for the resource (static consent).
 */
export function staticScopes(directory: Directory, clientAppId: string, resource: ServicePrincipal): string[] {
  const app = directory.findApplicationByClientId(clientAppId)?.app;
  const listed = new Set(
    (app?.requiredResourceAccess ?? []).filter((r) => r.resourceAppId === resource.appId).flatMap((r) => r.resourceAccess.filter((a) => a.type === 'Scope').map((a) => a.id)),
  );
  return resource.oauth2PermissionScopes.filter((s) => listed.has(s.id) && s.isEnabled).map((s) => s.value);
}

/**
 * Resource scopes the client may not use yet for this user: the ones named, or for `.default` the
 * registration's static permissions. Token requests check only these: the OIDC scopes MSAL adds to
 * every request (On-Behalf-Of and ROPC included) never fail a token request for want of consent.
 * A `.default` for an API the registration does not list and nobody granted is AADSTS650057.
 */
export function missingResourceConsent(directory: Directory, tenantId: string, clientAppId: string, userId: string, request: ScopeRequest): string[] {
  const granted = directory.consents.grantedScopes(tenantId, clientAppId, request.resource.appId, userId);
  if (!request.isDefault) return request.resourceScopes.filter((s) => !granted.has(s));
  const listed = staticScopes(directory, clientAppId, request.resource);
  const grantedScopes = [...granted].filter((s) => !OIDC_SCOPES.has(s));
  if (listed.length === 0 && grantedScopes.length === 0 && request.resource.appId !== GRAPH_APP_ID) {
    throw new AadError(
      650057,
      `Invalid resource. The client has requested access to a resource which is not listed in the requested permissions in the client's application registration. Client app ID: ${clientAppId}. Resource value from request: ${request.resourceScopeStrings[0]?.slice(0, 200) ?? request.resource.appId}. Resource app ID: ${request.resource.appId}.`,
    );
  }
  return listed.filter((s) => !granted.has(s));
}

/**
 * What the consent page asks: the missing resource scopes, plus `profile` and `email` (Graph
 * permissions in Entra) when not yet granted; `openid` and `offline_access` are never asked alone.
 */
export function missingConsent(directory: Directory, tenantId: string, clientAppId: string, userId: string, request: ScopeRequest): string[] {
  const missing = missingResourceConsent(directory, tenantId, clientAppId, userId, request);
  const graphGranted = directory.consents.grantedScopes(tenantId, clientAppId, GRAPH_APP_ID, userId);
  for (const s of request.oidc) if (!graphGranted.has(s) && s !== 'openid' && s !== 'offline_access') missing.push(s);
  return missing;
}

/**
 * The resource scopes that go into `scp`. Scopes are additive, as in Entra: every scope granted to
 * the client on the resource for this user (or by an admin), plus those requested (already checked
 * as granted, or about to be by the caller).
 */
export function grantedResourceScopes(directory: Directory, tenantId: string, clientAppId: string, userId: string, request: ScopeRequest): string[] {
  const granted = directory.consents.grantedScopes(tenantId, clientAppId, request.resource.appId, userId);
  const extra = [...granted].filter((s) => !OIDC_SCOPES.has(s) && !request.resourceScopes.includes(s)).sort();
  return [...request.resourceScopes, ...extra];
}
