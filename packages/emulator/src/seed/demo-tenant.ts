import { randomBytes } from 'node:crypto';
import type { Directory } from '../directory/directory.ts';
import type { Application, Group, User } from '../directory/types.ts';
import { newApplication } from '../directory/new-application.ts';
import { stableGuid } from '../directory/ids.ts';
import { DIRECTORY_ROLES } from '../directory/directory-roles.ts';
import { addClientSecret, registerApplication } from '../directory/registration.ts';
import { newTotpSecret } from '../mfa/totp.ts';
import { createManagedIdentityTable } from '../protocol/managed-identities.ts';
import { GRAPH_APP_ID, GRAPH_APP_ROLES, GRAPH_SCOPES, microsoftServicePrincipals, STORAGE_APP_ID, STORAGE_SCOPES } from '../protocol/microsoft-resources.ts';

export const DEMO_TENANT = { id: stableGuid('tenant'), domain: 'entrakitdemo.onmicrosoft.com', displayName: 'entrakit demo' };
export const WEB_APP_ID = stableGuid('app:web');
export const API_APP_ID = stableGuid('app:api');
export const WEB_REDIRECT_URI = 'http://localhost:5000/auth/callback';
/** Microsoft Azure CLI: Microsoft's public client, preauthorized for Graph's admin permissions. */
export const CLI_APP_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
export const CLI_REDIRECT_URI = 'http://localhost';
export const ADMIN_USERNAME = `admin@entrakitdemo.onmicrosoft.com`;
const CLI_GRAPH_SCOPES = ['Application.ReadWrite.All', 'AppRoleAssignment.ReadWrite.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.Read.All', 'User.Read'];

export const USERS = [
  { alias: 'adele', displayName: 'Adele Vance', givenName: 'Adele', surname: 'Vance', jobTitle: 'Identity Engineer' },
  { alias: 'alex', displayName: 'Alex Wilber', givenName: 'Alex', surname: 'Wilber', jobTitle: 'Platform Engineer' },
  { alias: 'megan', displayName: 'Megan Bowen', givenName: 'Megan', surname: 'Bowen', jobTitle: 'Product Manager' },
  { alias: 'nestor', displayName: 'Nestor Wilke', givenName: 'Nestor', surname: 'Wilke', jobTitle: 'Program Manager' },
];

/** Megan has an authenticator app (TOTP; its secret is in dev.json): step-up asks her for a code. */
export const MFA_USER = 'megan';
/** `c1` requires multi-factor authentication: the API's DELETE /api/story demands it. */
export const DEMO_AUTH_CONTEXT = { id: 'c1', displayName: 'Require multi-factor authentication', requireMfa: true };

/** Nested four levels: Identity Team ⊂ Platform ⊂ Engineering ⊂ All Staff. */
const GROUPS = [
  { alias: 'all-staff', displayName: 'All Staff', parent: null, members: ['megan'] },
  { alias: 'engineering', displayName: 'Engineering', parent: 'all-staff', members: ['alex'] },
  { alias: 'platform', displayName: 'Platform', parent: 'engineering', members: [] },
  { alias: 'identity-team', displayName: 'Identity Team', parent: 'platform', members: ['adele'] },
];

/** Nestor is in more groups than fit in a token (groups overage): his ID token carries a pointer to Graph instead. */
const OVERAGE_GROUPS = Array.from({ length: 210 }, (_, i) => `Project ${String(i + 1).padStart(3, '0')}`);
const OVERAGE_USER = 'nestor';

/** The web app's own app role; its `roles` claim gates the web app's admin pages. */
export const WEB_ADMIN_ROLE_ID = stableGuid('role:web:admin');

function graphRole(value: string): string {
  const role = GRAPH_APP_ROLES.find((r) => r.value === value);
  if (!role) throw new Error(`Graph has no app role ${value}`);
  return role.id;
}

function password(): string {
  return `Demo-${randomBytes(9).toString('base64url')}!`;
}

function application(fields: Partial<Application> & Pick<Application, 'appId' | 'displayName'>): Application {
  return newApplication({ id: stableGuid(`object:${fields.appId}`), ...fields });
}

/**
 * The step-up part of the demo tenant: context c1 and Megan's second factor. Also run for data
 * folders seeded before step-up existed, so they gain it without a re-seed.
 */
