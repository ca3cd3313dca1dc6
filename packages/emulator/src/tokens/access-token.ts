import type { Directory } from '../directory/directory.ts';
import type { Application, ServicePrincipal, User } from '../directory/types.ts';
import type { KeyRing } from '../keys/signing-keys.ts';
import type { ScopeRequest } from '../protocol/scopes.ts';
import { v1Issuer, v2Issuer } from '../protocol/tenant.ts';
import { GRAPH_APP_ID } from '../protocol/microsoft-resources.ts';
import { applicationRoles, groupClaims, userRoles } from './directory-claims.ts';
import { opaqueClaim, pairwiseSubject } from './identifiers.ts';
import { effectiveLifetimes } from './lifetimes.ts';
import { signToken } from './sign.ts';

type MintDeps = { directory: Directory; keys: KeyRing; publicUrl: string; clock: () => number };

/** The client a token is issued to, and how it proved itself ('0' public, '1' secret, '2' certificate). */
export interface TokenClient {
  /** The app (or, for a managed identity, its service principal): only its ids and name go in tokens. */
  app: Pick<Application, 'appId' | 'displayName'>;
  acr: '0' | '1' | '2';
  /** The client's service principal in the token's tenant (oid/sub of app-only tokens). */
  servicePrincipalId: string;
}

/**
 * `aud` of an access token: v2 resources always get their appId GUID (also when asked as
 * `api://...`); v1 resources get the identifier exactly as requested, minus trailing slashes, and
 * their appId when only bare scope names (Graph) were asked, as Entra does.
 */
export function accessTokenAudience(request: ScopeRequest): string {
  if (request.resource.accessTokenVersion === 2) return request.resource.appId;
  const first = request.resourceScopeStrings[0];
  const slash = first?.lastIndexOf('/') ?? -1;
  return first && slash > 0 ? first.slice(0, slash).replace(/\/+$/, '') : request.resource.appId;
}

function commonClaims(deps: MintDeps, tenantId: string, resource: ServicePrincipal, audience: string, clientId: string): Record<string, unknown> {
  const now = Math.floor(deps.clock() / 1000);
  const lifetime = effectiveLifetimes(deps.directory, tenantId, clientId, resource.appId).accessTokenS;
  const v2 = resource.accessTokenVersion === 2;
  return {
    aud: v2 ? resource.appId : audience,
    iss: v2 ? v2Issuer(deps.publicUrl, tenantId) : v1Issuer(tenantId),
    iat: now,
    nbf: now,
    exp: now + lifetime,
    aio: opaqueClaim(48),
  };
}

function clientClaims(resource: ServicePrincipal, client: TokenClient): Record<string, unknown> {
  return resource.accessTokenVersion === 2
    ? { azp: client.app.appId, azpacr: client.acr }
    : { app_displayname: client.app.displayName, appid: client.app.appId, appidacr: client.acr };
}

const sign = (deps: MintDeps, resource: ServicePrincipal, claims: Record<string, unknown>): Promise<string> =>
  signToken(deps.keys, claims, { x5t: resource.accessTokenVersion === 1, graphNonce: resource.appId === GRAPH_APP_ID });

export interface UserAccessTokenInput {
  tenantId: string;
  user: User;
  client: TokenClient;
  resource: ServicePrincipal;
  audience: string;
  /** Short scope names for `scp`. */
  scopes: string[];
  amr: string[];
  /** Authentication contexts the sign-in satisfied (`acrs`). */
  acrs?: string[];
  /** Client capabilities; 'cp1' makes a CAE token (`xms_cc`) for CAE-capable resources (Graph). */
  capabilities?: string[];
  sid?: string;
}

/** Delegated access token in the resource's format (v1 for Graph/Storage, v2 for APIs that ask for it). */
export async function mintUserAccessToken(deps: MintDeps, input: UserAccessTokenInput): Promise<string> {
  return sign(deps, input.resource, userAccessTokenClaims(deps, input));
}

/** Signs access-token claims as the resource expects (v1 `x5t`, Graph's header nonce). */
export function signAccessToken(deps: MintDeps, resource: ServicePrincipal, claims: Record<string, unknown>): Promise<string> {
  return sign(deps, resource, claims);
}

