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
import { checkReferences } from './check-references.ts';
import { appIdOf, appNameOf, GRAPH_NAMES, STORAGE_NAMES, tenantIdOf } from './config-names.ts';
import type { ConfigTenant } from './schema.ts';

const SECRET_LIFETIME_MS = 2 * 365 * 86_400_000;

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


function secretValue(): string {
  // Entra-style: 40 characters with '~' and '.', which trip naive form encoders.
  return `${randomBytes(3).toString('hex').slice(0, 3)}8Q~${randomBytes(27).toString('base64url').replace(/-/g, '.')}`.slice(0, 40);
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
