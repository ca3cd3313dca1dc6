import { createHash, X509Certificate } from 'node:crypto';
import type { Application, KeyCredential, ServicePrincipal } from '../directory/types.ts';

/**
 * Graph's full application and service principal JSON. Properties the emulator does not model are
 * present with Graph's defaults, so SDK models and scripts that read them see what Entra sends.
 */

/** Fields another part of the emulator may add to `web`/`spa`; read loosely, defaulted here. */
type WebExtras = { homePageUrl?: string | null; redirectUriSettings?: unknown[] };

function certificateDates(key: KeyCredential): { startDateTime: string | null; endDateTime: string | null } {
  try {
    const cert = new X509Certificate(Buffer.from(key.key, 'base64'));
    return { startDateTime: new Date(cert.validFrom).toISOString(), endDateTime: new Date(cert.validTo).toISOString() };
  } catch {
    return { startDateTime: null, endDateTime: null };
  }
}

/** Graph never returns the certificate itself (`key` is null on reads). */
export function keyCredentialJson(key: KeyCredential): Record<string, unknown> {
  return {
    customKeyIdentifier: key.customKeyIdentifier,
    displayName: key.displayName,
    ...certificateDates(key),
    key: null,
    keyId: key.keyId,
    type: key.type,
    usage: key.usage,
  };
}

/** The SHA-1 thumbprint Graph reports as a certificate's customKeyIdentifier. */
export function certificateThumbprint(der: Buffer): string {
  return createHash('sha1').update(der).digest('hex').toUpperCase();
}

export function applicationJson(app: Application, publisherDomain: string): Record<string, unknown> {
  const web = app.web as Application['web'] & WebExtras;
  const implicit: Partial<NonNullable<Application['web']['implicitGrantSettings']>> = web.implicitGrantSettings ?? {};
  return {
    id: app.id,
    deletedDateTime: null,
    appId: app.appId,
    applicationTemplateId: null,
    disabledByMicrosoftStatus: null,
    createdDateTime: app.createdDateTime ?? null,
    displayName: app.displayName,
    description: app.description ?? null,
    groupMembershipClaims: app.groupMembershipClaims,
    identifierUris: app.identifierUris,
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: app.isFallbackPublicClient,
    nativeAuthenticationApisEnabled: null,
    notes: app.notes ?? null,
    publisherDomain,
    serviceManagementReference: app.serviceManagementReference ?? null,
    signInAudience: app.signInAudience,
    tags: app.tags ?? [],
    tokenEncryptionKeyId: null,
    uniqueName: null,
    samlMetadataUrl: null,
    defaultRedirectUri: null,
    certification: null,
    optionalClaims: app.optionalClaims ?? null,
    requestSignatureVerification: null,
    addIns: [],
    api: {
      acceptMappedClaims: null,
      knownClientApplications: app.api.knownClientApplications ?? [],
      requestedAccessTokenVersion: app.api.requestedAccessTokenVersion,
      oauth2PermissionScopes: app.api.oauth2PermissionScopes.map((s) => ({ userConsentDisplayName: null, userConsentDescription: null, ...s })),
      preAuthorizedApplications: (app.api as { preAuthorizedApplications?: unknown[] }).preAuthorizedApplications ?? [],
    },
    appRoles: app.appRoles.map((r) => ({ origin: 'Application', ...r })),
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    keyCredentials: app.keyCredentials.map(keyCredentialJson),
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' },
    passwordCredentials: app.passwordCredentials.map((p) => ({ customKeyIdentifier: null, displayName: p.displayName, endDateTime: p.endDateTime, hint: p.hint, keyId: p.keyId, secretText: null, startDateTime: p.startDateTime })),
    publicClient: { redirectUris: app.publicClient.redirectUris },
    requiredResourceAccess: app.requiredResourceAccess,
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    web: {
      homePageUrl: web.homePageUrl ?? null,
      logoutUrl: web.logoutUrl,
      redirectUris: web.redirectUris,
      implicitGrantSettings: { enableAccessTokenIssuance: implicit.enableAccessTokenIssuance ?? false, enableIdTokenIssuance: implicit.enableIdTokenIssuance ?? false },
      redirectUriSettings: web.redirectUriSettings ?? web.redirectUris.map((uri) => ({ uri, index: null })),
    },
    spa: { redirectUris: app.spa.redirectUris },
  };
}

export function servicePrincipalJson(sp: ServicePrincipal, app: Application | undefined): Record<string, unknown> {
  return {
    id: sp.id,
    deletedDateTime: null,
    accountEnabled: sp.accountEnabled,
    alternativeNames: sp.alternativeNames ?? [],
    appDisplayName: sp.appDisplayName ?? app?.displayName ?? sp.displayName,
    appDescription: app?.description ?? null,
    appId: sp.appId,
    applicationTemplateId: null,
    appOwnerOrganizationId: sp.appOwnerOrganizationId,
    appRoleAssignmentRequired: false,
    createdDateTime: sp.createdDateTime ?? null,
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: sp.displayName,
    homepage: null,
    loginUrl: null,
    logoutUrl: app?.web.logoutUrl ?? null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: sp.replyUrls ?? (app ? [...app.web.redirectUris, ...app.spa.redirectUris, ...app.publicClient.redirectUris] : []),
    servicePrincipalNames: sp.servicePrincipalNames,
    servicePrincipalType: sp.servicePrincipalType,
    signInAudience: app?.signInAudience ?? 'AzureADMultipleOrgs',
    tags: sp.tags ?? [],
    tokenEncryptionKeyId: null,
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    samlSingleSignOnSettings: null,
    addIns: [],
    appRoles: sp.appRoles.map((r) => ({ origin: 'Application', ...r })),
    keyCredentials: [],
    oauth2PermissionScopes: sp.oauth2PermissionScopes.map((s) => ({ userConsentDisplayName: null, userConsentDescription: null, ...s })),
    passwordCredentials: [],
    resourceSpecificApplicationPermissions: [],
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
  };
}
