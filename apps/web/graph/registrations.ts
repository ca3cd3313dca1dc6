/**
 * The tenant's app registrations and service principals as Graph returns them, with every
 * permission id resolved to its name through the resource's service principal (its
 * `oauth2PermissionScopes` for delegated, `appRoles` for application permissions). Needs the
 * application permission Application.Read.All.
 */
import { isEntrakitError } from 'entrakit';
import type { AppGraph } from './app-graph.ts';

export interface NamedPermission {
  resource: string;
  name: string;
  kind: 'delegated' | 'application';
}

export interface RegistrationView {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
  /** requiredResourceAccess, by name ("configured permissions"). */
  configured: NamedPermission[];
  raw: Record<string, unknown>;
}

export interface ServicePrincipalView {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: string;
  /** What it publishes for others to request. */
  publishes: { scopes: string[]; roles: string[] };
  /** Granted to it: admin-consented delegated scopes and assigned app roles, by name. */
  granted: NamedPermission[];
  raw: Record<string, unknown>;
}

export interface Registrations {
  applications: RegistrationView[];
  servicePrincipals: ServicePrincipalView[];
  /** Why grants could not be read, if they could not (the rest of the page still stands). */
  grantsProblem: string | undefined;
}

type Item = Record<string, unknown>;

const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const list = (value: unknown): Item[] => (Array.isArray(value) ? value.filter((v): v is Item => typeof v === 'object' && v !== null) : []);

export async function readRegistrations(graph: AppGraph): Promise<Registrations> {
  const [applications, servicePrincipals] = await Promise.all([graph.getAll('/applications?$top=100'), graph.getAll('/servicePrincipals?$top=100')]);
  const spByAppId = new Map(servicePrincipals.items.map((sp) => [str(sp['appId']), sp]));
  // First-party resources (Microsoft Graph) may be missing from a small tenant's list; ask for them by appId.
  const wanted = new Set(applications.items.flatMap((app) => list(app['requiredResourceAccess']).map((r) => str(r['resourceAppId']))));
  for (const appId of wanted) {
    if (!appId || spByAppId.has(appId) || !/^[0-9a-f-]{36}$/i.test(appId)) continue;
    const found = await graph.getAll(`/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`);
    if (found.items[0]) spByAppId.set(appId, found.items[0]);
  }
  const spById = new Map([...spByAppId.values()].map((sp) => [str(sp['id']), sp]));

  const permissionName = (resource: Item | undefined, id: string, kind: 'delegated' | 'application'): string => {
    const published = list(resource?.[kind === 'delegated' ? 'oauth2PermissionScopes' : 'appRoles']);
    return str(published.find((p) => str(p['id']).toLowerCase() === id.toLowerCase())?.['value'], `unknown permission ${id}`);
  };

  const apps: RegistrationView[] = applications.items.map((app) => ({
    id: str(app['id']),
    appId: str(app['appId']),
    displayName: str(app['displayName'], '(no name)'),
    signInAudience: str(app['signInAudience']),
    configured: list(app['requiredResourceAccess']).flatMap((required) => {
      const resource = spByAppId.get(str(required['resourceAppId']));
      return list(required['resourceAccess']).map((access) => {
        const kind = access['type'] === 'Role' ? ('application' as const) : ('delegated' as const);
        return { resource: str(resource?.['displayName'], str(required['resourceAppId'])), name: permissionName(resource, str(access['id']), kind), kind };
      });
    }),
    raw: app,
  }));

  const granted = new Map<string, NamedPermission[]>();
  const grant = (principalId: string, permission: NamedPermission) => granted.set(principalId, [...(granted.get(principalId) ?? []), permission]);
  const problems: string[] = [];
  // Two reads that may be refused on their own: delegated grants need Directory.Read.All in real
  // Entra, app-role assignments only Application.Read.All. Each refusal is said on the page.
  const attempt = async (what: string, read: () => Promise<void>) => {
    try {
      await read();
    } catch (error) {
      if (!isEntrakitError(error, 'GRAPH_REQUEST_FAILED')) throw error;
      problems.push(`${what}: ${error.message}`);
    }
  };
  await attempt('admin-consented delegated permissions', async () => {
    for (const g of (await graph.getAll('/oauth2PermissionGrants?$top=100')).items) {
      if (g['consentType'] !== 'AllPrincipals') continue;
      const resource = spById.get(str(g['resourceId']));
      for (const scope of str(g['scope']).split(' ').filter(Boolean)) grant(str(g['clientId']), { resource: str(resource?.['displayName'], str(g['resourceId'])), name: scope, kind: 'delegated' });
    }
  });
  await attempt('application permissions', async () => {
    for (const resource of [...spById.values()].filter((sp) => list(sp['appRoles']).length > 0)) {
      const assigned = await graph.getAll(`/servicePrincipals/${encodeURIComponent(str(resource['id']))}/appRoleAssignedTo?$top=100`);
      for (const a of assigned.items) {
        if (a['principalType'] !== undefined && a['principalType'] !== 'ServicePrincipal') continue;
        grant(str(a['principalId']), { resource: str(resource['displayName']), name: permissionName(resource, str(a['appRoleId']), 'application'), kind: 'application' });
      }
    }
  });
  const grantsProblem = problems.length > 0 ? problems.join('; ') : undefined;

  const sps: ServicePrincipalView[] = servicePrincipals.items.map((sp) => ({
    id: str(sp['id']),
    appId: str(sp['appId']),
    displayName: str(sp['displayName'], '(no name)'),
    servicePrincipalType: str(sp['servicePrincipalType']),
    publishes: { scopes: list(sp['oauth2PermissionScopes']).map((s) => str(s['value'])), roles: list(sp['appRoles']).map((r) => str(r['value'])) },
    granted: granted.get(str(sp['id'])) ?? [],
    raw: sp,
  }));
  const byName = <T extends { displayName: string }>(a: T, b: T) => a.displayName.localeCompare(b.displayName);
  return { applications: apps.sort(byName), servicePrincipals: sps.sort(byName), grantsProblem };
}