export function seedDemoStepUp(directory: Directory): void {
  if (!directory.findTenant(DEMO_TENANT.id)) return;
  if (!directory.stepUp.context(DEMO_TENANT.id, DEMO_AUTH_CONTEXT.id)) directory.stepUp.defineContext(DEMO_TENANT.id, DEMO_AUTH_CONTEXT);
  const userId = stableGuid(`user:${MFA_USER}`);
  if (!directory.stepUp.mfaMethod(userId) && directory.objects.get('user', userId)) {
    const totpSecret = newTotpSecret();
    directory.stepUp.setMfaMethod(userId, { totpSecret, required: false });
    directory.db.prepare('INSERT OR REPLACE INTO demo_credentials (name, secret) VALUES (?, ?)').run(`totp:${MFA_USER}@${DEMO_TENANT.domain}`, totpSecret);
  }
}

const DEMO_SUBSCRIPTION = stableGuid('subscription:demo');
const DEMO_RESOURCE_GROUP = `/subscriptions/${DEMO_SUBSCRIPTION}/resourcegroups/entrakit-demo/providers`;
/** The demo host's system-assigned identity (a VM) and one user-assigned identity. */
export const DEMO_MANAGED_IDENTITIES = {
  system: { name: 'entrakit-demo-vm', clientId: stableGuid('mi:system:client'), principalId: stableGuid('mi:system:principal'), resourceId: `${DEMO_RESOURCE_GROUP}/Microsoft.Compute/virtualMachines/entrakit-demo-vm` },
  user: { name: 'entrakit-demo-identity', clientId: stableGuid('mi:user:client'), principalId: stableGuid('mi:user:principal'), resourceId: `${DEMO_RESOURCE_GROUP}/Microsoft.ManagedIdentity/userAssignedIdentities/entrakit-demo-identity` },
};

/**
 * The demo's managed identities: the system-assigned one may read users in Graph (User.Read.All),
 * the user-assigned one holds Api.Admin on the demo API. Also run for data folders seeded before
 * managed identities existed.
 */
export function seedDemoManagedIdentities(directory: Directory): void {
  const tid = DEMO_TENANT.id;
  if (!directory.findTenant(tid)) return;
  const table = createManagedIdentityTable(directory);
  if (table.find(DEMO_MANAGED_IDENTITIES.system.clientId)) return;
  table.add({ tenantId: tid, kind: 'SystemAssigned', ...DEMO_MANAGED_IDENTITIES.system });
  table.add({ tenantId: tid, kind: 'UserAssigned', ...DEMO_MANAGED_IDENTITIES.user });
  const graphSpId = stableGuid(`${tid}:sp:graph`);
  const readUsers = graphRole('User.Read.All');
  directory.roleAssignments.assign(stableGuid(`assign:mi-system:${readUsers}`), tid, DEMO_MANAGED_IDENTITIES.system.principalId, graphSpId, readUsers);
  const apiSp = directory.findServicePrincipalByAppId(tid, API_APP_ID);
  const apiAdmin = apiSp?.appRoles.find((r) => r.value === 'Api.Admin');
  if (apiSp && apiAdmin) directory.roleAssignments.assign(stableGuid('assign:mi-user:api-admin'), tid, DEMO_MANAGED_IDENTITIES.user.principalId, apiSp.id, apiAdmin.id);
}

/** Delegated Graph permissions by name, as a registration's requiredResourceAccess lists them. */
function graphScopes(values: string[]): Array<{ id: string; type: 'Scope' }> {
  return values.map((value) => {
    const scope = GRAPH_SCOPES.find((s) => s.value === value);
    if (!scope) throw new Error(`Graph has no delegated permission ${value}`);
    return { id: scope.id, type: 'Scope' as const };
  });
}

