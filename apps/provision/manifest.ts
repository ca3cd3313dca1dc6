/**
 * The declarative manifest `entrakit provision` applies: app registrations by display name, with
 * permissions by *name*. Validated completely (zod, unknown keys refused) before any Graph call;
 * each problem is reported with its JSON path, e.g. `apps[1].api.scopes[0].value: required`.
 */
import { z } from 'zod';
import { provisionError } from './errors.ts';

/** Graph's rule for scope and role values: no spaces, no leading dot, printable ASCII. */
const PERMISSION_VALUE = /^[!#-~]{1,120}$/;
const UPN = /^[^@\s]+@[^@\s]+$/;

const uri = z.string().min(1).refine((value) => URL.canParse(value), 'must be an absolute URI');
const redirectUris = z.array(uri).max(256).default([]);
const permissionValue = z.string().regex(PERMISSION_VALUE, 'must be 1-120 printable characters without spaces').refine((v) => !v.startsWith('.'), 'must not start with "."');

const scope = z.strictObject({
  value: permissionValue,
  type: z.enum(['User', 'Admin']).default('User'),
  adminConsentDisplayName: z.string().min(1),
  adminConsentDescription: z.string().min(1),
  userConsentDisplayName: z.string().min(1).optional(),
  userConsentDescription: z.string().min(1).optional(),
});

const appRole = z.strictObject({
  value: permissionValue,
  displayName: z.string().min(1),
  description: z.string().min(1),
  allowedMemberTypes: z.array(z.enum(['User', 'Application'])).min(1),
});

const requiredAccess = z.strictObject({
  /** "Microsoft Graph", an appId GUID, an identifier URI (https://graph.microsoft.com), or the name of an app in this manifest. */
  resource: z.string().min(1),
  scopes: z.array(z.string().min(1)).default([]),
  roles: z.array(z.string().min(1)).default([]),
  /** Grant these tenant-wide now (an oauth2PermissionGrant for the scopes, app-role assignments for the roles). */
  adminConsent: z.boolean().default(false),
});

const app = z.strictObject({
  /** The app registration's displayName, and how a second run finds it again. */
  name: z.string().min(1).max(256),
  signInAudience: z.enum(['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount']).default('AzureADMyOrg'),
  web: z.strictObject({ redirectUris, logoutUrl: uri.nullable().default(null) }).optional(),
  spa: z.strictObject({ redirectUris }).optional(),
  publicClient: z.strictObject({ redirectUris }).optional(),
  /** `api://{appId}` is filled in once the app exists. */
  identifierUri: z.string().min(1).optional(),
  api: z
    .strictObject({
      requestedAccessTokenVersion: z.union([z.literal(1), z.literal(2)]).nullable().default(null),
      scopes: z.array(scope).default([]),
    })
    .optional(),
  appRoles: z.array(appRole).default([]),
  requiredResourceAccess: z.array(requiredAccess).default([]),
  owners: z.array(z.string().regex(UPN, 'must be a user principal name (name@domain)')).default([]),
  secret: z
    .strictObject({
      displayName: z.string().min(1).max(100),
      expiresInDays: z.number().int().min(1).max(730),
      /** Variable written to the env file (never printed). */
      envVar: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)'),
    })
    .optional(),
  /** Variable that receives the app's client id in the env file. */
  clientIdEnvVar: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)').optional(),
  /** Ask Entra for the `groups` claim in tokens. */
  groupMembershipClaims: z.enum(['None', 'SecurityGroup', 'All']).optional(),
  servicePrincipal: z.boolean().default(true),
  /** Users given one of this app's roles (app-role assignments on its service principal). */
  roleAssignments: z.array(z.strictObject({ role: z.string().min(1), user: z.string().regex(UPN, 'must be a user principal name (name@domain)') })).default([]),
});

export const MANIFEST_SCHEMA = z
  .strictObject({
    $schema: z.string().optional(),
    apps: z.array(app).min(1),
  })
  .superRefine((manifest, ctx) => {
    const names = new Set<string>();
    manifest.apps.forEach((a, i) => {
      if (names.has(a.name.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['apps', i, 'name'], message: `"${a.name}" appears twice` });
      names.add(a.name.toLowerCase());
      const duplicates = (values: string[], path: Array<string | number>) => {
        const seen = new Set<string>();
        values.forEach((v, j) => {
          if (seen.has(v)) ctx.addIssue({ code: 'custom', path: [...path, j, 'value'], message: `"${v}" appears twice` });
          seen.add(v);
        });
      };
      duplicates(a.api?.scopes.map((s) => s.value) ?? [], ['apps', i, 'api', 'scopes']);
      duplicates(a.appRoles.map((r) => r.value), ['apps', i, 'appRoles']);
      a.roleAssignments.forEach((assignment, j) => {
        const role = a.appRoles.find((r) => r.value === assignment.role);
        if (!role) ctx.addIssue({ code: 'custom', path: ['apps', i, 'roleAssignments', j, 'role'], message: `"${assignment.role}" is not one of this app's appRoles` });
        else if (!role.allowedMemberTypes.includes('User')) ctx.addIssue({ code: 'custom', path: ['apps', i, 'roleAssignments', j, 'role'], message: `"${assignment.role}" does not allow User members` });
      });
      a.requiredResourceAccess.forEach((required, j) => {
        // A resource defined in this manifest: its permission names are known now.
        const other = manifest.apps.find((o) => o.name.toLowerCase() === required.resource.toLowerCase());
        if (!other) return;
        if (manifest.apps.indexOf(other) >= i) {
          ctx.addIssue({ code: 'custom', path: ['apps', i, 'requiredResourceAccess', j, 'resource'], message: `"${other.name}" must come before this app in the manifest` });
          return;
        }
        required.scopes.forEach((name, k) => {
          if (!other.api?.scopes.some((s) => s.value === name)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'requiredResourceAccess', j, 'scopes', k], message: `"${other.name}" exposes no scope "${name}"` });
        });
        required.roles.forEach((name, k) => {
          if (!other.appRoles.some((r) => r.value === name && r.allowedMemberTypes.includes('Application'))) {
            ctx.addIssue({ code: 'custom', path: ['apps', i, 'requiredResourceAccess', j, 'roles', k], message: `"${other.name}" has no app role "${name}" for applications` });
          }
        });
      });
      if (a.identifierUri !== undefined && !a.identifierUri.includes('{appId}') && !URL.canParse(a.identifierUri)) {
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'identifierUri'], message: 'must be an absolute URI (api://{appId} is filled in)' });
      }
    });
  });

export type Manifest = z.output<typeof MANIFEST_SCHEMA>;
export type ManifestApp = Manifest['apps'][number];

/** `apps[1].api.scopes[0].value` */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out || '(manifest)';
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'required';
  if (issue.code === 'unrecognized_keys') return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
}

/** Every problem in the manifest, one line each (empty when valid). */
export function manifestProblems(input: unknown): string[] {
  const result = MANIFEST_SCHEMA.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${jsonPath(issue.path)}: ${issueText(issue)}`);
}

/** Parses the manifest's JSON text; throws PROVISION_MANIFEST_INVALID listing every problem. */
export function parseManifest(text: string, source = 'manifest'): Manifest {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw provisionError('PROVISION_MANIFEST_INVALID', `${source} is not valid JSON: ${(error as Error).message}`);
  }
  const result = MANIFEST_SCHEMA.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${jsonPath(issue.path)}: ${issueText(issue)}`);
    throw provisionError('PROVISION_MANIFEST_INVALID', `${source} is invalid:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
  return result.data;
}
