/** Directory objects, stored and served with Microsoft Graph's property names. */
export interface Tenant {
  id: string;
  domain: string;
  displayName: string;
}

export interface User {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  // --- Graph user writes (POST/PATCH /users): optional, absent on older records.
  mailNickname?: string | null;
  department?: string | null;
  companyName?: string | null;
  officeLocation?: string | null;
  mobilePhone?: string | null;
  usageLocation?: string | null;
  employeeId?: string | null;
  preferredLanguage?: string | null;
  businessPhones?: string[];
  createdDateTime?: string;
}

export interface Group {
  id: string;
  displayName: string;
  description: string | null;
  mailEnabled: boolean;
  securityEnabled: boolean;
  // --- Graph group writes (POST/PATCH /groups): optional, absent on older records.
  mailNickname?: string | null;
  /** [] (security group) or ["Unified"] (Microsoft 365 group). */
  groupTypes?: string[];
  visibility?: string | null;
  createdDateTime?: string;
}

export interface PermissionScope {
  id: string;
  value: string;
  type: 'User' | 'Admin';
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName?: string;
  userConsentDescription?: string;
  isEnabled: boolean;
}

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: Array<'User' | 'Application'>;
  isEnabled: boolean;
}

export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: Array<{ id: string; type: 'Scope' | 'Role' }>;
}

export interface PasswordCredential {
  keyId: string;
  displayName: string | null;
  hint: string;
  startDateTime: string;
  endDateTime: string;
}

export interface KeyCredential {
  keyId: string;
  type: 'AsymmetricX509Cert';
  usage: 'Verify';
  /** Base64 DER certificate (Graph's `key`). */
  key: string;
  customKeyIdentifier: string;
  displayName: string | null;
}

export interface Application {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: 'AzureADMyOrg' | 'AzureADMultipleOrgs' | 'AzureADandPersonalMicrosoftAccount' | 'PersonalMicrosoftAccount';
  identifierUris: string[];
  api: { requestedAccessTokenVersion: 1 | 2 | null; oauth2PermissionScopes: PermissionScope[]; knownClientApplications?: string[] };
  appRoles: AppRole[];
  web: {
    redirectUris: string[];
    logoutUrl: string | null;
    /** Implicit and hybrid flows: ID tokens and access tokens from /authorize (both off by default). */
    implicitGrantSettings?: { enableIdTokenIssuance: boolean; enableAccessTokenIssuance: boolean };
  };
  spa: { redirectUris: string[] };
  publicClient: { redirectUris: string[] };
  isFallbackPublicClient: boolean;
  requiredResourceAccess: RequiredResourceAccess[];
  passwordCredentials: PasswordCredential[];
  keyCredentials: KeyCredential[];
  groupMembershipClaims: 'None' | 'SecurityGroup' | 'All' | null;
  // --- Graph registration writes (POST/PATCH /applications): optional, absent on older records.
  description?: string | null;
  serviceManagementReference?: string | null;
  createdDateTime?: string;
  optionalClaims?: OptionalClaims | null;
  tags?: string[];
  notes?: string | null;
}

/** Graph's optionalClaims: extra claims per token type. */
export interface OptionalClaims {
  idToken: OptionalClaim[];
  accessToken: OptionalClaim[];
  saml2Token: OptionalClaim[];
}

export interface OptionalClaim {
  name: string;
  source: string | null;
  essential: boolean;
  additionalProperties: string[];
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  /** 'ManagedIdentity': an Azure resource's identity (system- or user-assigned), no app registration. */
  servicePrincipalType: 'Application' | 'ManagedIdentity';
  accountEnabled: boolean;
  appRoles: AppRole[];
  oauth2PermissionScopes: PermissionScope[];
  servicePrincipalNames: string[];
  /** Token version the resource receives (Graph and Storage: 1; our APIs: from their manifest). */
  accessTokenVersion: 1 | 2;
  /** First-party resources (Graph, Storage) live outside the tenant's applications. */
  appOwnerOrganizationId: string | null;
  /** Managed identities: `isExplicit=True|False` (user- or system-assigned) and the Azure resource id. */
  alternativeNames?: string[];
  // --- Graph writes (POST /servicePrincipals): optional, absent on older records.
  appDisplayName?: string;
  replyUrls?: string[];
  tags?: string[];
  createdDateTime?: string;
}

export type DirectoryObjectType = 'user' | 'group' | 'application' | 'servicePrincipal';