/** Seeds the demo tenant once; returns false when it already exists. */
export async function seedDemoTenant(directory: Directory, now: number): Promise<boolean> {
  if (directory.findTenant(DEMO_TENANT.id)) {
    seedDemoStepUp(directory);
    seedDemoManagedIdentities(directory);
    return false;
  }
  const tid = DEMO_TENANT.id;
  const remember = directory.db.prepare('INSERT OR REPLACE INTO demo_credentials (name, secret) VALUES (?, ?)');
  directory.db.exec('BEGIN');
  try {
    directory.addTenant(DEMO_TENANT);
    for (const sp of microsoftServicePrincipals(tid)) directory.objects.insert('servicePrincipal', tid, sp.appId, sp);

    for (const u of USERS) {
      const user: User = {
        id: stableGuid(`user:${u.alias}`),
        displayName: u.displayName,
        userPrincipalName: `${u.alias}@${DEMO_TENANT.domain}`,
        mail: `${u.alias}@${DEMO_TENANT.domain}`,
        givenName: u.givenName,
        surname: u.surname,
        jobTitle: u.jobTitle,
        accountEnabled: true,
        userType: 'Member',
      };
      directory.objects.insert('user', tid, user.userPrincipalName, user);
      const pw = password();
      await directory.credentials.setPassword(user.id, pw);
      remember.run(`user:${user.userPrincipalName}`, pw);
    }
    for (const g of GROUPS) {
      const group: Group = { id: stableGuid(`group:${g.alias}`), displayName: g.displayName, description: `${g.displayName} (demo)`, mailEnabled: false, securityEnabled: true };
      directory.objects.insert('group', tid, null, group);
      if (g.parent) directory.memberships.add(stableGuid(`group:${g.parent}`), group.id);
      for (const m of g.members) directory.memberships.add(group.id, stableGuid(`user:${m}`));
    }
    for (const name of OVERAGE_GROUPS) {
      const group: Group = { id: stableGuid(`group:${name}`), displayName: name, description: `${name} (demo, groups overage)`, mailEnabled: false, securityEnabled: true };
      directory.objects.insert('group', tid, null, group);
      directory.memberships.add(group.id, stableGuid(`user:${OVERAGE_USER}`));
    }

    const userImpersonation = {
      id: stableGuid('scope:api:user_impersonation'),
      value: 'user_impersonation',
      type: 'User' as const,
      adminConsentDisplayName: 'Access entrakit api',
      adminConsentDescription: 'Lets the app call entrakit api as the signed-in user.',
      userConsentDisplayName: 'Access entrakit api as you',
      userConsentDescription: 'Lets the app call entrakit api on your behalf.',
      isEnabled: true,
    };
    const adminRole = {
      id: stableGuid('role:api:admin'),
      value: 'Api.Admin',
      displayName: 'entrakit api administrators',
      description: 'May call the administrative routes of entrakit api.',
      allowedMemberTypes: ['User' as const, 'Application' as const],
      isEnabled: true,
    };
    const api = application({
      appId: API_APP_ID,
      displayName: 'entrakit api',
      identifierUris: [`api://${API_APP_ID}`],
      api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [userImpersonation], knownClientApplications: [WEB_APP_ID] },
      appRoles: [adminRole],
      requiredResourceAccess: [
        { resourceAppId: STORAGE_APP_ID, resourceAccess: [{ id: STORAGE_SCOPES[0]!.id, type: 'Scope' }] },
        { resourceAppId: GRAPH_APP_ID, resourceAccess: [...graphScopes(['User.Read', 'offline_access', 'openid', 'profile']), { id: GRAPH_APP_ROLES[0]!.id, type: 'Role' }] },
      ],
    });
    const apiSp = registerApplication(directory, tid, api);
    const webAdminRole = {
      id: WEB_ADMIN_ROLE_ID,
      value: 'Admin',
      displayName: 'entrakit web administrators',
      description: 'May open the admin pages of entrakit web.',
      allowedMemberTypes: ['User' as const],
      isEnabled: true,
    };
    // The web app reads groups and registrations with its own app-only token (application permissions).
    // Directory.Read.All lets the Registrations page read delegated grants (oauth2PermissionGrants), as on Entra.
    const webGraphRoles = ['User.Read.All', 'GroupMember.Read.All', 'Application.Read.All', 'Directory.Read.All'].map(graphRole);
    const web = application({
      appId: WEB_APP_ID,
      displayName: 'entrakit web',
      web: { redirectUris: [WEB_REDIRECT_URI, 'http://localhost:5000/'], logoutUrl: 'http://localhost:5000/auth/frontchannel-logout' },
      appRoles: [webAdminRole],
      groupMembershipClaims: 'SecurityGroup',
      requiredResourceAccess: [
        // User.RevokeSessions.All: the Sessions page's "Revoke my sessions" (a user's own sessions).
        { resourceAppId: GRAPH_APP_ID, resourceAccess: [...graphScopes(['User.Read', 'User.RevokeSessions.All', 'email', 'offline_access', 'openid', 'profile']), ...webGraphRoles.map((id) => ({ id, type: 'Role' as const }))] },
        { resourceAppId: API_APP_ID, resourceAccess: [{ id: userImpersonation.id, type: 'Scope' }, { id: adminRole.id, type: 'Role' }] },
      ],
    });
    const webSp = registerApplication(directory, tid, web);
    // As provision/demo.json declares them: Adele owns both registrations.
    for (const app of [api, web]) directory.owners.add(app.id, stableGuid('user:adele'));

    // Admin consent as an administrator would grant it; web -> api is left to user consent.
    directory.consents.grant(tid, WEB_APP_ID, GRAPH_APP_ID, '', ['User.Read', 'User.RevokeSessions.All', 'openid', 'profile', 'email', 'offline_access']);
    directory.consents.grant(tid, API_APP_ID, STORAGE_APP_ID, '', ['user_impersonation']);
    directory.consents.grant(tid, API_APP_ID, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'offline_access']);
    const graphSpId = stableGuid(`${tid}:sp:graph`);
    for (const roleId of webGraphRoles) directory.roleAssignments.assign(stableGuid(`assign:${webSp}:${roleId}`), tid, webSp, graphSpId, roleId);
    directory.roleAssignments.assign(stableGuid('assign:adele:web-admin'), tid, stableGuid('user:adele'), webSp, WEB_ADMIN_ROLE_ID);
    // The API lists users for its admin route with its own app-only Graph token.
    directory.roleAssignments.assign(stableGuid(`assign:${apiSp}:${GRAPH_APP_ROLES[0]!.id}`), tid, apiSp, graphSpId, GRAPH_APP_ROLES[0]!.id);
    directory.roleAssignments.assign(stableGuid('assign:adele:api-admin'), tid, stableGuid('user:adele'), apiSp, adminRole.id);
    directory.roleAssignments.assign(stableGuid('assign:web:api-admin'), tid, webSp, apiSp, adminRole.id);

    await seedAdministration(directory, tid, remember);

    remember.run(`app:${WEB_APP_ID}`, addClientSecret(directory, web, 'demo', now));
    remember.run(`app:${API_APP_ID}`, addClientSecret(directory, api, 'demo', now));
    seedDemoStepUp(directory);
    seedDemoManagedIdentities(directory);
    directory.db.exec('COMMIT');
  } catch (error) {
    directory.db.exec('ROLLBACK');
    throw error;
  }
  return true;
}

