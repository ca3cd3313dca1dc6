import type { Context, Hono } from 'hono';
import type { ConsentRow } from '../directory/consents.ts';
import type { Directory } from '../directory/directory.ts';
import { GUID } from 'entrakit/internal';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError, resourceNotFound } from './graph-error.ts';
import { collectionResponse, contextUrl, entityBody } from './odata-response.ts';
import { PERMISSION_GRANT_RECORD, recordItem } from './record-shapes.ts';
import { invalidValue, readJsonObject, unknownProperty } from './request-body.ts';
import { findServicePrincipal } from './service-principals.ts';
import { requirePermissionGrantRead, requirePermissionGrantWrite } from './write-permissions.ts';

/**
 * Delegated permission grants (`/oauth2PermissionGrants`): admin consent for all users
 * (`AllPrincipals`) or consent for one user (`Principal`). They are the same rows the sign-in
 * flow's consent writes and the token endpoint reads, so a grant made here counts at once.
 */

type Grant = { clientSpId: string; resourceSpId: string; principalId: string | null; row: ConsentRow };

/** The grant id names its row (client SP, resource SP, principal), so no second table is needed. */
function grantId(clientSpId: string, resourceSpId: string, principalId: string | null): string {
  return Buffer.from(`${clientSpId}|${resourceSpId}|${principalId ?? ''}`).toString('base64url');
}

function parseGrantId(id: string): { clientSpId: string; resourceSpId: string; principalId: string } | undefined {
  if (id.length > 200) return undefined;
  const [clientSpId, resourceSpId, principalId, extra] = Buffer.from(id, 'base64url').toString().split('|');
  if (extra !== undefined || !clientSpId || !resourceSpId || !GUID.test(clientSpId) || !GUID.test(resourceSpId) || (principalId && !GUID.test(principalId))) return undefined;
  return { clientSpId, resourceSpId, principalId: principalId ?? '' };
}

function grantJson(grant: Grant): Record<string, unknown> {
  return {
    clientId: grant.clientSpId,
    consentType: grant.principalId ? 'Principal' : 'AllPrincipals',
    id: grantId(grant.clientSpId, grant.resourceSpId, grant.principalId),
    principalId: grant.principalId,
    resourceId: grant.resourceSpId,
    scope: grant.row.scopes.join(' '),
  };
}

function grants(directory: Directory, tenantId: string): Grant[] {
  return directory.consents.list(tenantId).flatMap((row) => {
    const client = directory.findServicePrincipalByAppId(tenantId, row.clientAppId);
    const resource = directory.findServicePrincipalByAppId(tenantId, row.resourceAppId);
    return client && resource ? [{ clientSpId: client.id, resourceSpId: resource.id, principalId: row.principalId || null, row }] : [];
  });
}

function scopeList(value: unknown): string[] {
  if (typeof value !== 'string' || value.length > 4000) throw invalidValue('scope', 'OAuth2PermissionGrant');
  return [...new Set(value.split(' ').filter(Boolean))];
}

export function permissionGrantsRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder } = context;
  const find = (c: Context<GraphEnv>): Grant => {
    const id = c.req.param('id') ?? '';
    const parsed = parseGrantId(id);
    const found = parsed && grants(directory, c.get('caller').tenantId).find((g) => g.clientSpId === parsed.clientSpId && g.resourceSpId === parsed.resourceSpId && (g.principalId ?? '') === parsed.principalId);
    if (!found) throw resourceNotFound(id);
    return found;
  };

  graph.get('/oauth2PermissionGrants', (c) => {
    const caller = c.get('caller');
    requirePermissionGrantRead(caller);
    const items = grants(directory, caller.tenantId).map((g) => recordItem(PERMISSION_GRANT_RECORD, grantJson(g)));
    return collectionResponse(c, { items, shapes: [PERMISSION_GRANT_RECORD], typeName: PERMISSION_GRANT_RECORD.typeName, entitySet: 'oauth2PermissionGrants', withType: false }, responder);
  });

  graph.get('/oauth2PermissionGrants/:id', (c) => {
    requirePermissionGrantRead(c.get('caller'));
    return c.json(entityBody(new URL(c.req.url), recordItem(PERMISSION_GRANT_RECORD, grantJson(find(c))), responder));
  });

  graph.post('/oauth2PermissionGrants', async (c) => {
    const caller = c.get('caller');
    requirePermissionGrantWrite(directory, caller);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (!['clientId', 'consentType', 'principalId', 'resourceId', 'scope', 'startTime', 'expiryTime'].includes(key) && !key.startsWith('@odata.')) throw unknownProperty(key);
    const consentType = body['consentType'];
    if (consentType !== 'AllPrincipals' && consentType !== 'Principal') throw invalidValue('consentType', 'OAuth2PermissionGrant');
    const client = findServicePrincipal(directory, caller.tenantId, typeof body['clientId'] === 'string' ? body['clientId'] : '');
    const resource = findServicePrincipal(directory, caller.tenantId, typeof body['resourceId'] === 'string' ? body['resourceId'] : '');
    let principalId = '';
    if (consentType === 'Principal') {
      const id = typeof body['principalId'] === 'string' ? body['principalId'].toLowerCase() : '';
      const user = GUID.test(id) ? directory.objects.get('user', id) : undefined;
      if (user?.tenantId !== caller.tenantId) throw invalidValue('principalId', 'OAuth2PermissionGrant');
      principalId = id;
    } else if (body['principalId'] != null) {
      throw invalidValue('principalId', 'OAuth2PermissionGrant');
    }
    const scopes = scopeList(body['scope']);
    if (directory.consents.list(caller.tenantId).some((r) => r.clientAppId === client.appId && r.resourceAppId === resource.appId && r.principalId === principalId)) {
      throw new GraphError(409, 'Request_MultipleObjectsWithSameKeyValue', 'Permission entry already exists.');
    }
    directory.consents.replace(caller.tenantId, client.appId, resource.appId, principalId, scopes);
    const row = { clientAppId: client.appId, resourceAppId: resource.appId, principalId, scopes };
    const grant: Grant = { clientSpId: client.id, resourceSpId: resource.id, principalId: principalId || null, row };
    return c.json({ '@odata.context': `${contextUrl(responder, 'oauth2PermissionGrants')}/$entity`, ...grantJson(grant) }, 201);
  });

  graph.patch('/oauth2PermissionGrants/:id', async (c) => {
    const caller = c.get('caller');
    requirePermissionGrantWrite(directory, caller);
    const grant = find(c);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (key !== 'scope') throw unknownProperty(key);
    directory.consents.replace(caller.tenantId, grant.row.clientAppId, grant.row.resourceAppId, grant.row.principalId, scopeList(body['scope']));
    return c.body(null, 204);
  });

  graph.delete('/oauth2PermissionGrants/:id', (c) => {
    const caller = c.get('caller');
    requirePermissionGrantWrite(directory, caller);
    const grant = find(c);
    directory.consents.revoke(caller.tenantId, grant.row.clientAppId, grant.row.resourceAppId, grant.row.principalId);
    return c.body(null, 204);
  });
}
