import type { Directory } from '../directory/directory.ts';
import type { Group, ServicePrincipal, User } from '../directory/types.ts';
import type { GraphCaller } from './authenticate.ts';
import { GROUP_SHAPE, SERVICE_PRINCIPAL_SHAPE, toItem, USER_SHAPE, type DirectoryItem } from './entity-shapes.ts';
import { GraphError, resourceNotFound } from './graph-error.ts';
import { groupAccess, servicePrincipalAccess, userAccess } from './permissions.ts';
import { GUID } from 'entrakit/internal';

const MAX_KEY_LENGTH = 1024;

/** A user of the caller's tenant by object id or userPrincipalName; 404 otherwise (other tenants included). */
export function findUser(directory: Directory, tenantId: string, idOrUpn: string): User {
  if (idOrUpn.length > MAX_KEY_LENGTH) throw resourceNotFound(idOrUpn);
  if (GUID.test(idOrUpn)) {
    const stored = directory.objects.get('user', idOrUpn.toLowerCase());
    if (stored?.tenantId === tenantId) return stored.value;
  } else if (idOrUpn.includes('@')) {
    const user = directory.objects.findByLookup('user', tenantId, idOrUpn);
    if (user) return user;
  }
  throw resourceNotFound(idOrUpn);
}

/** A group of the caller's tenant; group keys must be object ids, as in Graph. */
export function findGroup(directory: Directory, tenantId: string, id: string): Group {
  if (!GUID.test(id)) throw new GraphError(400, 'Request_BadRequest', `Invalid object identifier '${id.slice(0, 200)}'.`);
  const stored = directory.objects.get('group', id.toLowerCase());
  if (stored?.tenantId !== tenantId) throw resourceNotFound(id);
  return stored.value;
}

/** Groups by id, skipping any that vanished or live in another tenant. */
export function groupsById(directory: Directory, tenantId: string, ids: readonly string[]): Group[] {
  return ids.flatMap((id) => {
    const stored = directory.objects.get('group', id);
    return stored?.tenantId === tenantId ? [stored.value] : [];
  });
}

/** Any directory objects, each reduced to what the caller may read of its type. */
export function directoryItems(directory: Directory, caller: GraphCaller, ids: readonly string[]): DirectoryItem[] {
  return ids.flatMap((id): DirectoryItem[] => {
    const stored = directory.objects.getAny(id);
    if (stored?.tenantId !== caller.tenantId) return [];
    if (stored.type === 'user') return [toItem(USER_SHAPE, stored.value as User, userAccess(caller, id) ?? 'limited')];
    if (stored.type === 'group') return [toItem(GROUP_SHAPE, stored.value as Group, groupAccess(caller))];
    if (stored.type === 'servicePrincipal') return [toItem(SERVICE_PRINCIPAL_SHAPE, stored.value as ServicePrincipal, servicePrincipalAccess(caller))];
    return [];
  });
}

/** Members of a group and of every group nested in it, each once (cycles tolerated). */
export function transitiveMemberIds(directory: Directory, groupId: string): string[] {
  const seen = new Set<string>([groupId]);
  const result: string[] = [];
  const queue = [groupId];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const member of directory.memberships.memberIds(current)) {
      if (seen.has(member)) continue;
      seen.add(member);
      result.push(member);
      queue.push(member);
    }
  }
  return result;
}
