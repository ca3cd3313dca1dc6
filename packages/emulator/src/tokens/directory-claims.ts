import type { Directory } from '../directory/directory.ts';
import type { AppRole, ServicePrincipal } from '../directory/types.ts';

/** Above this many groups Entra puts an overage pointer in a JWT instead of `groups`. */
export const GROUPS_OVERAGE_LIMIT = 200;

// Microsoft Graph's service principal has hundreds of app roles and a client holds a few: look the
// held ones up by id. Service principals come frozen from the directory's read cache, so an index
// per object stays valid for as long as the object is in use.
const rolesById = new WeakMap<ServicePrincipal, Map<string, AppRole>>();

function roleValues(resource: ServicePrincipal, roleIds: readonly string[], memberType: AppRole['allowedMemberTypes'][number]): string[] {
  let index = rolesById.get(resource);
  if (!index) {
    index = new Map(resource.appRoles.map((r) => [r.id, r]));
    if (Object.isFrozen(resource.appRoles)) rolesById.set(resource, index);
  }
  const values = new Set<string>();
  for (const id of roleIds) {
    const r = index.get(id);
    if (r && r.isEnabled && r.allowedMemberTypes.includes(memberType)) values.add(r.value);
  }
  return [...values].sort();
}

/** App roles a user holds on the resource, directly or through any (nested) group. */
export function userRoles(directory: Directory, resource: ServicePrincipal, userId: string): string[] {
  const principals = [userId, ...directory.memberships.transitiveGroupIds(userId)];
  return roleValues(resource, directory.roleAssignments.roleIds(resource.id, principals), 'User');
}

/** App roles (application permissions) assigned to the client's service principal on the resource. */
export function applicationRoles(directory: Directory, resource: ServicePrincipal, clientSpId: string): string[] {
  return roleValues(resource, directory.roleAssignments.roleIds(resource.id, [clientSpId]), 'Application');
}

/**
 * The `groups` claim when the app registration asks for it (groupMembershipClaims), or the overage
 * pointer (`_claim_names`/`_claim_sources`) above 200 groups, which apps resolve through Graph.
 */
export function groupClaims(
  directory: Directory,
  publicUrl: string,
  setting: 'None' | 'SecurityGroup' | 'All' | null,
  userId: string,
): Record<string, unknown> {
  if (setting !== 'SecurityGroup' && setting !== 'All') return {};
  const ids = directory.memberships.transitiveGroupIds(userId).filter((id) => {
    if (setting === 'All') return true;
    return directory.objects.get('group', id)?.value.securityEnabled === true;
  });
  if (ids.length === 0) return {};
  if (ids.length <= GROUPS_OVERAGE_LIMIT) return { groups: ids };
  return {
    _claim_names: { groups: 'src1' },
    _claim_sources: { src1: { endpoint: `${publicUrl}/v1.0/users/${userId}/getMemberObjects` } },
  };
}
