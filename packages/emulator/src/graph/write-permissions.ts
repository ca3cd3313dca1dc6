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

/** Directory roles that may create, change and delete users (Graph's delegated user writes). */
const USER_ADMIN_ROLES = new Set<string>([DIRECTORY_ROLES.globalAdministrator, DIRECTORY_ROLES.userAdministrator]);
/** Directory roles that may manage any group. */
const GROUP_ADMIN_ROLES = new Set<string>([DIRECTORY_ROLES.globalAdministrator, DIRECTORY_ROLES.userAdministrator, DIRECTORY_ROLES.groupsAdministrator]);

/**
 * POST/PATCH/DELETE /users: User.ReadWrite.All (or Directory.ReadWrite.All), and for delegated
 * calls the User Administrator or Global Administrator role. `accountEnabled` alone may also be
 * changed with User.EnableDisableAccount.All.
 */
export function requireUserWrite(directory: Directory, caller: GraphCaller, options: { accountEnabledOnly?: boolean } = {}): void {
  const permissions = ['User.ReadWrite.All', 'Directory.ReadWrite.All', ...(options.accountEnabledOnly ? ['User.EnableDisableAccount.All'] : [])];
  requireWrite(directory, caller, permissions, USER_ADMIN_ROLES);
}

/** POST /groups: Group.ReadWrite.All, Group.Create or Directory.ReadWrite.All; delegated also a group-managing role. */
export function requireGroupCreate(directory: Directory, caller: GraphCaller): void {
  requireWrite(directory, caller, ['Group.ReadWrite.All', 'Group.Create', 'Directory.ReadWrite.All'], GROUP_ADMIN_ROLES);
}

function ownsGroup(directory: Directory, caller: GraphCaller, groupId: string): boolean {
  return caller.kind === 'delegated' && directory.owners.ownerIds(groupId).includes(caller.objectId.toLowerCase());
}

/** PATCH/DELETE /groups/{id}: Group.ReadWrite.All; delegated, a group-managing role or owning the group. */
export function requireGroupWrite(directory: Directory, caller: GraphCaller, groupId: string): void {
  const granted = ['Group.ReadWrite.All', 'Directory.ReadWrite.All'].some((p) => caller.permissions.has(p));
  requireAllowed(granted && (caller.kind === 'app' || isAdmin(directory, caller, GROUP_ADMIN_ROLES) || ownsGroup(directory, caller, groupId)));
}

/** members/$ref and owners/$ref: GroupMember.ReadWrite.All too; delegated, a group-managing role or owning the group. */
export function requireGroupMemberWrite(directory: Directory, caller: GraphCaller, groupId: string): void {
  const granted = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'].some((p) => caller.permissions.has(p));
  requireAllowed(granted && (caller.kind === 'app' || isAdmin(directory, caller, GROUP_ADMIN_ROLES) || ownsGroup(directory, caller, groupId)));
}

/** roleManagement/directory/roleAssignments writes: RoleManagement.ReadWrite.Directory; delegated, a Privileged Role Administrator or Global Administrator. */
export function requireDirectoryRoleWrite(directory: Directory, caller: GraphCaller): void {
  requireWrite(directory, caller, ['RoleManagement.ReadWrite.Directory'], new Set([DIRECTORY_ROLES.globalAdministrator, DIRECTORY_ROLES.privilegedRoleAdministrator]));
}

export function requireDirectoryRoleRead(caller: GraphCaller): void {
  requireAllowed(['RoleManagement.Read.Directory', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All', 'Directory.ReadWrite.All'].some((p) => caller.permissions.has(p)));
}
