import { createHmac } from 'node:crypto';
import type { Directory } from '../directory/directory.ts';
import type { ServicePrincipal } from '../directory/types.ts';

export type ManagedIdentityKind = 'SystemAssigned' | 'UserAssigned';

/** A managed identity: its service principal (type ManagedIdentity) and the Azure resource it belongs to. */
export interface ManagedIdentity {
  tenantId: string;
  kind: ManagedIdentityKind;
  name: string;
  /** The service principal's object id (`oid` and `sub` of its tokens). */
  principalId: string;
  /** The service principal's appId (what `client_id` names). */
  clientId: string;
  /** Azure resource id (`xms_mirid`): the VM or app for system-assigned, the identity resource for user-assigned. */
  resourceId: string;
}

export interface NewManagedIdentity {
  tenantId: string;
  kind: ManagedIdentityKind;
  name: string;
  principalId: string;
  clientId: string;
  resourceId: string;
}

/** The service principal Entra creates for a managed identity: no app registration, no scopes. */
export function managedIdentityPrincipal(identity: NewManagedIdentity): ServicePrincipal {
  return {
    id: identity.principalId,
    appId: identity.clientId,
    displayName: identity.name,
    servicePrincipalType: 'ManagedIdentity',
    accountEnabled: true,
    appRoles: [],
    oauth2PermissionScopes: [],
    servicePrincipalNames: [identity.clientId, `https://identity.azure.net/${identity.clientId}`],
    accessTokenVersion: 1,
    appOwnerOrganizationId: null,
    alternativeNames: [`isExplicit=${identity.kind === 'UserAssigned' ? 'True' : 'False'}`, identity.resourceId],
  };
}

/**
 * Managed identities by client id, object id and resource id (lookups IMDS and App Service accept).
 * A table of its own next to the directory objects, which hold the service principals.
 */
export function createManagedIdentityTable(directory: Directory) {
  const db = directory.db;
  db.exec(`CREATE TABLE IF NOT EXISTS managed_identities (
    principal_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE, resource_id TEXT NOT NULL UNIQUE COLLATE NOCASE)`);
  const columns = 'principal_id AS principalId, tenant_id AS tenantId, kind, name, client_id AS clientId, resource_id AS resourceId';
  const byKey = db.prepare(`SELECT ${columns} FROM managed_identities WHERE client_id = ? OR principal_id = ? OR resource_id = ?`);
  const system = db.prepare(`SELECT ${columns} FROM managed_identities WHERE kind = 'SystemAssigned' ORDER BY rowid LIMIT 1`);
  const all = db.prepare(`SELECT ${columns} FROM managed_identities ORDER BY rowid`);
  const insert = db.prepare('INSERT INTO managed_identities (principal_id, tenant_id, kind, name, client_id, resource_id) VALUES (?, ?, ?, ?, ?, ?)');
  const copy = (row: unknown): ManagedIdentity | undefined => (row ? { ...(row as ManagedIdentity) } : undefined);
  return {
    /** Inserts the identity's service principal and its row (in the caller's transaction, if any). */
    add(identity: NewManagedIdentity): void {
      directory.objects.insert('servicePrincipal', identity.tenantId, identity.clientId, managedIdentityPrincipal(identity));
      insert.run(identity.principalId, identity.tenantId, identity.kind, identity.name, identity.clientId, identity.resourceId);
    },
    /** A user-assigned identity named by client id, object (principal) id or resource id; case-insensitive ids. */
    find(id: string): ManagedIdentity | undefined {
      const lower = id.toLowerCase();
      return copy(byKey.get(lower, lower, id));
    },
    /** The host's system-assigned identity (the first declared). */
    systemAssigned(): ManagedIdentity | undefined {
      return copy(system.get());
    },
    list(): ManagedIdentity[] {
      return all.all().map((r) => copy(r)!);
    },
  };
}

/**
 * The secret App Service puts in IDENTITY_HEADER: derived from the emulator's own secret, so it is
 * stable across restarts on a data folder and never stored twice.
 */
export function identityHeaderValue(secret: Uint8Array): string {
  return createHmac('sha256', secret).update('managed-identity:identity-header').digest('base64url');
}

export const APP_SERVICE_PATH = '/msi/token';
export const IMDS_PATH = '/metadata/identity/oauth2/token';

/** dev.json's `managedIdentity` block; undefined when the directory has no managed identity. */
export function managedIdentityDevJson(directory: Directory, publicUrl: string, secret: Uint8Array) {
  const identities = createManagedIdentityTable(directory).list();
  if (identities.length === 0) return undefined;
  const userAssigned = identities.find((i) => i.kind === 'UserAssigned');
  return {
    identityEndpoint: `${publicUrl}${APP_SERVICE_PATH}`,
    identityHeader: identityHeaderValue(secret),
    imdsEndpoint: publicUrl,
    ...(userAssigned ? { clientId: userAssigned.clientId } : {}),
    identities: identities.map((i) => ({ name: i.name, type: i.kind, tenantId: i.tenantId, clientId: i.clientId, principalId: i.principalId, resourceId: i.resourceId })),
  };
}
