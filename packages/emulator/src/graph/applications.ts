import type { Context, Hono } from 'hono';
import type { Directory } from '../directory/directory.ts';
import { newGuid } from '../directory/ids.ts';
import { newApplication } from '../directory/new-application.ts';
import { newClientSecret, syncServicePrincipal } from '../directory/registration.ts';
import type { Application } from '../directory/types.ts';
import { GUID } from 'entrakit/internal';
import { applyApplicationProperties } from './application-input.ts';
import { applicationJson } from './application-shape.ts';
import { directoryItems } from './directory-lookup.ts';
import { GROUP_SHAPE, SERVICE_PRINCIPAL_SHAPE, USER_SHAPE } from './entity-shapes.ts';
import type { GraphEnv, GraphRouteContext } from './graph-app.ts';
import { GraphError, resourceNotFound } from './graph-error.ts';
import { collectionResponse, contextUrl, entityBody } from './odata-response.ts';
import { APPLICATION_RECORD, recordItem } from './record-shapes.ts';
import { invalidValue, readJsonObject, referencedId, unknownProperty } from './request-body.ts';
import { requireApplicationRead, requireApplicationWrite } from './write-permissions.ts';

const DEFAULT_SECRET_LIFETIME_MS = 2 * 365 * 86_400_000;

/** An application of the caller's tenant by object id; 404 otherwise. */
export function findApplication(directory: Directory, tenantId: string, id: string): Application {
  const stored = GUID.test(id) ? directory.objects.get('application', id.toLowerCase()) : undefined;
  if (stored?.tenantId !== tenantId) throw resourceNotFound(id);
  return stored.value;
}

/**
 * App ID URIs are unique across the tenant's applications and service principals (so no app can
 * claim `https://graph.microsoft.com` or `api://{Graph's appId}`), and https ones must sit on a
 * verified domain, as in Entra.
 */
function requireValidIdentifierUris(directory: Directory, tenantId: string, app: Application): void {
  const normalize = (uri: string) => uri.replace(/\/+$/, '').toLowerCase();
  const domain = directory.findTenant(tenantId)?.domain.toLowerCase() ?? '';
  for (const uri of app.identifierUris) {
    if (!uri.toLowerCase().startsWith('https://')) continue;
    const host = new URL(uri).hostname.toLowerCase();
    if (host !== domain && !host.endsWith(`.${domain}`)) {
      throw new GraphError(400, 'HostNameNotOnVerifiedDomain', `Values of identifierUris property must use a verified domain of the organization or its subdomain: '${uri.slice(0, 200)}'`);
    }
  }
  // `api://{appId}` names the app with that appId (Graph's own included) even where it lists no such URI.
  const taken = new Set([
    ...directory.objects.list('application', tenantId).filter((other) => other.id !== app.id).flatMap((other) => [...other.identifierUris.map(normalize), `api://${other.appId.toLowerCase()}`]),
    ...directory.objects.list('servicePrincipal', tenantId).filter((sp) => sp.appId !== app.appId).flatMap((sp) => [...sp.servicePrincipalNames.map(normalize), `api://${sp.appId.toLowerCase()}`]),
  ]);
  if (app.identifierUris.some((uri) => taken.has(normalize(uri)))) {
    throw new GraphError(400, 'Request_BadRequest', 'Another object with the same value for property identifierUris already exists.');
  }
}

function date(value: unknown, property: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(parsed)) throw invalidValue(property, 'PasswordCredential');
  return parsed;
}

/**
 * App registrations: `GET/POST /applications`, `GET/PATCH/DELETE /applications/{id}`, the
 * `owners` relationship, `addPassword` and `removePassword`. Every change is stored at once and
 * the app's service principal follows, so the token endpoint sees it on the next request.
 */
