import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Directory } from '../directory/directory.ts';
import { newGuid, stableGuid } from '../directory/ids.ts';
import { newApplication } from '../directory/new-application.ts';
import { registerApplication } from '../directory/registration.ts';
import type { Application, AppRole, Group, KeyCredential, PermissionScope, RequiredResourceAccess, ServicePrincipal, User } from '../directory/types.ts';
import { GRAPH_APP_ID, microsoftServicePrincipals, STORAGE_APP_ID } from '../protocol/microsoft-resources.ts';
import { EmulatorConfigError, resolveFrom, type LoadedConfig } from './load-config.ts';
import { applyManagedIdentities } from './apply-managed-identities.ts';
import type { ConfigApp, ConfigTenant } from './schema.ts';

const SECRET_LIFETIME_MS = 2 * 365 * 86_400_000;
const GRAPH_NAMES = new Set(['microsoft graph', 'graph', 'https://graph.microsoft.com', 'https://graph.microsoft.com/', GRAPH_APP_ID]);
const STORAGE_NAMES = new Set(['azure storage', 'storage', 'https://storage.azure.com', 'https://storage.azure.com/', STORAGE_APP_ID]);

/** What a client needs about one configured app (secrets as configured or generated). */
export interface AppliedApp {
  name: string;
  tenantId: string;
  clientId: string;
  displayName: string;
  clientSecrets: string[];
  redirectUris: string[];
  identifierUris: string[];
}

export interface AppliedTenant {
  id: string;
  domain: string;
  displayName: string;
  users: Array<{ username: string; password: string; displayName: string; totpSecret?: string }>;
  apps: AppliedApp[];
}

/** A directory table of its own: which config produced each tenant, so a changed file is noticed. */
function configTable(directory: Directory) {
  directory.db.exec('CREATE TABLE IF NOT EXISTS config_tenants (tenant_id TEXT PRIMARY KEY, digest TEXT NOT NULL, applied TEXT NOT NULL)');
  return {
    get: (id: string) => directory.db.prepare('SELECT digest, applied FROM config_tenants WHERE tenant_id = ?').get(id) as { digest: string; applied: string } | undefined,
    put: (id: string, digest: string, applied: AppliedTenant) =>
      directory.db.prepare('INSERT OR REPLACE INTO config_tenants (tenant_id, digest, applied) VALUES (?, ?, ?)').run(id, digest, JSON.stringify(applied)),
  };
}

export const tenantIdOf = (t: ConfigTenant) => (t.id ?? stableGuid(`config-tenant:${t.domain.toLowerCase()}`)).toLowerCase();
const appIdOf = (tid: string, a: ConfigApp) => (a.appId ?? stableGuid(`config-app:${tid}:${a.displayName}`)).toLowerCase();
const appNameOf = (a: ConfigApp) => a.name ?? (a.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'app');

function secretValue(): string {
  // Entra-style: 40 characters with '~' and '.', which trip naive form encoders.
  return `${randomBytes(3).toString('hex').slice(0, 3)}8Q~${randomBytes(27).toString('base64url').replace(/-/g, '.')}`.slice(0, 40);
}

