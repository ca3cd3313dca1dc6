import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { Directory } from '../directory/directory.ts';
import { newGuid } from '../directory/ids.ts';
import { servicePrincipalFor } from '../directory/registration.ts';
import type { RoleAssignmentRow } from '../directory/consents.ts';
import type { Group, ServicePrincipal, User } from '../directory/types.ts';
import { GUID } from 'entrakit/internal';
import { servicePrincipalJson } from './application-shape.ts';
import type { GraphCaller } from './authenticate.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError, resourceNotFound } from './graph-error.ts';
import { collectionResponse, contextUrl, entityBody } from './odata-response.ts';
import { recordItem, ROLE_ASSIGNMENT_RECORD, SERVICE_PRINCIPAL_RECORD } from './record-shapes.ts';
import { invalidValue, readJsonObject, unknownProperty } from './request-body.ts';
import { requireApplicationRead, requireApplicationWrite, requireRoleAssignmentWrite } from './write-permissions.ts';

/** The role every user assignment may use when the resource defines no roles ("Default Access"). */
const DEFAULT_ACCESS_ROLE = '00000000-0000-0000-0000-000000000000';

export function findServicePrincipal(directory: Directory, tenantId: string, id: string): ServicePrincipal {
  const stored = GUID.test(id) ? directory.objects.get('servicePrincipal', id.toLowerCase()) : undefined;
  if (stored?.tenantId !== tenantId) throw resourceNotFound(id);
  return stored.value;
}

function principalOf(directory: Directory, tenantId: string, id: string): { type: 'User' | 'Group' | 'ServicePrincipal'; displayName: string } {
  const stored = GUID.test(id) ? directory.objects.getAny(id.toLowerCase()) : undefined;
  if (stored?.tenantId !== tenantId) throw resourceNotFound(id);
  if (stored.type === 'user') return { type: 'User', displayName: (stored.value as User).displayName };
  if (stored.type === 'group') return { type: 'Group', displayName: (stored.value as Group).displayName };
  if (stored.type === 'servicePrincipal') return { type: 'ServicePrincipal', displayName: (stored.value as ServicePrincipal).displayName };
  throw resourceNotFound(id);
}

/**
 * Service principals (`GET/POST /servicePrincipals`, `GET/DELETE /servicePrincipals/{id}`) and
 * app role assignments on them (`appRoleAssignedTo`: application permissions granted to other
 * apps, and users or groups assigned to the app's roles), plus `appRoleAssignments` they hold.
 */
