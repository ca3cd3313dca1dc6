import type { Hono } from 'hono';
import type { EmulatorDeps } from '../deps.ts';
import type { Tenant } from '../directory/types.ts';
import { landingPage, type LandingTenant } from '../views/landing-page.ts';
import { newNonce, sendPage } from '../views/respond.ts';

type LandingDeps = Pick<EmulatorDeps, 'directory' | 'publicUrl'>;

/** Every tenant of the directory, in the order they were added. */
export function listTenants(directory: LandingDeps['directory']): Tenant[] {
  const rows = directory.db.prepare('SELECT id, domain, display_name FROM tenants ORDER BY rowid').all() as Array<{ id: string; domain: string; display_name: string }>;
  return rows.map((r) => ({ id: r.id, domain: r.domain, displayName: r.display_name }));
}

function describeTenant(deps: LandingDeps, tenant: Tenant): LandingTenant {
  const { objects, memberships } = deps.directory;
  return {
    ...tenant,
    authority: `${deps.publicUrl}/${tenant.id}`,
    users: objects.list('user', tenant.id).map((u) => ({ userPrincipalName: u.userPrincipalName, displayName: u.displayName, accountEnabled: u.accountEnabled })),
    groups: objects.list('group', tenant.id).map((g) => ({ displayName: g.displayName, members: memberships.memberIds(g.id).length })),
    apps: objects.list('application', tenant.id).map((a) => ({
      displayName: a.displayName,
      appId: a.appId,
      signInAudience: a.signInAudience,
      web: a.web.redirectUris,
      spa: a.spa.redirectUris,
      publicClient: a.publicClient.redirectUris,
      allowPublicClient: a.isFallbackPublicClient,
      identifierUris: a.identifierUris,
      scopes: a.api.oauth2PermissionScopes.map((s) => s.value),
      appRoles: a.appRoles.map((r) => r.value),
    })),
  };
}

/** `GET /`: the emulator's home page (tenants, users, apps, links). No secret is ever shown on it. */
export function landingEndpoint(app: Hono, deps: LandingDeps): void {
  app.get('/', async (c) => {
    const nonce = newNonce();
    const model = { publicUrl: deps.publicUrl, tenants: listTenants(deps.directory).map((t) => describeTenant(deps, t)) };
    return sendPage(c, landingPage(model, nonce), 200, { nonce });
  });
}