/** The claims of a delegated access token, before signing (the admin token endpoint starts from these). */
export function userAccessTokenClaims(deps: MintDeps, input: UserAccessTokenInput): Record<string, unknown> {
  const { user, resource, tenantId } = input;
  const roles = userRoles(deps.directory, resource, user.id);
  const resourceApp = deps.directory.findApplicationByClientId(resource.appId)?.app;
  // Directory roles (`wids`): always in Graph's tokens, elsewhere when the resource asks for roles.
  const wids = deps.directory.directoryRoles.templateIds(user.id);
  const widsClaim = wids.length > 0 && (resource.appId === GRAPH_APP_ID || ['All', 'DirectoryRole'].includes(resourceApp?.groupMembershipClaims ?? '')) ? { wids: [...wids] } : {};
  // CAE: Graph is CAE-capable; its token says the client handles claims challenges (and may then
  // be refused before expiry after revokeSignInSessions). Other resources would have to ask for xms_cc.
  const cae = resource.appId === GRAPH_APP_ID && input.capabilities?.length ? { xms_cc: input.capabilities } : {};
  const stepUp = {
    ...(input.acrs?.length ? { acrs: input.acrs } : {}),
    amr: input.amr,
  };
  const subject = {
    name: user.displayName,
    oid: user.id,
    rh: opaqueClaim(24),
    ...(roles.length > 0 ? { roles } : {}),
    scp: input.scopes.join(' '),
    ...(input.sid ? { sid: input.sid } : {}),
    // Pairwise per user and client, like the ID token, so userinfo can answer the same `sub`.
    sub: pairwiseSubject(tenantId, user.id, input.client.app.appId),
    tid: tenantId,
    ...widsClaim,
  };
  const groups = groupClaims(deps.directory, deps.publicUrl, resourceApp?.groupMembershipClaims ?? null, user.id);
  const claims =
    resource.accessTokenVersion === 2
      ? {
          ...commonClaims(deps, tenantId, resource, input.audience, input.client.app.appId),
          ...stepUp,
          ...clientClaims(resource, input.client),
          ...groups,
          ...subject,
          preferred_username: user.userPrincipalName,
          uti: opaqueClaim(16),
          ver: '2.0',
          ...cae,
        }
      : {
          ...commonClaims(deps, tenantId, resource, input.audience, input.client.app.appId),
          acr: '1',
          ...stepUp,
          ...clientClaims(resource, input.client),
          ...(user.surname ? { family_name: user.surname } : {}),
          ...(user.givenName ? { given_name: user.givenName } : {}),
          ...groups,
          idtyp: 'user',
          ...subject,
          unique_name: user.userPrincipalName,
          upn: user.userPrincipalName,
          uti: opaqueClaim(16),
          ver: '1.0',
          ...cae,
        };
  return claims;
}

export interface AppAccessTokenInput {
  tenantId: string;
  client: TokenClient;
  resource: ServicePrincipal;
  audience: string;
  /** Managed identities: the Azure resource id the token stands for (`xms_mirid`). */
  managedIdentityResourceId?: string;
}

/** App-only (client credentials) token: roles assigned to the client's SP, no scp; oid = sub = SP id. */
export async function mintAppAccessToken(deps: MintDeps, input: AppAccessTokenInput): Promise<string> {
  return sign(deps, input.resource, appAccessTokenClaims(deps, input));
}

/** The claims of an app-only access token, before signing. */
export function appAccessTokenClaims(deps: MintDeps, input: AppAccessTokenInput): Record<string, unknown> {
  const { resource, tenantId, client } = input;
  const roles = applicationRoles(deps.directory, resource, client.servicePrincipalId);
  const v2 = resource.accessTokenVersion === 2;
  const claims = {
    ...commonClaims(deps, tenantId, resource, input.audience, input.client.app.appId),
    ...clientClaims(resource, client),
    ...(v2 ? {} : { idp: v1Issuer(tenantId) }),
    idtyp: 'app',
    oid: client.servicePrincipalId,
    rh: opaqueClaim(24),
    ...(roles.length > 0 ? { roles } : {}),
    sub: client.servicePrincipalId,
    tid: tenantId,
    uti: opaqueClaim(16),
    ver: v2 ? '2.0' : '1.0',
    ...(input.managedIdentityResourceId ? { xms_mirid: input.managedIdentityResourceId } : {}),
  };
  return claims;
}