export function servicePrincipalsRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder, clock } = context;
  const appOf = (sp: ServicePrincipal) => directory.findApplicationByClientId(sp.appId)?.app;
  const item = (sp: ServicePrincipal) => recordItem(SERVICE_PRINCIPAL_RECORD, servicePrincipalJson(sp, appOf(sp)));
  const target = (c: Context<GraphEnv>) => findServicePrincipal(directory, c.get('caller').tenantId, c.req.param('id') ?? '');

  const assignmentJson = (caller: GraphCaller, row: RoleAssignmentRow): Record<string, unknown> => {
    const principal = directory.objects.getAny(row.principalId);
    const resource = directory.objects.get('servicePrincipal', row.resourceId)?.value;
    const type = principal?.type === 'user' ? 'User' : principal?.type === 'group' ? 'Group' : 'ServicePrincipal';
    return {
      id: row.id,
      deletedDateTime: null,
      appRoleId: row.appRoleId,
      createdDateTime: null,
      principalDisplayName: principal?.tenantId === caller.tenantId ? (principal.value as { displayName: string }).displayName : null,
      principalId: row.principalId,
      principalType: type,
      resourceDisplayName: resource?.displayName ?? null,
      resourceId: row.resourceId,
    };
  };

  graph.get('/servicePrincipals', (c) => {
    const caller = c.get('caller');
    requireApplicationRead(caller);
    const items = directory.objects.list('servicePrincipal', caller.tenantId).map(item);
    return collectionResponse(c, { items, shapes: [SERVICE_PRINCIPAL_RECORD], typeName: SERVICE_PRINCIPAL_RECORD.typeName, entitySet: 'servicePrincipals', withType: false }, responder);
  });

  graph.post('/servicePrincipals', async (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (!['appId', 'accountEnabled', 'tags'].includes(key) && !key.startsWith('@odata.')) throw unknownProperty(key);
    const appId = typeof body['appId'] === 'string' ? body['appId'].toLowerCase() : '';
    const found = GUID.test(appId) ? directory.findApplicationByClientId(appId) : undefined;
    // Only the home tenant or, for multi-tenant apps, any tenant may instantiate the app.
    if (!found || (found.tenantId !== caller.tenantId && found.app.signInAudience === 'AzureADMyOrg')) {
      throw new GraphError(400, 'Request_BadRequest', `The appId '${appId.slice(0, 64)}' of the service principal does not reference a valid application object.`);
    }
    if (directory.findServicePrincipalByAppId(caller.tenantId, appId)) {
      throw new GraphError(409, 'Request_MultipleObjectsWithSameKeyValue', `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`);
    }
    if (body['accountEnabled'] !== undefined && typeof body['accountEnabled'] !== 'boolean') throw invalidValue('accountEnabled', 'ServicePrincipal');
    if (body['tags'] !== undefined && (!Array.isArray(body['tags']) || !body['tags'].every((t) => typeof t === 'string'))) throw invalidValue('tags', 'ServicePrincipal');
    const { app } = found;
    const sp: ServicePrincipal = {
      ...servicePrincipalFor(app, found.tenantId, newGuid()),
      // Graph lists the App ID URIs first, then the appId.
      servicePrincipalNames: [...app.identifierUris, app.appId],
      accountEnabled: (body['accountEnabled'] as boolean | undefined) ?? true,
      appDisplayName: app.displayName,
      replyUrls: [...app.web.redirectUris, ...app.spa.redirectUris, ...app.publicClient.redirectUris],
      tags: (body['tags'] as string[] | undefined) ?? [],
      createdDateTime: new Date(clock()).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    directory.objects.insert('servicePrincipal', caller.tenantId, app.appId, sp);
    return c.json({ '@odata.context': `${contextUrl(responder, 'servicePrincipals')}/$entity`, ...item(sp).record }, 201);
  });

  graph.get('/servicePrincipals/:id', (c) => {
    requireApplicationRead(c.get('caller'));
    return c.json(entityBody(new URL(c.req.url), item(target(c)), responder));
  });

  graph.delete('/servicePrincipals/:id', (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const sp = target(c);
    if (sp.appOwnerOrganizationId !== caller.tenantId && directory.findApplicationByClientId(sp.appId) === undefined) {
      // Microsoft's own service principals (Graph, Storage) stay.
      throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    directory.roleAssignments.removeFor(sp.id);
    directory.owners.removeAll(sp.id);
    directory.consents.revokeClient(caller.tenantId, sp.appId);
    directory.objects.delete('servicePrincipal', sp.id);
    return c.body(null, 204);
  });

  graph.get('/servicePrincipals/:id/appRoleAssignedTo', (c) => {
    const caller = c.get('caller');
    requireApplicationRead(caller);
    const sp = target(c);
    const items = directory.roleAssignments.onResource(sp.id).map((row) => recordItem(ROLE_ASSIGNMENT_RECORD, assignmentJson(caller, row)));
    return collectionResponse(c, { items, shapes: [ROLE_ASSIGNMENT_RECORD], typeName: ROLE_ASSIGNMENT_RECORD.typeName, entitySet: `servicePrincipals('${sp.id}')/appRoleAssignedTo`, withType: false }, responder);
  });

  graph.get('/servicePrincipals/:id/appRoleAssignments', (c) => {
    const caller = c.get('caller');
    requireApplicationRead(caller);
    const sp = target(c);
    const items = directory.roleAssignments.ofPrincipal(sp.id).map((row) => recordItem(ROLE_ASSIGNMENT_RECORD, assignmentJson(caller, row)));
    return collectionResponse(c, { items, shapes: [ROLE_ASSIGNMENT_RECORD], typeName: ROLE_ASSIGNMENT_RECORD.typeName, entitySet: `servicePrincipals('${sp.id}')/appRoleAssignments`, withType: false }, responder);
  });

  graph.post('/servicePrincipals/:id/appRoleAssignedTo', async (c) => {
    const caller = c.get('caller');
    requireRoleAssignmentWrite(directory, caller);
    const resource = target(c);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (!['principalId', 'resourceId', 'appRoleId'].includes(key) && !key.startsWith('@odata.')) throw unknownProperty(key);
    const principalId = typeof body['principalId'] === 'string' ? body['principalId'].toLowerCase() : '';
    const appRoleId = typeof body['appRoleId'] === 'string' ? body['appRoleId'].toLowerCase() : '';
    if (!GUID.test(principalId)) throw invalidValue('principalId', 'AppRoleAssignment');
    if (!GUID.test(appRoleId)) throw invalidValue('appRoleId', 'AppRoleAssignment');
    if (typeof body['resourceId'] !== 'string' || body['resourceId'].toLowerCase() !== resource.id) throw invalidValue('resourceId', 'AppRoleAssignment');
    const principal = principalOf(directory, caller.tenantId, principalId);
    const memberType = principal.type === 'ServicePrincipal' ? 'Application' : 'User';
    const role = resource.appRoles.find((r) => r.id === appRoleId);
    const allowed = role ? role.isEnabled && role.allowedMemberTypes.includes(memberType) : appRoleId === DEFAULT_ACCESS_ROLE && memberType === 'User';
    if (!allowed) throw new GraphError(400, 'Request_BadRequest', 'Permission being assigned was not found on application');
    if (directory.roleAssignments.find(principalId, resource.id, appRoleId)) {
      throw new GraphError(400, 'Request_BadRequest', 'Permission being assigned already exists on the object');
    }
    // Graph's assignment ids are opaque base64url strings, not GUIDs.
    const id = randomBytes(32).toString('base64url');
    directory.roleAssignments.assign(id, caller.tenantId, principalId, resource.id, appRoleId);
    const row = directory.roleAssignments.get(id)!;
    return c.json({ '@odata.context': `${contextUrl(responder, `servicePrincipals('${resource.id}')/appRoleAssignedTo`)}/$entity`, ...assignmentJson(caller, row), createdDateTime: new Date(clock()).toISOString() }, 201);
  });

  graph.delete('/servicePrincipals/:id/appRoleAssignedTo/:assignmentId', (c) => {
    const caller = c.get('caller');
    requireRoleAssignmentWrite(directory, caller);
    const resource = target(c);
    const assignmentId = c.req.param('assignmentId');
    const row = directory.roleAssignments.get(assignmentId);
    if (row?.resourceId !== resource.id) throw resourceNotFound(assignmentId);
    directory.roleAssignments.remove(assignmentId);
    return c.body(null, 204);
  });
}