/** Cross-references (members, resources, scopes) checked before anything is written. */
function checkReferences(config: LoadedConfig['config']): string[] {
  const problems: string[] = [];
  const seenTenants = new Map<string, string>();
  config.tenants.forEach((t, ti) => {
    const at = `tenants[${ti}]`;
    const id = tenantIdOf(t);
    for (const [key, label] of [[id, 'id'], [t.domain.toLowerCase(), 'domain']] as const) {
      if (seenTenants.has(key)) problems.push(`${at}.${label}: same ${label} as ${seenTenants.get(key)}`);
      seenTenants.set(key, at);
    }
    const upns = new Set<string>();
    t.users.forEach((u, ui) => {
      const upn = u.userPrincipalName.toLowerCase();
      if (upns.has(upn)) problems.push(`${at}.users[${ui}].userPrincipalName: "${u.userPrincipalName}" is listed twice`);
      upns.add(upn);
      if (upn.split('@')[1] !== t.domain.toLowerCase()) problems.push(`${at}.users[${ui}].userPrincipalName: must end with @${t.domain} (users sign in to the tenant their domain names)`);
    });
    const groupNames = new Set(t.groups.map((g) => g.displayName.toLowerCase()));
    t.groups.forEach((g, gi) =>
      g.members.forEach((m, mi) => {
        if (!upns.has(m.toLowerCase()) && !groupNames.has(m.toLowerCase())) problems.push(`${at}.groups[${gi}].members[${mi}]: no user or group "${m}" in this tenant`);
        if (m.toLowerCase() === g.displayName.toLowerCase()) problems.push(`${at}.groups[${gi}].members[${mi}]: a group cannot contain itself`);
      }),
    );
    const names = new Map<string, number>();
    t.apps.forEach((a, ai) => {
      const name = appNameOf(a);
      if (names.has(name)) problems.push(`${at}.apps[${ai}].name: "${name}" is used by apps[${names.get(name)}] too (set "name")`);
      names.set(name, ai);
    });
    const appNames = (a: ConfigApp) => [appNameOf(a), a.displayName.toLowerCase(), appIdOf(id, a), ...a.identifierUris.map((u) => u.toLowerCase())];
    const findApp = (ref: string) => t.apps.find((a) => appNames(a).includes(ref.toLowerCase()) || (a.identifierUris.length === 0 && `api://${appIdOf(id, a)}` === ref.toLowerCase()));
    t.apps.forEach((a, ai) => {
      a.appRoles.forEach((r, ri) =>
        r.members.forEach((m, mi) => {
          if (!upns.has(m.toLowerCase()) && !groupNames.has(m.toLowerCase()) && !findApp(m)) problems.push(`${at}.apps[${ai}].appRoles[${ri}].members[${mi}]: no user, group or app "${m}" in this tenant`);
        }),
      );
      a.requiredPermissions.forEach((p, pi) => {
        const where = `${at}.apps[${ai}].requiredPermissions[${pi}]`;
        const lower = p.resource.toLowerCase();
        if (GRAPH_NAMES.has(lower) || STORAGE_NAMES.has(lower)) {
          const sp = microsoftServicePrincipals(id).find((s) => s.appId === (GRAPH_NAMES.has(lower) ? GRAPH_APP_ID : STORAGE_APP_ID))!;
          p.scopes.forEach((s, si) => sp.oauth2PermissionScopes.some((x) => x.value === s) || problems.push(`${where}.scopes[${si}]: "${s}" is not a delegated permission of ${sp.displayName} in the emulator`));
          p.roles.forEach((r, ri) => sp.appRoles.some((x) => x.value === r) || problems.push(`${where}.roles[${ri}]: "${r}" is not an application permission of ${sp.displayName} in the emulator`));
          return;
        }
        const target = findApp(p.resource);
        if (!target) return void problems.push(`${where}.resource: no app "${p.resource}" in this tenant (nor Microsoft Graph or Azure Storage)`);
        p.scopes.forEach((s, si) => target.scopes.some((x) => x.value === s) || problems.push(`${where}.scopes[${si}]: "${s}" is not a scope exposed by ${target.displayName}`));
        p.roles.forEach((r, ri) => target.appRoles.some((x) => x.value === r && x.allowedMemberTypes.includes('Application')) || problems.push(`${where}.roles[${ri}]: "${r}" is not an application role of ${target.displayName}`));
      });
    });
    const identityNames = new Set<string>();
    t.managedIdentities.forEach((m, mi) => {
      const where = `${at}.managedIdentities[${mi}]`;
      if (identityNames.has(m.name.toLowerCase())) problems.push(`${where}.name: "${m.name}" is listed twice`);
      identityNames.add(m.name.toLowerCase());
      m.roles.forEach((g, gi) => {
        const lower = g.resource.toLowerCase();
        const ms = GRAPH_NAMES.has(lower) || STORAGE_NAMES.has(lower) ? microsoftServicePrincipals(id).find((s) => s.appId === (GRAPH_NAMES.has(lower) ? GRAPH_APP_ID : STORAGE_APP_ID)) : undefined;
        const target = ms ? { displayName: ms.displayName, roles: ms.appRoles } : findApp(g.resource) ? { displayName: findApp(g.resource)!.displayName, roles: findApp(g.resource)!.appRoles.filter((r) => r.allowedMemberTypes.includes('Application')) } : undefined;
        if (!target) return void problems.push(`${where}.roles[${gi}].resource: no app "${g.resource}" in this tenant (nor Microsoft Graph or Azure Storage)`);
        g.roles.forEach((r, ri) => target.roles.some((x) => x.value === r) || problems.push(`${where}.roles[${gi}].roles[${ri}]: "${r}" is not an application permission of ${target.displayName}`));
      });
    });
  });
  // One host: at most one system-assigned identity answers when a request names no identity.
  const systemAssigned = config.tenants.flatMap((t, ti) => t.managedIdentities.map((m, mi) => ({ m, at: `tenants[${ti}].managedIdentities[${mi}]` }))).filter(({ m }) => m.type === 'SystemAssigned');
  for (const extra of systemAssigned.slice(1)) problems.push(`${extra.at}.type: only one system-assigned identity may be declared (the emulator is one host; ${systemAssigned[0]!.at} is it)`);
  return problems;
}

