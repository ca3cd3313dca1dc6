import { z } from 'zod';
import { GUID } from 'entrakit/internal';
import { AUTH_CONTEXT_ID } from 'entrakit/internal';

/**
 * The declarative tenant file (`--config FILE`, `startEmulator({ config })`): tenants, users,
 * groups, app registrations and what was granted. Documented in docs/emulator.md.
 */

function isAbsoluteUrl(value: string): boolean {
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

const guid = z.string().regex(GUID, 'must be a GUID');
const text = z.string().min(1, 'must not be empty').max(256, 'must have at most 256 characters');
const absoluteUrl = z.string().refine(isAbsoluteUrl, 'must be an absolute URL');
const httpUrl = z
  .string()
  .refine(isAbsoluteUrl, { message: 'must be an absolute URL', abort: true })
  .refine((v) => /^https?:/i.test(v), 'must use http or https (custom schemes belong under publicClient.redirectUris)');

const user = z.strictObject({
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be user@domain'),
  password: z.string().min(8, 'must have at least 8 characters').max(256, 'must have at most 256 characters'),
  displayName: text,
  id: guid.optional(),
  givenName: text.optional(),
  surname: text.optional(),
  jobTitle: text.optional(),
  mail: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an e-mail address').optional(),
  accountEnabled: z.boolean().default(true),
  userType: z.enum(['Member', 'Guest']).default('Member'),
  /**
   * A second factor: the authenticator app's shared TOTP secret (base32, RFC 6238 SHA-1, 6 digits,
   * 30 s). Asked when an authentication context requires MFA, or at every sign-in with `required`.
   */
  mfa: z
    .strictObject({
      totpSecret: z.string().regex(/^[A-Z2-7]{16,128}$/, 'must be base32 (A-Z, 2-7), 16 to 128 characters, as authenticator apps use'),
      required: z.boolean().default(false),
    })
    .optional(),
});

/** A Conditional Access authentication context an API can demand (`acrs`). */
const authenticationContext = z.strictObject({
  id: z.string().regex(AUTH_CONTEXT_ID, 'must be c1 to c99'),
  displayName: text.optional(),
  /** What satisfies it: a sign-in with a second factor. */
  requireMfa: z.boolean().default(true),
});

const seconds = (max: number, what: string) => z.number().int('must be whole seconds').min(1, 'must be at least 1 second').max(max, `must be at most ${max} seconds (${what})`);

/**
 * Token lifetimes (seconds), per tenant and per app; the app's win. Entra's defaults when absent:
 * access and ID tokens 3600, refresh-token inactivity 90 days, codes 600. Short values let tests
 * see tokens expire (`/_admin/clock` moves time without waiting).
 */
const tokenLifetimes = z.strictObject({
  accessTokenSeconds: seconds(86_400, 'one day').optional(),
  idTokenSeconds: seconds(86_400, 'one day').optional(),
  refreshTokenInactivitySeconds: seconds(90 * 86_400, '90 days').optional(),
  codeSeconds: seconds(600, 'ten minutes, as Entra').optional(),
});

const group = z.strictObject({
  displayName: text,
  id: guid.optional(),
  description: z.string().max(1024).optional(),
  securityEnabled: z.boolean().default(true),
  /** Users by userPrincipalName, nested groups by displayName. */
  members: z.array(text).default([]),
});

const exposedScope = z.strictObject({
  value: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/, 'must be a scope value such as access_as_user'),
  type: z.enum(['User', 'Admin']).default('User'),
  displayName: text.optional(),
  description: z.string().max(1024).optional(),
  id: guid.optional(),
});

const appRole = z.strictObject({
  value: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/, 'must be a role value such as Tasks.Admin'),
  displayName: text.optional(),
  description: z.string().max(1024).optional(),
  allowedMemberTypes: z.array(z.enum(['User', 'Application'])).min(1, 'must name User, Application or both').default(['User', 'Application']),
  id: guid.optional(),
  /** Who holds the role: users (UPN), groups (displayName) or apps of this tenant (name or displayName). */
  members: z.array(text).default([]),
});

const secret = z.strictObject({
  /** The secret's value; generated (and written to dev.json) when absent. */
  value: z.string().min(16, 'must have at least 16 characters').max(256).optional(),
  displayName: text.default('config'),
});

