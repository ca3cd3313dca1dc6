import type { Hono } from 'hono';
import { DIRECTORY_ROLES } from '../directory/directory-roles.ts';
import { GUID } from 'entrakit/internal';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError, resourceNotFound } from './graph-error.ts';
import { contextUrl } from './odata-response.ts';
import { invalidValue, readJsonObject, unknownProperty } from './request-body.ts';
import { requireDirectoryRoleRead, requireDirectoryRoleWrite } from './write-permissions.ts';
import { explain } from '../request-log/record-requests.ts';

const KNOWN_ROLES = new Set<string>(Object.values(DIRECTORY_ROLES));

/** An assignment's id: Graph's are opaque strings; here the principal and role, reversible. */
const assignmentId = (principalId: string, roleId: string) => Buffer.from(`${principalId}|${roleId}`).toString('base64url');
function parseAssignmentId(id: string): { principalId: string; roleId: string } | undefined {
  const [principalId, roleId] = Buffer.from(id, 'base64url').toString('utf8').split('|');
  return principalId && roleId && GUID.test(principalId) && GUID.test(roleId) ? { principalId, roleId } : undefined;
}

/**
 * `POST/GET /roleManagement/directory/roleAssignments` and `DELETE .../{id}`: directory roles
 * (Global Administrator, User Administrator, Groups Administrator, ...) for users, tenant-wide
 * (`directoryScopeId: "/"`). They give delegated Graph writes their role and tokens their `wids`.
 */
export function directoryRoleAssignmentRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder } = context;
  const shape = (principalId: string, roleId: string) => ({ id: assignmentId(principalId, roleId), principalId, roleDefinitionId: roleId, directoryScopeId: '/' });
  const inTenant = (tenantId: string, principalId: string) => directory.objects.getAny(principalId)?.tenantId === tenantId;

  graph.post('/roleManagement/directory/roleAssignments', async (c) => {
    const caller = c.get('caller');
    requireDirectoryRoleWrite(directory, caller);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (!['principalId', 'roleDefinitionId', 'directoryScopeId'].includes(key) && !key.startsWith('@odata.')) throw unknownProperty(key);
    const { principalId, roleDefinitionId, directoryScopeId } = body;
    if (typeof principalId !== 'string' || !GUID.test(principalId)) throw invalidValue('principalId', 'UnifiedRoleAssignment');
    if (typeof roleDefinitionId !== 'string' || !KNOWN_ROLES.has(roleDefinitionId.toLowerCase())) throw invalidValue('roleDefinitionId', 'UnifiedRoleAssignment');
    if (directoryScopeId !== undefined && directoryScopeId !== '/') throw new GraphError(400, 'Request_BadRequest', "Only the tenant-wide scope '/' is supported by the emulator.");
    const principal = directory.objects.getAny(principalId.toLowerCase());
    if (principal?.tenantId !== caller.tenantId || principal.type !== 'user') throw resourceNotFound(principalId);
    const roleId = roleDefinitionId.toLowerCase();
    if (directory.directoryRoles.templateIds(principal.value.id).includes(roleId)) {
      throw new GraphError(400, 'Request_BadRequest', 'A conflicting object with one or more of the specified property values is present in the directory.');
    }
    directory.directoryRoles.assign(principal.value.id, roleId);
    explain(c, 'directory role assigned: delegated Graph writes of this user now pass the role check; new tokens carry it in wids');
    return c.json({ '@odata.context': `${contextUrl(responder, 'roleManagement/directory/roleAssignments')}/$entity`, ...shape(principal.value.id, roleId) }, 201);
  });

  graph.get('/roleManagement/directory/roleAssignments', (c) => {
    const caller = c.get('caller');
    requireDirectoryRoleRead(caller);
    const value = directory.directoryRoles.all().filter((a) => inTenant(caller.tenantId, a.principalId)).map((a) => shape(a.principalId, a.roleTemplateId));
    return c.json({ '@odata.context': contextUrl(responder, 'roleManagement/directory/roleAssignments'), value });
  });

  graph.delete('/roleManagement/directory/roleAssignments/:id', (c) => {
    const caller = c.get('caller');
    requireDirectoryRoleWrite(directory, caller);
    const parsed = parseAssignmentId(c.req.param('id'));
    if (!parsed || !inTenant(caller.tenantId, parsed.principalId) || !directory.directoryRoles.unassign(parsed.principalId, parsed.roleId)) throw resourceNotFound(c.req.param('id'));
    return c.body(null, 204);
  });
}