export function applicationsRoutes(graph: Hono<GraphEnv>, context: GraphRouteContext): void {
  const { directory, responder, clock } = context;
  const domainOf = (tenantId: string) => directory.findTenant(tenantId)?.domain ?? '';
  const item = (app: Application, tenantId: string) => recordItem(APPLICATION_RECORD, applicationJson(app, domainOf(tenantId)));
  const save = (tenantId: string, app: Application) => {
    directory.objects.update('application', app.appId, app);
    syncServicePrincipal(directory, tenantId, app);
  };
  const target = (c: Context<GraphEnv>) => findApplication(directory, c.get('caller').tenantId, c.req.param('id') ?? '');

  graph.get('/applications', (c) => {
    const caller = c.get('caller');
    requireApplicationRead(caller);
    const items = directory.objects.list('application', caller.tenantId).map((app) => item(app, caller.tenantId));
    return collectionResponse(c, { items, shapes: [APPLICATION_RECORD], typeName: APPLICATION_RECORD.typeName, entitySet: 'applications', withType: false }, responder);
  });

  graph.post('/applications', async (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const body = await readJsonObject(c);
    if (typeof body['displayName'] !== 'string' || !body['displayName'].trim()) throw invalidValue('displayName', 'Application');
    const now = clock();
    // Graph's defaults for an app created through the API (the portal picks other ones).
    const blank = newApplication({ appId: newGuid(), displayName: body['displayName'], signInAudience: 'AzureADandPersonalMicrosoftAccount', isFallbackPublicClient: false });
    const app = { ...applyApplicationProperties(blank, body), createdDateTime: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z') };
    requireValidIdentifierUris(directory, caller.tenantId, app);
    directory.objects.insert('application', caller.tenantId, app.appId, app);
    c.header('Location', `${responder.publicUrl}/v2/${caller.tenantId}/directoryObjects/${app.id}/Microsoft.DirectoryServices.Application`);
    return c.json({ '@odata.context': `${contextUrl(responder, 'applications')}/$entity`, ...item(app, caller.tenantId).record }, 201);
  });

  graph.get('/applications/:id', (c) => {
    const caller = c.get('caller');
    requireApplicationRead(caller);
    return c.json(entityBody(new URL(c.req.url), item(target(c), caller.tenantId), responder));
  });

  graph.patch('/applications/:id', async (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const current = target(c);
    const app = applyApplicationProperties(current, await readJsonObject(c));
    requireValidIdentifierUris(directory, caller.tenantId, app);
    save(caller.tenantId, app);
    return c.body(null, 204);
  });

  graph.delete('/applications/:id', (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const app = target(c);
    // Deleting a registration removes its home-tenant service principal and what was granted to it.
    const sp = directory.findServicePrincipalByAppId(caller.tenantId, app.appId);
    if (sp) {
      directory.roleAssignments.removeFor(sp.id);
      directory.owners.removeAll(sp.id);
      directory.objects.delete('servicePrincipal', sp.id);
    }
    directory.consents.revokeClient(caller.tenantId, app.appId);
    for (const credential of [...app.passwordCredentials, ...app.keyCredentials]) directory.credentials.removeCredential(app.id, credential.keyId);
    directory.owners.removeAll(app.id);
    directory.objects.delete('application', app.id);
    return c.body(null, 204);
  });

  graph.post('/applications/:id/addPassword', async (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const app = target(c);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (key !== 'passwordCredential') throw unknownProperty(key);
    const given = (body['passwordCredential'] ?? {}) as Record<string, unknown>;
    if (typeof given !== 'object' || Array.isArray(given)) throw invalidValue('passwordCredential', 'Application');
    for (const key of Object.keys(given)) if (!['displayName', 'startDateTime', 'endDateTime'].includes(key)) throw unknownProperty(key);
    if (given['displayName'] != null && (typeof given['displayName'] !== 'string' || given['displayName'].length > 256)) throw invalidValue('displayName', 'PasswordCredential');
    const start = date(given['startDateTime'], 'startDateTime', clock());
    const end = date(given['endDateTime'], 'endDateTime', start + DEFAULT_SECRET_LIFETIME_MS);
    if (end <= start) throw invalidValue('endDateTime', 'PasswordCredential');

    const secretText = newClientSecret();
    const credential = {
      keyId: newGuid(),
      displayName: (given['displayName'] as string | null | undefined) ?? null,
      hint: secretText.slice(0, 3),
      startDateTime: new Date(start).toISOString(),
      endDateTime: new Date(end).toISOString(),
    };
    directory.credentials.addClientSecret(app.id, credential.keyId, secretText, end);
    save(caller.tenantId, { ...structuredClone(app), passwordCredentials: [...app.passwordCredentials, credential] });
    // The only time the secret is ever shown.
    return c.json({ '@odata.context': contextUrl(responder, 'microsoft.graph.passwordCredential'), customKeyIdentifier: null, ...credential, secretText }, 200);
  });

  graph.post('/applications/:id/removePassword', async (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const app = target(c);
    const body = await readJsonObject(c);
    for (const key of Object.keys(body)) if (key !== 'keyId') throw unknownProperty(key);
    const keyId = typeof body['keyId'] === 'string' ? body['keyId'].toLowerCase() : '';
    if (!GUID.test(keyId)) throw invalidValue('keyId', 'PasswordCredential');
    if (!app.passwordCredentials.some((p) => p.keyId === keyId)) throw new GraphError(400, 'Request_BadRequest', `No password credential with keyId '${keyId}' exists on the application.`);
    directory.credentials.removeCredential(app.id, keyId);
    save(caller.tenantId, { ...structuredClone(app), passwordCredentials: app.passwordCredentials.filter((p) => p.keyId !== keyId) });
    return c.body(null, 204);
  });

  graph.get('/applications/:id/owners', (c) => {
    const caller = c.get('caller');
    requireApplicationRead(caller);
    const app = target(c);
    const items = directoryItems(directory, caller, directory.owners.ownerIds(app.id));
    return collectionResponse(c, { items, shapes: [USER_SHAPE, GROUP_SHAPE, SERVICE_PRINCIPAL_SHAPE], typeName: 'microsoft.graph.directoryObject', entitySet: 'directoryObjects', withType: true }, responder);
  });

  graph.get('/applications/:id/owners/$ref', (c) => {
    const caller = c.get('caller');
    requireApplicationRead(caller);
    const app = target(c);
    const value = directoryItems(directory, caller, directory.owners.ownerIds(app.id)).map((item) => ({ '@odata.id': `${responder.publicUrl}/${responder.version}/directoryObjects/${String(item.record['id'])}` }));
    return c.json({ '@odata.context': contextUrl(responder, 'Collection($ref)'), value });
  });

  graph.post('/applications/:id/owners/$ref', async (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const app = target(c);
    const ownerId = referencedId(await readJsonObject(c));
    const owner = directory.objects.getAny(ownerId);
    // Owners are users or service principals of the same tenant.
    if (owner?.tenantId !== caller.tenantId || (owner.type !== 'user' && owner.type !== 'servicePrincipal')) throw resourceNotFound(ownerId);
    if (!directory.owners.add(app.id, ownerId)) throw new GraphError(400, 'Request_BadRequest', 'One or more added object references already exist for the following modified properties: \'owners\'.');
    return c.body(null, 204);
  });

  graph.delete('/applications/:id/owners/:ownerId/$ref', (c) => {
    const caller = c.get('caller');
    requireApplicationWrite(directory, caller);
    const app = target(c);
    const ownerId = c.req.param('ownerId').toLowerCase();
    if (!directory.owners.remove(app.id, ownerId)) throw resourceNotFound(ownerId);
    return c.body(null, 204);
  });
}