const certificate = z
  .strictObject({
    /** A PEM certificate (public part only), or `file`: a path relative to the config file. */
    pem: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate' }).optional(),
    file: text.optional(),
    displayName: text.default('config'),
  })
  .refine((c) => (c.pem === undefined) !== (c.file === undefined), 'give exactly one of "pem" and "file"');

const permission = z.strictObject({
  /** "Microsoft Graph" (or graph, its URL or appId), "Azure Storage", or an app of this tenant (name, displayName, appId or App ID URI). */
  resource: text,
  scopes: z.array(text).default([]),
  roles: z.array(text).default([]),
  /** Grant as an administrator would: delegated scopes for all users, app roles to the app. */
  adminConsent: z.boolean().default(false),
});

const app = z.strictObject({
  /** Key of the app in dev.json's `apps`; defaults to the displayName in lower case with dashes. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower case letters, digits and dashes').optional(),
  displayName: text,
  appId: guid.optional(),
  signInAudience: z.enum(['AzureADMyOrg', 'AzureADMultipleOrgs']).default('AzureADMyOrg'),
  /** Web redirect URIs (shorthand for web.redirectUris). */
  redirectUris: z.array(httpUrl).default([]),
  web: z.strictObject({ redirectUris: z.array(httpUrl).default([]), logoutUrl: httpUrl.optional() }).optional(),
  spa: z.strictObject({ redirectUris: z.array(httpUrl).default([]) }).optional(),
  publicClient: z.strictObject({ redirectUris: z.array(absoluteUrl).default([]) }).optional(),
  /** "Allow public client flows" (device code, and codes redeemed without a secret). */
  allowPublicClient: z.boolean().default(false),
  secrets: z.array(secret).default([]),
  certificates: z.array(certificate).default([]),
  /** App ID URIs; `api://{appId}` is added when the app exposes scopes or roles and none is given. */
  identifierUris: z.array(absoluteUrl).default([]),
  accessTokenVersion: z.union([z.literal(1), z.literal(2)]).default(2),
  scopes: z.array(exposedScope).default([]),
  appRoles: z.array(appRole).default([]),
  requiredPermissions: z.array(permission).default([]),
  groupMembershipClaims: z.enum(['None', 'SecurityGroup', 'All']).optional(),
  tokenLifetimes: tokenLifetimes.optional(),
});

const managedIdentity = z.strictObject({
  /** The Azure resource's name (the VM or app for system-assigned, the identity for user-assigned). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be an Azure resource name (letters, digits, ".", "_", "-")'),
  type: z.enum(['SystemAssigned', 'UserAssigned']),
  clientId: guid.optional(),
  principalId: guid.optional(),
  /** Azure resource id (`xms_mirid`); made up from the name when absent. */
  resourceId: z.string().regex(/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/.+/i, 'must be an Azure resource id (/subscriptions/.../resourcegroups/.../providers/...)').optional(),
  /** Application permissions (app roles) granted to the identity, e.g. { resource: "Microsoft Graph", roles: ["User.Read.All"] }. */
  roles: z.array(z.strictObject({ resource: text, roles: z.array(text).min(1) })).default([]),
});

const tenant = z.strictObject({
  id: guid.optional(),
  domain: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain such as contoso.onmicrosoft.com'),
  displayName: text.optional(),
  users: z.array(user).default([]),
  groups: z.array(group).default([]),
  apps: z.array(app).default([]),
  authenticationContexts: z.array(authenticationContext).default([]),
  managedIdentities: z.array(managedIdentity).default([]),
  tokenLifetimes: tokenLifetimes.optional(),
});

export const emulatorConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  tenants: z.array(tenant).min(1, 'must list at least one tenant'),
});

/** The tenant file as written (defaults optional). */
export type EmulatorConfigInput = z.input<typeof emulatorConfigSchema>;
/** The tenant file after validation (defaults filled in). */
export type EmulatorConfig = z.output<typeof emulatorConfigSchema>;
export type ConfigTenant = EmulatorConfig['tenants'][number];
export type ConfigApp = ConfigTenant['apps'][number];
export type ConfigManagedIdentity = ConfigTenant['managedIdentities'][number];
