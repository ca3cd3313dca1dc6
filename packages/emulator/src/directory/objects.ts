import type { DatabaseSync } from 'node:sqlite';
import { createReadCache } from './read-cache.ts';
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

type AnyObject = { tenantId: string; type: DirectoryObjectType; value: User | Group | Application | ServicePrincipal };

/**
 * JSON storage of Graph directory objects, one row per object. Reads are served from a cache of
 * parsed, frozen objects (the token endpoint reads the same few apps and resources on every
 * request), dropped on every write through this table.
 */
export function createObjectTable(db: DatabaseSync, clock: () => number) {
  const insertStmt = db.prepare('INSERT INTO directory_objects (id, tenant_id, type, lookup, json, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const updateStmt = db.prepare('UPDATE directory_objects SET json = ?, lookup = ? WHERE id = ? AND type = ?');
  const getStmt = db.prepare('SELECT tenant_id, json FROM directory_objects WHERE id = ? AND type = ?');
  const anyStmt = db.prepare('SELECT tenant_id, type, json FROM directory_objects WHERE id = ?');
  const lookupStmt = db.prepare('SELECT tenant_id, json FROM directory_objects WHERE tenant_id = ? AND type = ? AND lookup = ?');
  const lookupAnyTenantStmt = db.prepare('SELECT tenant_id, json FROM directory_objects WHERE type = ? AND lookup = ? ORDER BY created_at LIMIT 1');
  const listStmt = db.prepare('SELECT json FROM directory_objects WHERE tenant_id = ? AND type = ? ORDER BY created_at, id');
  const deleteStmt = db.prepare('DELETE FROM directory_objects WHERE id = ? AND type = ?');
  const cache = createReadCache(db);
  const cached = cache.get;

  return {
    /** Memoises another directory lookup in the same cache (same invalidation). */
    memo: cached,
    /** For writes to directory tables other than this one (tenants). */
    invalidate: () => cache.clear(),
    insert<K extends DirectoryObjectType>(type: K, tenantId: string, lookup: string | null, value: TypeMap[K] & { id: string }): void {
      insertStmt.run(value.id, tenantId, type, lookup, JSON.stringify(value), clock());
      cache.clear();
    },
    update<K extends DirectoryObjectType>(type: K, lookup: string | null, value: TypeMap[K] & { id: string }): void {
      updateStmt.run(JSON.stringify(value), lookup, value.id, type);
      cache.clear();
    },
    get<K extends DirectoryObjectType>(type: K, id: string): StoredObject<TypeMap[K]> | undefined {
      return cached(`get\0${type}\0${id}`, () => {
        const row = getStmt.get(id, type) as { tenant_id: string; json: string } | undefined;
        return row ? { tenantId: row.tenant_id, value: JSON.parse(row.json) as TypeMap[K] } : undefined;
      });
    },
    getAny(id: string): AnyObject | undefined {
      return cached(`any\0${id}`, () => {
        const row = anyStmt.get(id) as { tenant_id: string; type: DirectoryObjectType; json: string } | undefined;
        return row ? { tenantId: row.tenant_id, type: row.type, value: JSON.parse(row.json) } : undefined;
      });
    },
    findByLookup<K extends DirectoryObjectType>(type: K, tenantId: string, lookup: string): TypeMap[K] | undefined {
      return cached(`lookup\0${type}\0${tenantId}\0${lookup.toLowerCase()}`, () => {
        const row = lookupStmt.get(tenantId, type, lookup) as { json: string } | undefined;
        return row ? (JSON.parse(row.json) as TypeMap[K]) : undefined;
      });
    },
    /** The first object of that type with that natural key in any tenant (app registrations by appId). */
    findByLookupAnyTenant<K extends DirectoryObjectType>(type: K, lookup: string): StoredObject<TypeMap[K]> | undefined {
      return cached(`lookup-any\0${type}\0${lookup.toLowerCase()}`, () => {
        const row = lookupAnyTenantStmt.get(type, lookup) as { tenant_id: string; json: string } | undefined;
        return row ? { tenantId: row.tenant_id, value: JSON.parse(row.json) as TypeMap[K] } : undefined;
      });
    },
    list<K extends DirectoryObjectType>(type: K, tenantId: string): ReadonlyArray<TypeMap[K]> {
      return cached(`list\0${type}\0${tenantId}`, () =>
        (listStmt.all(tenantId, type) as Array<{ json: string }>).map((row) => JSON.parse(row.json) as TypeMap[K]),
      );
    },
    delete(type: DirectoryObjectType, id: string): boolean {
      const deleted = Number(deleteStmt.run(id, type).changes) > 0;
      cache.clear();
      return deleted;
    },
  };
}

export type ObjectTable = ReturnType<typeof createObjectTable>;
