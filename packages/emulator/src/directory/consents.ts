import type { DatabaseSync } from 'node:sqlite';
import { createReadCache } from './read-cache.ts';

/** Granted delegated permissions (Graph's oauth2PermissionGrants); principal '' = admin consent for all users. */
export function createConsentTable(db: DatabaseSync) {
  const get = db.prepare(
    "SELECT scopes FROM consents WHERE tenant_id = ? AND client_app_id = ? AND resource_app_id = ? AND principal_id IN ('', ?)",
  );
  const upsert = db.prepare('INSERT OR REPLACE INTO consents (tenant_id, client_app_id, resource_app_id, principal_id, scopes) VALUES (?, ?, ?, ?, ?)');
  const own = db.prepare('SELECT scopes FROM consents WHERE tenant_id = ? AND client_app_id = ? AND resource_app_id = ? AND principal_id = ?');

  return {
    /** Scope values the client may use on the resource for this user. */
    grantedScopes(tenantId: string, clientAppId: string, resourceAppId: string, userId: string): Set<string> {
      const rows = get.all(tenantId, clientAppId, resourceAppId, userId) as Array<{ scopes: string }>;
      return new Set(rows.flatMap((r) => r.scopes.split(' ').filter(Boolean)));
    },
    grant(tenantId: string, clientAppId: string, resourceAppId: string, principalId: string, scopes: string[]): void {
      const row = own.get(tenantId, clientAppId, resourceAppId, principalId) as { scopes: string } | undefined;
      const merged = new Set([...(row?.scopes.split(' ').filter(Boolean) ?? []), ...scopes]);
      upsert.run(tenantId, clientAppId, resourceAppId, principalId, [...merged].sort().join(' '));
    },
  };
}

/** App role assignments: which users, groups or service principals hold which roles on a resource. */
export function createRoleAssignmentTable(db: DatabaseSync) {
  const add = db.prepare('INSERT OR IGNORE INTO app_role_assignments (id, tenant_id, principal_id, resource_id, app_role_id) VALUES (?, ?, ?, ?, ?)');
  // One statement per IN-list length, prepared once (a user's groups make the list).
  const statements = new Map<number, ReturnType<DatabaseSync['prepare']>>();
  const forPrincipals = (count: number) => {
    let statement = statements.get(count);
    if (!statement) {
      statement = db.prepare(`SELECT DISTINCT app_role_id FROM app_role_assignments WHERE resource_id = ? AND principal_id IN (${Array(count).fill('?').join(',')})`);
      statements.set(count, statement);
    }
    return statement;
  };

  // Every token for a resource asks which roles its caller holds there.
  const cache = createReadCache(db);
  return {
    assign(id: string, tenantId: string, principalId: string, resourceId: string, appRoleId: string): void {
      add.run(id, tenantId, principalId, resourceId, appRoleId);
      cache.clear();
    },
    /** Role ids held on the resource by any of the principals (a user and its groups, or an SP). */
    roleIds(resourceId: string, principalIds: string[]): readonly string[] {
      if (principalIds.length === 0) return [];
      return cache.get(`${resourceId}\0${principalIds.join(',')}`, () =>
        (forPrincipals(principalIds.length).all(resourceId, ...principalIds) as Array<{ app_role_id: string }>).map((r) => r.app_role_id),
      );
    },
  };
}
