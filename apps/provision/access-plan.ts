/**
 * What a manifest app is given access to once it exists: admin consent to the APIs it calls
 * (delegated grants and application permissions) and the users assigned its own roles. Computing
 * only reads; each step's `apply` writes.
 */
import type { AppContext, PlanDeps, Step } from './app-plan.ts';
import type { AppState } from './app-state.ts';
import { provisionError } from './errors.ts';
import type { GraphClient, GraphObject } from './graph-client.ts';
import { sorted, str } from './json-read.ts';
import type { ManifestApp } from './manifest.ts';
import type { Resource } from './resources.ts';

/** A user's object id by UPN (owners, role assignments). */
export async function userId(graph: GraphClient, upn: string, cache: Map<string, string>): Promise<string> {
  const known = cache.get(upn.toLowerCase());
  if (known) return known;
  try {
    const user = await graph.get(`/users/${encodeURIComponent(upn)}?$select=id,userPrincipalName`);
    const id = str(user['id']);
    cache.set(upn.toLowerCase(), id);
    return id;
  } catch (error) {
    if ((error as { details?: { status?: number } }).details?.status === 404) throw provisionError('PROVISION_USER_NOT_FOUND', `no user ${upn} in the tenant`);
    throw error;
  }
}

async function assignedTo(graph: GraphClient, resourceSpId: string | undefined): Promise<GraphObject[]> {
  return resourceSpId ? graph.list(`/servicePrincipals/${encodeURIComponent(resourceSpId)}/appRoleAssignedTo`) : [];
}

/** Admin consent: one AllPrincipals oauth2PermissionGrant per resource, and an app-role assignment per application permission. */
export async function planConsent(
  required: Array<{ resource: Resource; scopes: Array<{ name: string; id: string | undefined }>; roles: Array<{ name: string; id: string | undefined }> }>,
  state: AppState,
  context: AppContext,
  deps: PlanDeps,
  steps: Step[],
  unchanged: string[],
): Promise<void> {
  const { graph } = deps;
  for (const r of required) {
    const resourceSp = () => {
      if (!r.resource.spId) throw provisionError('PROVISION_RESOURCE_NOT_FOUND', `${r.resource.displayName} has no service principal to grant on`);
      return r.resource.spId;
    };
    if (r.scopes.length > 0) {
      const wanted = sorted(r.scopes.map((s) => s.name));
      const grant = state.grants.find((g) => g['consentType'] === 'AllPrincipals' && g['resourceId'] === r.resource.spId);
      const have = sorted(str(grant?.['scope']).split(' ').filter(Boolean));
      const label = `admin consent to ${r.resource.displayName}: ${wanted.join(' ')}`;
      if (!grant) {
        steps.push({
          action: 'add',
          what: label,
          apply: async (ctx) => void (await graph.post('/oauth2PermissionGrants', { clientId: ctx.spId, consentType: 'AllPrincipals', resourceId: resourceSp(), scope: wanted.join(' ') })),
        });
      } else if (JSON.stringify(have) !== JSON.stringify(wanted)) {
        steps.push({ action: 'update', what: label, changes: [{ field: 'scope', from: have.join(' '), to: wanted.join(' ') }], apply: () => graph.patch(`/oauth2PermissionGrants/${encodeURIComponent(str(grant['id']))}`, { scope: wanted.join(' ') }) });
      } else unchanged.push(label);
    }
    if (r.roles.length > 0) {
      const assigned = context.spId ? (await assignedTo(graph, r.resource.spId)).filter((a) => a['principalId'] === context.spId).map((a) => str(a['appRoleId'])) : [];
      for (const role of r.roles) {
        const label = `application permission ${r.resource.displayName}: ${role.name}`;
        if (role.id && assigned.includes(role.id)) unchanged.push(label);
        else {
          steps.push({
            action: 'add',
            what: label,
            apply: async (ctx) => void (await graph.post(`/servicePrincipals/${resourceSp()}/appRoleAssignedTo`, { principalId: ctx.spId, resourceId: resourceSp(), appRoleId: role.id })),
          });
        }
      }
    }
  }
}

/** Users given this app's own roles (app-role assignments on its service principal). */
export async function planRoleAssignments(
  app: ManifestApp,
  roles: Array<{ id: string; value: string }>,
  context: AppContext,
  deps: PlanDeps,
  users: Map<string, string>,
  steps: Step[],
  unchanged: string[],
): Promise<void> {
  if (app.roleAssignments.length === 0) return;
  const { graph } = deps;
  const current = await assignedTo(graph, context.spId);
  for (const assignment of app.roleAssignments) {
    const role = roles.find((r) => r.value === assignment.role)!;
    const principalId = await userId(graph, assignment.user, users);
    const label = `role ${assignment.role} for ${assignment.user}`;
    if (current.some((a) => a['principalId'] === principalId && a['appRoleId'] === role.id)) unchanged.push(label);
    else {
      steps.push({
        action: 'add',
        what: label,
        apply: async (ctx) => void (await graph.post(`/servicePrincipals/${ctx.spId}/appRoleAssignedTo`, { principalId, resourceId: ctx.spId, appRoleId: role.id })),
      });
    }
  }
}
