import { stableGuid } from '../directory/ids.ts';
import type { Directory } from '../directory/directory.ts';
import type { AppRole } from '../directory/types.ts';
import { createManagedIdentityTable } from '../protocol/managed-identities.ts';
import type { ConfigTenant } from './schema.ts';

/**
 * The tenant file's managed identities: each a service principal of type ManagedIdentity (GUIDs
 * derived from its name unless given, a made-up Azure resource id unless given) holding the app
 * roles it lists. `resourceOf` and `spOf` are the tenant's resolvers, references already checked.
 */
export function applyManagedIdentities(
  directory: Directory,
  tid: string,
  tenant: ConfigTenant,
  resourceOf: (ref: string) => { appId: string; roles: AppRole[] },
  spOf: (appId: string) => string,
): void {
  const identities = createManagedIdentityTable(directory);
  for (const m of tenant.managedIdentities) {
    const kind = m.type;
    const identity = {
      tenantId: tid,
      kind,
      name: m.name,
      clientId: (m.clientId ?? stableGuid(`config-mi-client:${tid}:${m.name}`)).toLowerCase(),
      principalId: (m.principalId ?? stableGuid(`config-mi:${tid}:${m.name}`)).toLowerCase(),
      resourceId:
        m.resourceId ??
        `/subscriptions/${stableGuid(`config-subscription:${tid}`)}/resourcegroups/${tenant.domain.split('.')[0]}/providers/${kind === 'UserAssigned' ? 'Microsoft.ManagedIdentity/userAssignedIdentities' : 'Microsoft.Compute/virtualMachines'}/${m.name}`,
    };
    identities.add(identity);
    for (const g of m.roles) {
      const r = resourceOf(g.resource);
      for (const v of g.roles) {
        const role = r.roles.find((x) => x.value === v)!;
        directory.roleAssignments.assign(stableGuid(`config-assign:${identity.principalId}:${role.id}`), tid, identity.principalId, spOf(r.appId), role.id);
      }
    }
  }
}
