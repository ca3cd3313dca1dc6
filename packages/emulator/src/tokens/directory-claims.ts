import type { Directory } from '../directory/directory.ts';
import type { AppRole, ServicePrincipal } from '../directory/types.ts';

/** Above this many groups Entra puts an overage pointer in a JWT instead of `groups`. */
export const GROUPS_OVERAGE_LIMIT = 200;

function roleValues(resource: ServicePrincipal, roleIds: readonly string[], memberType: AppRole['allowedMemberTypes'][number]): string[] {
  const held = new Set(roleIds);
  return resource.appRoles
    .filter((r) => held.has(r.id) && r.isEnabled && r.allowedMemberTypes.includes(memberType))
    .map((r) => r.value)
    .sort();
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