function certificateDer(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

/** Writes the config's tenants into the directory; a tenant applied before from the same file is kept as is. */
export async function applyEmulatorConfig(directory: Directory, loaded: LoadedConfig, now: number): Promise<AppliedTenant[]> {
  const problems = checkReferences(loaded.config);
  // Certificates are read (and parsed) before any write, so a bad one leaves the directory untouched.
  const certificates = new Map<string, KeyCredential[]>();
  loaded.config.tenants.forEach((t, ti) =>
    t.apps.forEach((a, ai) => {
      const list: KeyCredential[] = [];
      a.certificates.forEach((c, ci) => {
        const where = `tenants[${ti}].apps[${ai}].certificates[${ci}]`;
        let pem: string;
        try {
          pem = c.pem ?? readFileSync(resolveFrom(loaded.baseDir, c.file!), 'utf8');
        } catch (error) {
          return void problems.push(`${where}.file: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        }
        try {
          const der = certificateDer(pem);
          list.push({ keyId: stableGuid(`config-cert:${der.toString('base64')}`), type: 'AsymmetricX509Cert', usage: 'Verify', key: der.toString('base64'), customKeyIdentifier: createHash('sha1').update(der).digest('hex').toUpperCase(), displayName: c.displayName });
        } catch {
          problems.push(`${where}${c.pem ? '.pem' : '.file'}: is not a valid PEM X.509 certificate`);
        }
      });
      certificates.set(`${ti}:${ai}`, list);
    }),
  );
  if (problems.length > 0) throw new EmulatorConfigError(loaded.source, problems);

  const table = configTable(directory);
  const applied: AppliedTenant[] = [];
  for (const [ti, tenant] of loaded.config.tenants.entries()) {
    const id = tenantIdOf(tenant);
    const digest = createHash('sha256').update(JSON.stringify(tenant)).digest('base64url');
    const previous = table.get(id);
    if (previous) {
      if (previous.digest !== digest) {
        throw new EmulatorConfigError(loaded.source, [`tenants[${ti}]: tenant ${tenant.domain} was created in this data folder from a different version of the config; delete the data folder (or use a new --data) to apply the change`]);
      }
      applied.push(JSON.parse(previous.applied) as AppliedTenant);
      continue;
    }
    if (directory.findTenant(id) || directory.findTenant(tenant.domain)) {
      throw new EmulatorConfigError(loaded.source, [`tenants[${ti}]: a tenant with this id or domain already exists in the data folder (not created from a config); use a new --data folder`]);
    }
    directory.db.exec('BEGIN');
    try {
      const result = await applyTenant(directory, id, tenant, (ai) => certificates.get(`${ti}:${ai}`) ?? [], now);
      table.put(id, digest, result);
      directory.db.exec('COMMIT');
      applied.push(result);
    } catch (error) {
      directory.db.exec('ROLLBACK');
      directory.objects.invalidate();
      throw error;
    }
  }
  return applied;
}

async function applyTenant(directory: Directory, tid: string, tenant: ConfigTenant, certificatesOf: (appIndex: number) => KeyCredential[], now: number): Promise<AppliedTenant> {
  directory.addTenant({ id: tid, domain: tenant.domain.toLowerCase(), displayName: tenant.displayName ?? tenant.domain });
  const microsoft = microsoftServicePrincipals(tid);
  for (const sp of microsoft) directory.objects.insert('servicePrincipal', tid, sp.appId, sp);

  const userIds = new Map<string, string>();
  const users: AppliedTenant['users'] = [];
  for (const u of tenant.users) {
    const user: User = {
      id: (u.id ?? stableGuid(`config-user:${tid}:${u.userPrincipalName.toLowerCase()}`)).toLowerCase(),
      displayName: u.displayName,
      userPrincipalName: u.userPrincipalName,
      mail: u.mail ?? u.userPrincipalName,
      givenName: u.givenName ?? null,
      surname: u.surname ?? null,
      jobTitle: u.jobTitle ?? null,
      accountEnabled: u.accountEnabled,
      userType: u.userType,
    };
    directory.objects.insert('user', tid, user.userPrincipalName, user);
    await directory.credentials.setPassword(user.id, u.password);
    userIds.set(u.userPrincipalName.toLowerCase(), user.id);
    if (u.mfa) directory.stepUp.setMfaMethod(user.id, { totpSecret: u.mfa.totpSecret, required: u.mfa.required });
    users.push({ username: u.userPrincipalName, password: u.password, displayName: u.displayName, ...(u.mfa ? { totpSecret: u.mfa.totpSecret } : {}) });
  }
  for (const ctx of tenant.authenticationContexts) directory.stepUp.defineContext(tid, { id: ctx.id, displayName: ctx.displayName ?? ctx.id, requireMfa: ctx.requireMfa });
  const groupIds = new Map<string, string>();
  for (const g of tenant.groups) {
    const group: Group = { id: (g.id ?? stableGuid(`config-group:${tid}:${g.displayName.toLowerCase()}`)).toLowerCase(), displayName: g.displayName, description: g.description ?? null, mailEnabled: false, securityEnabled: g.securityEnabled };
    directory.objects.insert('group', tid, null, group);
    groupIds.set(g.displayName.toLowerCase(), group.id);
  }
  for (const g of tenant.groups) {
    for (const m of g.members) directory.memberships.add(groupIds.get(g.displayName.toLowerCase())!, userIds.get(m.toLowerCase()) ?? groupIds.get(m.toLowerCase())!);
  }

  // Apps: built first (permissions may name each other), then registered, then granted.
  const built = tenant.apps.map((a, ai) => {
    const appId = appIdOf(tid, a);
    const scopes: PermissionScope[] = a.scopes.map((s) => ({
      id: (s.id ?? stableGuid(`config-scope:${appId}:${s.value}`)).toLowerCase(),
      value: s.value,
      type: s.type,
      adminConsentDisplayName: s.displayName ?? s.value,
      adminConsentDescription: s.description ?? s.displayName ?? s.value,
      userConsentDisplayName: s.displayName ?? s.value,
      userConsentDescription: s.description ?? s.displayName ?? s.value,
      isEnabled: true,
    }));
    const roles: AppRole[] = a.appRoles.map((r) => ({
      id: (r.id ?? stableGuid(`config-role:${appId}:${r.value}`)).toLowerCase(),
      value: r.value,
      displayName: r.displayName ?? r.value,
      description: r.description ?? r.displayName ?? r.value,
      allowedMemberTypes: r.allowedMemberTypes,
      isEnabled: true,
    }));
    const exposes = scopes.length > 0 || roles.length > 0;
    const app: Application = newApplication({
      id: stableGuid(`config-object:${appId}`),
      appId,
      displayName: a.displayName,
      signInAudience: a.signInAudience,
      identifierUris: a.identifierUris.length > 0 ? a.identifierUris : exposes ? [`api://${appId}`] : [],
      api: { requestedAccessTokenVersion: a.accessTokenVersion, oauth2PermissionScopes: scopes },
      appRoles: roles,
      web: { redirectUris: [...a.redirectUris, ...(a.web?.redirectUris ?? [])], logoutUrl: a.web?.logoutUrl ?? null },
      spa: { redirectUris: a.spa?.redirectUris ?? [] },
      publicClient: { redirectUris: a.publicClient?.redirectUris ?? [] },
      isFallbackPublicClient: a.allowPublicClient,
      keyCredentials: certificatesOf(ai),
      groupMembershipClaims: a.groupMembershipClaims ?? null,
    });
    return { config: a, app, name: appNameOf(a) };
  });
  const names = (b: (typeof built)[number]) => [b.name, b.config.displayName.toLowerCase(), b.app.appId, ...b.app.identifierUris.map((u) => u.toLowerCase())];
  const findBuilt = (ref: string) => built.find((b) => names(b).includes(ref.toLowerCase()));
  const resourceOf = (ref: string): { appId: string; scopes: PermissionScope[]; roles: AppRole[] } => {
    const lower = ref.toLowerCase();
    const ms = microsoft.find((sp) => sp.appId === (GRAPH_NAMES.has(lower) ? GRAPH_APP_ID : STORAGE_NAMES.has(lower) ? STORAGE_APP_ID : ''));
    if (ms) return { appId: ms.appId, scopes: ms.oauth2PermissionScopes, roles: ms.appRoles };
    const b = findBuilt(ref)!;
    return { appId: b.app.appId, scopes: b.app.api.oauth2PermissionScopes, roles: b.app.appRoles };
  };
  for (const b of built) {
    b.app.requiredResourceAccess = b.config.requiredPermissions.map((p): RequiredResourceAccess => {
      const r = resourceOf(p.resource);
      return {
        resourceAppId: r.appId,
        resourceAccess: [
          ...p.scopes.map((s) => ({ id: r.scopes.find((x) => x.value === s)!.id, type: 'Scope' as const })),
          ...p.roles.map((v) => ({ id: r.roles.find((x) => x.value === v)!.id, type: 'Role' as const })),
        ],
      };
    });
  }
  const spIds = new Map<string, string>();
  for (const b of built) spIds.set(b.app.appId, registerApplication(directory, tid, b.app));
  // Token lifetimes: the tenant's by its id, each app's by its appId (tokens/lifetimes.ts resolves them).
  if (tenant.tokenLifetimes) directory.tokenLifetimes.set(tid, tenant.tokenLifetimes);
  for (const b of built) if (b.config.tokenLifetimes) directory.tokenLifetimes.set(b.app.appId, b.config.tokenLifetimes);
  const spOf = (appId: string): string => spIds.get(appId) ?? (microsoft.find((sp) => sp.appId === appId) as ServicePrincipal).id;

  const apps: AppliedApp[] = [];
  for (const b of built) {
    const secrets: string[] = [];
    for (const s of b.config.secrets) {
      const value = s.value ?? secretValue();
      const keyId = newGuid();
      directory.credentials.addClientSecret(b.app.id, keyId, value, now + SECRET_LIFETIME_MS);
      b.app.passwordCredentials.push({ keyId, displayName: s.displayName, hint: value.slice(0, 3), startDateTime: new Date(now).toISOString(), endDateTime: new Date(now + SECRET_LIFETIME_MS).toISOString() });
      secrets.push(value);
    }
    if (secrets.length > 0) directory.objects.update('application', b.app.appId, b.app);
    for (const p of b.config.requiredPermissions) {
      if (!p.adminConsent) continue;
      const r = resourceOf(p.resource);
      if (p.scopes.length > 0) directory.consents.grant(tid, b.app.appId, r.appId, '', p.scopes);
      for (const v of p.roles) {
        const role = r.roles.find((x) => x.value === v)!;
        directory.roleAssignments.assign(stableGuid(`config-assign:${b.app.appId}:${role.id}`), tid, spOf(b.app.appId), spOf(r.appId), role.id);
      }
    }
    for (const role of b.config.appRoles) {
      const roleId = b.app.appRoles.find((x) => x.value === role.value)!.id;
      for (const m of role.members) {
        const principal = userIds.get(m.toLowerCase()) ?? groupIds.get(m.toLowerCase()) ?? spOf(findBuilt(m)!.app.appId);
        directory.roleAssignments.assign(stableGuid(`config-assign:${principal}:${roleId}`), tid, principal, spOf(b.app.appId), roleId);
      }
    }
    apps.push({
      name: b.name,
      tenantId: tid,
      clientId: b.app.appId,
      displayName: b.app.displayName,
      clientSecrets: secrets,
      redirectUris: [...b.app.web.redirectUris, ...b.app.spa.redirectUris, ...b.app.publicClient.redirectUris],
      identifierUris: b.app.identifierUris,
    });
  }
  applyManagedIdentities(directory, tid, tenant, resourceOf, spOf);
  return { id: tid, domain: tenant.domain.toLowerCase(), displayName: tenant.displayName ?? tenant.domain, users, apps };
}
