import type { GraphCaller } from './authenticate.ts';
import { GraphError, INSUFFICIENT_PRIVILEGES } from './graph-error.ts';

/** How much of an object the caller may see (Graph's "limited information" rule for the rest). */
export type Access = 'full' | 'basic' | 'limited';

const DIRECTORY = ['Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];
const USERS_FULL = ['User.Read.All', 'User.ReadWrite.All', ...DIRECTORY];
const USERS_BASIC = ['User.ReadBasic.All'];
const SELF = ['User.Read', 'User.ReadWrite'];
const GROUPS = ['GroupMember.Read.All', 'GroupMember.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', ...DIRECTORY];
const SERVICE_PRINCIPALS = ['Application.Read.All', 'Application.ReadWrite.All', ...DIRECTORY];

function hasAny(caller: GraphCaller, names: readonly string[]): boolean {
  return names.some((name) => caller.permissions.has(name));
}

export function denied(): GraphError {
  return new GraphError(403, 'Authorization_RequestDenied', INSUFFICIENT_PRIVILEGES);
}

/** Whether the caller may list users at all (`User.Read` only ever reaches the signed-in user). */
export function canListUsers(caller: GraphCaller): boolean {
  return hasAny(caller, USERS_FULL) || (caller.kind === 'delegated' && hasAny(caller, USERS_BASIC));
}

/** What the caller may read of one user; undefined when nothing at all. */
export function userAccess(caller: GraphCaller, userId: string): Access | undefined {
  if (hasAny(caller, USERS_FULL)) return 'full';
  if (caller.kind !== 'delegated') return undefined;
  const self = userId.toLowerCase() === caller.objectId.toLowerCase();
  if (self && hasAny(caller, [...SELF, ...USERS_BASIC])) return 'full';
  return hasAny(caller, USERS_BASIC) ? 'basic' : undefined;
}

export function canReadGroups(caller: GraphCaller): boolean {
  return hasAny(caller, GROUPS);
}

export function groupAccess(caller: GraphCaller): Access {
  return canReadGroups(caller) ? 'full' : 'limited';
}

export function servicePrincipalAccess(caller: GraphCaller): Access {
  return hasAny(caller, SERVICE_PRINCIPALS) ? 'full' : 'limited';
}

export function requireAllowed(allowed: boolean): void {
  if (!allowed) throw denied();
}
