import type { DatabaseSync } from 'node:sqlite';
import type { Application, DirectoryObjectType, Group, ServicePrincipal, User } from './types.ts';

export interface TypeMap {
  user: User;
  group: Group;
  application: Application;
  servicePrincipal: ServicePrincipal;
}

export interface StoredObject<T> {
  tenantId: string;
  value: T;
}

/** JSON storage of Graph directory objects, one row per object. */
export function createObjectTable(db: DatabaseSync, clock: () => number) {
  const insertStmt = db.prepare('INSERT INTO directory_objects (id, tenant_id, type, lookup, json, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const updateStmt = db.prepare('UPDATE directory_objects SET json = ?, lookup = ? WHERE id = ? AND type = ?');
  const getStmt = db.prepare('SELECT tenant_id, json FROM directory_objects WHERE id = ? AND type = ?');
  const anyStmt = db.prepare('SELECT tenant_id, type, json FROM directory_objects WHERE id = ?');
  const lookupStmt = db.prepare('SELECT tenant_id, json FROM directory_objects WHERE tenant_id = ? AND type = ? AND lookup = ?');
  const listStmt = db.prepare('SELECT json FROM directory_objects WHERE tenant_id = ? AND type = ? ORDER BY created_at, id');
  const deleteStmt = db.prepare('DELETE FROM directory_objects WHERE id = ? AND type = ?');

  return {
    insert<K extends DirectoryObjectType>(type: K, tenantId: string, lookup: string | null, value: TypeMap[K] & { id: string }): void {
      insertStmt.run(value.id, tenantId, type, lookup, JSON.stringify(value), clock());
    },
    update<K extends DirectoryObjectType>(type: K, lookup: string | null, value: TypeMap[K] & { id: string }): void {
      updateStmt.run(JSON.stringify(value), lookup, value.id, type);
    },
    get<K extends DirectoryObjectType>(type: K, id: string): StoredObject<TypeMap[K]> | undefined {
      const row = getStmt.get(id, type) as { tenant_id: string; json: string } | undefined;
      return row ? { tenantId: row.tenant_id, value: JSON.parse(row.json) as TypeMap[K] } : undefined;
    },
    getAny(id: string): { tenantId: string; type: DirectoryObjectType; value: User | Group | Application | ServicePrincipal } | undefined {
      const row = anyStmt.get(id) as { tenant_id: string; type: DirectoryObjectType; json: string } | undefined;
      return row ? { tenantId: row.tenant_id, type: row.type, value: JSON.parse(row.json) } : undefined;
    },
    findByLookup<K extends DirectoryObjectType>(type: K, tenantId: string, lookup: string): TypeMap[K] | undefined {
      const row = lookupStmt.get(tenantId, type, lookup) as { json: string } | undefined;
      return row ? (JSON.parse(row.json) as TypeMap[K]) : undefined;
    },
    list<K extends DirectoryObjectType>(type: K, tenantId: string): Array<TypeMap[K]> {
      return (listStmt.all(tenantId, type) as Array<{ json: string }>).map((row) => JSON.parse(row.json) as TypeMap[K]);
    },
    delete(type: DirectoryObjectType, id: string): boolean {
      return Number(deleteStmt.run(id, type).changes) > 0;
    },
  };
}

export type ObjectTable = ReturnType<typeof createObjectTable>;
