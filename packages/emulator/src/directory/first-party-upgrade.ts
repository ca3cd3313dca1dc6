import { microsoftServicePrincipals } from '../protocol/microsoft-resources.ts';
import type { Directory } from './directory.ts';

/**
 * Microsoft's service principals (Graph, Storage) are written once per tenant. A data folder made
 * by an older emulator keeps the permission lists of that version; this brings their scopes and
 * app roles up to date at start, so permissions added since (e.g. User.ReadWrite.All) can be
 * granted and show in tokens. Ids and everything else stay as they are.
 */
export function upgradeFirstPartyPermissions(directory: Directory): void {
  const tenantIds = (directory.db.prepare('SELECT id FROM tenants').all() as Array<{ id: string }>).map((r) => r.id);
  for (const tenantId of tenantIds) {
    for (const current of microsoftServicePrincipals(tenantId)) {
      const stored = directory.findServicePrincipalByAppId(tenantId, current.appId);
      if (!stored) continue;
      const same = JSON.stringify(stored.oauth2PermissionScopes) === JSON.stringify(current.oauth2PermissionScopes) && JSON.stringify(stored.appRoles) === JSON.stringify(current.appRoles);
      if (same) continue;
      directory.objects.update('servicePrincipal', stored.appId, { ...stored, oauth2PermissionScopes: current.oauth2PermissionScopes, appRoles: current.appRoles });
    }
  }
}
