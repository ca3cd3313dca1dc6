import type { Directory } from '../directory/directory.ts';
import { DIRECTORY_ROLES } from '../directory/directory-roles.ts';
import type { GraphCaller } from './authenticate.ts';
import { requireAllowed } from './permissions.ts';

/** Directory roles that may manage app registrations and grants on behalf of the tenant. */
const APP_ADMIN_ROLES = new Set<string>([
  DIRECTORY_ROLES.globalAdministrator,
  DIRECTORY_ROLES.applicationAdministrator,
  DIRECTORY_ROLES.cloudApplicationAdministrator,
]);
/** Granting app roles and delegated permissions to others is reserved to these. */
const CONSENT_ADMIN_ROLES = new Set<string>([...APP_ADMIN_ROLES, DIRECTORY_ROLES.privilegedRoleAdministrator]);

function isAdmin(directory: Directory, caller: GraphCaller, roles: ReadonlySet<string>): boolean {
  return directory.directoryRoles.templateIds(caller.objectId.toLowerCase()).some((id) => roles.has(id));
}

/**
 * A delegated write needs the permission in `scp` AND a directory role on the user (Graph
 * intersects the app's and the user's rights); an app-only write needs it in `roles`.
 */
function requireWrite(directory: Directory, caller: GraphCaller, permissions: readonly string[], roles: ReadonlySet<string>): void {
  const granted = permissions.some((p) => caller.permissions.has(p));
  requireAllowed(granted && (caller.kind === 'app' || isAdmin(directory, caller, roles)));
}

export function requireApplicationWrite(directory: Directory, caller: GraphCaller): void {
  requireWrite(directory, caller, ['Application.ReadWrite.All', 'Directory.ReadWrite.All'], APP_ADMIN_ROLES);
}

export function canReadApplications(caller: GraphCaller): boolean {
  return ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'].some((p) => caller.permissions.has(p));
}

export function requireApplicationRead(caller: GraphCaller): void {
  requireAllowed(canReadApplications(caller));
}

export function requirePermissionGrantWrite(directory: Directory, caller: GraphCaller): void {
  requireWrite(directory, caller, ['DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'], CONSENT_ADMIN_ROLES);
}

export function requirePermissionGrantRead(caller: GraphCaller): void {
  requireAllowed(['DelegatedPermissionGrant.Read.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'].some((p) => caller.permissions.has(p)));
}

export function requireRoleAssignmentWrite(directory: Directory, caller: GraphCaller): void {
  requireWrite(directory, caller, ['AppRoleAssignment.ReadWrite.All', 'Directory.ReadWrite.All'], CONSENT_ADMIN_ROLES);
}

/** revokeSignInSessions: one's own sessions with the permission alone; another user's needs an administrator too. */
export function requireSessionRevocation(directory: Directory, caller: GraphCaller, userId: string): void {
  const permissions = ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
  if (caller.kind === 'delegated' && caller.objectId.toLowerCase() === userId) {
    requireAllowed(permissions.some((p) => caller.permissions.has(p)));
    return;
  }
  requireWrite(directory, caller, permissions, new Set([DIRECTORY_ROLES.globalAdministrator]));
}
