import { randomUUID } from 'node:crypto';
import type { Application } from './types.ts';

/** An app registration with Graph's defaults for every property not given (as a new portal registration). */
export function newApplication(fields: Partial<Application> & Pick<Application, 'appId' | 'displayName'>): Application {
  return {
    id: randomUUID(),
    signInAudience: 'AzureADMyOrg',
    identifierUris: [],
    api: { requestedAccessTokenVersion: null, oauth2PermissionScopes: [] },
    appRoles: [],
    web: { redirectUris: [], logoutUrl: null, implicitGrantSettings: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false } },
    spa: { redirectUris: [] },
    publicClient: { redirectUris: [] },
    isFallbackPublicClient: false,
    requiredResourceAccess: [],
    passwordCredentials: [],
    keyCredentials: [],
    groupMembershipClaims: null,
    ...fields,
  };
}
