/** What the tenant has now for one manifest app: read before planning, never written here. */
import { provisionError } from './errors.ts';
import { eqFilter } from './graph-client.ts';
import type { GraphClient, GraphObject } from './graph-client.ts';

export interface AppState {
  application: GraphObject | undefined;
  /** Owners' user principal names, lower case. */
  owners: Set<string>;
  servicePrincipal: GraphObject | undefined;
  /** oauth2PermissionGrants whose clientId is the app's service principal. */
  grants: GraphObject[];
}

export async function readAppState(graph: GraphClient, name: string): Promise<AppState> {
  const found = await graph.list(`/applications?${eqFilter('displayName', name)}`);
  if (found.length > 1) {
    throw provisionError('PROVISION_APP_AMBIGUOUS', `the tenant has ${found.length} app registrations named "${name}": rename or delete the extra ones so the manifest names exactly one`);
  }
  const application = found[0];
  if (!application) return { application: undefined, owners: new Set(), servicePrincipal: undefined, grants: [] };
  const id = encodeURIComponent(String(application['id']));
  const owners = await graph.list(`/applications/${id}/owners?$select=id,userPrincipalName`);
  const [servicePrincipal] = await graph.list(`/servicePrincipals?${eqFilter('appId', String(application['appId']))}`);
  const grants = servicePrincipal ? await graph.list(`/oauth2PermissionGrants?${eqFilter('clientId', String(servicePrincipal['id']))}`) : [];
  return {
    application,
    owners: new Set(owners.map((o) => String(o['userPrincipalName'] ?? '').toLowerCase()).filter(Boolean)),
    servicePrincipal,
    grants,
  };
}