/** The tenant's administrator (Global Administrator) and the Azure CLI an admin signs in with. */
async function seedAdministration(directory: Directory, tid: string, remember: { run(...values: string[]): unknown }): Promise<void> {
  const admin: User = {
    id: stableGuid('user:admin'),
    displayName: 'Demo Administrator',
    userPrincipalName: ADMIN_USERNAME,
    mail: ADMIN_USERNAME,
    givenName: 'Demo',
    surname: 'Administrator',
    jobTitle: 'Tenant Administrator',
    accountEnabled: true,
    userType: 'Member',
  };
  directory.objects.insert('user', tid, admin.userPrincipalName, admin);
  const pw = password();
  await directory.credentials.setPassword(admin.id, pw);
  remember.run(`user:${admin.userPrincipalName}`, pw);
  directory.directoryRoles.assign(admin.id, DIRECTORY_ROLES.globalAdministrator);

  const cli = application({
    appId: CLI_APP_ID,
    displayName: 'Microsoft Azure CLI',
    signInAudience: 'AzureADMultipleOrgs',
    isFallbackPublicClient: true,
    publicClient: { redirectUris: [CLI_REDIRECT_URI] },
    requiredResourceAccess: [{ resourceAppId: GRAPH_APP_ID, resourceAccess: GRAPH_SCOPES.filter((s) => CLI_GRAPH_SCOPES.includes(s.value)).map((s) => ({ id: s.id, type: 'Scope' as const })) }],
  });
  registerApplication(directory, tid, cli);
  // Preauthorized, as Microsoft's first-party clients are: no consent prompt for these.
  directory.consents.grant(tid, CLI_APP_ID, GRAPH_APP_ID, '', [...CLI_GRAPH_SCOPES, 'openid', 'profile', 'offline_access']);
}

/** Undefined for a data folder seeded before the administrator existed. */
export function demoAdmin(directory: Directory): { username: string; password: string } | undefined {
  const row = directory.db.prepare('SELECT secret FROM demo_credentials WHERE name = ?').get(`user:${ADMIN_USERNAME}`) as { secret: string } | undefined;
  return row ? { username: ADMIN_USERNAME, password: row.secret } : undefined;
}

export function demoSecret(directory: Directory, name: string): string {
  const row = directory.db.prepare('SELECT secret FROM demo_credentials WHERE name = ?').get(name) as { secret: string } | undefined;
  if (!row) throw new Error(`demo credential ${name} is missing: delete the data folder to re-seed`);
  return row.secret;
}

export function demoUsers(directory: Directory): Array<{ username: string; password: string; displayName: string }> {
  return USERS.map((u) => {
    const username = `${u.alias}@${DEMO_TENANT.domain}`;
    const totp = directory.db.prepare('SELECT secret FROM demo_credentials WHERE name = ?').get(`totp:${username}`) as { secret: string } | undefined;
    return { username, password: demoSecret(directory, `user:${username}`), displayName: u.displayName, ...(totp ? { totpSecret: totp.secret } : {}) };
  });
}
