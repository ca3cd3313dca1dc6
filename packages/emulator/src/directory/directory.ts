import type { DatabaseSync } from 'node:sqlite';
import { createConsentTable, createRoleAssignmentTable } from './consents.ts';
import { createCredentialStore } from './credentials.ts';
import { openDirectoryDatabase } from './database.ts';
import { createMembershipTable } from './memberships.ts';
import { createDirectoryRoleTable } from './directory-roles.ts';
import { createOwnerTable } from './owners.ts';
import { createRevocationTable } from './sign-in-revocations.ts';
import { createStepUpTables } from './step-up.ts';
import { createObjectTable } from './objects.ts';
import { createTokenLifetimeTable } from './token-lifetimes.ts';
import type { Application, ServicePrincipal, Tenant, User } from './types.ts';
import { GUID } from 'entrakit/internal';


/** The emulator's directory: tenants, users, groups, app registrations and what was granted. */
export function createDirectory(options: { path: string; clock?: () => number }) {
  const clock = options.clock ?? Date.now;
  const db: DatabaseSync = openDirectoryDatabase(options.path);
  const objects = createObjectTable(db, clock);
  const tenantById = db.prepare('SELECT id, domain, display_name FROM tenants WHERE id = ? OR domain = ?');
  const insertTenant = db.prepare('INSERT INTO tenants (id, domain, display_name) VALUES (?, ?, ?)');
  const firstTenant = db.prepare('SELECT id, domain, display_name FROM tenants ORDER BY rowid LIMIT 1');
  const revocations = createRevocationTable(db);
  const toTenant = (row: unknown): Tenant | undefined => {
    const r = row as { id: string; domain: string; display_name: string } | undefined;
    return r ? { id: r.id, domain: r.domain, displayName: r.display_name } : undefined;
  };

  return {
    db,
    objects,
    credentials: createCredentialStore(db, clock),
    memberships: createMembershipTable(db),
    consents: createConsentTable(db),
    roleAssignments: createRoleAssignmentTable(db),
    /** Directory (admin) roles by template id: the `wids` claim and Graph's write checks. */
    directoryRoles: createDirectoryRoleTable(db),
    owners: createOwnerTable(db),
    /** Users' second factors (TOTP) and tenants' authentication contexts (c1..c99). */
    stepUp: createStepUpTables(db),
    /** Token lifetimes set in the tenant file, per tenant and per app. */
    tokenLifetimes: createTokenLifetimeTable(db),

    /** Records Graph's revokeSignInSessions for the user. */
    revokeSignInSessions(userId: string, at: number): void {
      revocations.revoke(userId, at);
    },
    /** When the user's sessions were last revoked (ms since the epoch); tokens and sessions older than this are void. */
    revokedAt(userId: string): number | undefined {
      return revocations.revokedAt(userId);
    },

    /**
     * Deletes a user or group and every edge naming it: group memberships (both ways), ownerships,
     * directory roles and app-role assignments. Answers false when there was no such object.
     */
    deleteUserOrGroup(type: 'user' | 'group', id: string): boolean {
      if (!objects.get(type, id)) return false;
      this.memberships.removeObject(id);
      this.owners.removeAll(id);
      this.owners.removeOwnerEverywhere(id);
      this.directoryRoles.removePrincipal(id);
      this.roleAssignments.removeFor(id);
      return objects.delete(type, id);
    },
    /** A user's userPrincipalName is unique in the tenant, whatever its case. */
    userPrincipalNameTaken(tenantId: string, userPrincipalName: string, exceptId?: string): boolean {
      const wanted = userPrincipalName.toLowerCase();
      return objects.list('user', tenantId).some((u) => u.id !== exceptId && u.userPrincipalName.toLowerCase() === wanted);
    },

    addTenant(tenant: Tenant): void {
      insertTenant.run(tenant.id, tenant.domain, tenant.displayName);
      objects.invalidate();
    },
    /** A tenant by GUID or verified domain (case-insensitive). */
    findTenant(idOrDomain: string): Tenant | undefined {
      return objects.memo(`tenant\0${idOrDomain.toLowerCase()}`, () => toTenant(tenantById.get(idOrDomain.toLowerCase(), idOrDomain)));
    },
    defaultTenant(): Tenant | undefined {
      return toTenant(firstTenant.get());
    },
    findUserByUsername(tenantId: string, username: string): User | undefined {
      return objects.findByLookup('user', tenantId, username);
    },
    /** Users sign in to multi-tenant authorities too: the UPN's domain picks the home tenant. */
    findUserAnywhere(username: string): { tenantId: string; user: User } | undefined {
      const domain = username.split('@')[1];
      const tenant = domain ? this.findTenant(domain) : undefined;
      const user = tenant ? objects.findByLookup('user', tenant.id, username) : undefined;
      return tenant && user ? { tenantId: tenant.id, user } : undefined;
    },
    /** An app registration by client id, from any tenant (multi-tenant apps sign in everywhere). */
    findApplicationByClientId(clientId: string): { tenantId: string; app: Application } | undefined {
      if (!GUID.test(clientId)) return undefined;
      const found = objects.findByLookupAnyTenant('application', clientId);
      return found ? { tenantId: found.tenantId, app: found.value } : undefined;
    },
    findServicePrincipalByAppId(tenantId: string, appId: string): ServicePrincipal | undefined {
      return objects.findByLookup('servicePrincipal', tenantId, appId);
    },
    /**
     * The resource a scope or `.default` names: by appId, or by any service principal name
     * (App ID URI such as `api://...` or `https://graph.microsoft.com`), with or without trailing slash.
     */
    findResource(tenantId: string, identifier: string): ServicePrincipal | undefined {
      const byAppId = GUID.test(identifier) ? objects.findByLookup('servicePrincipal', tenantId, identifier) : undefined;
      if (byAppId) return byAppId;
      const wanted = identifier.replace(/\/+$/, '').toLowerCase();
      return objects
        .list('servicePrincipal', tenantId)
        .find((sp) => sp.servicePrincipalNames.some((name) => name.replace(/\/+$/, '').toLowerCase() === wanted));
    },
    close(): void {
      db.close();
    },
  };
}

export type Directory = ReturnType<typeof createDirectory>;
