import type { DatabaseSync } from 'node:sqlite';
import { createReadCache } from './read-cache.ts';

export interface ConsentRow {
  clientAppId: string;
  resourceAppId: string;
  principalId: string;
  scopes: string[];
}

export interface RoleAssignmentRow {
  id: string;
  tenantId: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

/** Granted delegated permissions (Graph's oauth2PermissionGrants); principal '' = admin consent for all users. */
export function createConsentTable(db: DatabaseSync) {
  const get = db.prepare(
    "SELECT scopes FROM consents WHERE tenant_id = ? AND client_app_id = ? AND resource_app_id = ? AND principal_id IN ('', ?)",
  );
  const upsert = db.prepare('INSERT OR REPLACE INTO consents (tenant_id, client_app_id, resource_app_id, principal_id, scopes) VALUES (?, ?, ?, ?, ?)');
  const own = db.prepare('SELECT scopes FROM consents WHERE tenant_id = ? AND client_app_id = ? AND resource_app_id = ? AND principal_id = ?');
  // --- Graph oauth2PermissionGrants: list, replace and delete grants as whole rows.
  const all = db.prepare('SELECT client_app_id, resource_app_id, principal_id, scopes FROM consents WHERE tenant_id = ? ORDER BY rowid');
  const remove = db.prepare('DELETE FROM consents WHERE tenant_id = ? AND client_app_id = ? AND resource_app_id = ? AND principal_id = ?');
  const removeClient = db.prepare('DELETE FROM consents WHERE tenant_id = ? AND client_app_id = ?');

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
    /** Every grant in the tenant; principal '' is consent for all users. */
    list(tenantId: string): ConsentRow[] {
      return (all.all(tenantId) as Array<{ client_app_id: string; resource_app_id: string; principal_id: string; scopes: string }>).map((r) => ({
        clientAppId: r.client_app_id,
        resourceAppId: r.resource_app_id,
        principalId: r.principal_id,
        scopes: r.scopes.split(' ').filter(Boolean),
      }));
    },
    /** Sets a grant's scopes exactly (PATCH of an oauth2PermissionGrant). */
    replace(tenantId: string, clientAppId: string, resourceAppId: string, principalId: string, scopes: string[]): void {
      upsert.run(tenantId, clientAppId, resourceAppId, principalId, [...new Set(scopes)].join(' '));
    },
    revoke(tenantId: string, clientAppId: string, resourceAppId: string, principalId: string): boolean {
      return Number(remove.run(tenantId, clientAppId, resourceAppId, principalId).changes) > 0;
    },
    /** Every grant made to a client that is being deleted. */
    revokeClient(tenantId: string, clientAppId: string): void {
      removeClient.run(tenantId, clientAppId);
    },
  };
}

/** App role assignments: which users, groups or service principals hold which roles on a resource. */
export function createRoleAssignmentTable(db: DatabaseSync) {
  const add = db.prepare('INSERT OR IGNORE INTO app_role_assignments (id, tenant_id, principal_id, resource_id, app_role_id) VALUES (?, ?, ?, ?, ?)');
  // --- Graph appRoleAssignedTo / appRoleAssignments: read and delete single assignments.
  const columns = 'id, tenant_id AS tenantId, principal_id AS principalId, resource_id AS resourceId, app_role_id AS appRoleId';
  const byResource = db.prepare(`SELECT ${columns} FROM app_role_assignments WHERE resource_id = ? ORDER BY rowid`);
  const byPrincipal = db.prepare(`SELECT ${columns} FROM app_role_assignments WHERE principal_id = ? ORDER BY rowid`);
  const byId = db.prepare(`SELECT ${columns} FROM app_role_assignments WHERE id = ?`);
  const existing = db.prepare(`SELECT ${columns} FROM app_role_assignments WHERE principal_id = ? AND resource_id = ? AND app_role_id = ?`);
  const removeOne = db.prepare('DELETE FROM app_role_assignments WHERE id = ?');
  const removeFor = db.prepare('DELETE FROM app_role_assignments WHERE principal_id = ? OR resource_id = ?');
  const rows = (list: unknown[]) => list.map((r) => ({ ...(r as RoleAssignmentRow) }));
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
    onResource(resourceId: string): RoleAssignmentRow[] {
      return rows(byResource.all(resourceId));
    },
    ofPrincipal(principalId: string): RoleAssignmentRow[] {
      return rows(byPrincipal.all(principalId));
    },
    get(id: string): RoleAssignmentRow | undefined {
      const row = byId.get(id);
      return row ? { ...(row as unknown as RoleAssignmentRow) } : undefined;
    },
    find(principalId: string, resourceId: string, appRoleId: string): RoleAssignmentRow | undefined {
      const row = existing.get(principalId, resourceId, appRoleId);
      return row ? { ...(row as unknown as RoleAssignmentRow) } : undefined;
    },
    remove(id: string): boolean {
      const removed = Number(removeOne.run(id).changes) > 0;
      cache.clear();
      return removed;
    },
    /** Assignments held by or granted on a principal that is being deleted. */
    removeFor(principalId: string): void {
      removeFor.run(principalId, principalId);
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
