/**
 * An administrator's registration script in plain fetch, against the real emulator over HTTPS:
 * the admin signs in to the Azure CLI (authorization code + PKCE), then registers an app over
 * Graph exactly as a script would, and the new app signs a user in at once with its new secret.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import { createClientCertificate } from '../grants/helpers.ts';
import { authorizeUrl, createCookieJar, locationParams, pkce, startTestEmulator, submitForm, type TestEmulator } from '../sign-in/helpers.ts';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emulator: TestEmulator;
let graph: string;
let adminToken: string;

type Json = Record<string, unknown>;

/** Interactive sign-in of a user to a client, then the code redeemed at the token endpoint. */
async function signInWith(options: { clientId: string; redirectUri: string; username: string; password: string; scope: string; secret?: string }): Promise<Json> {
  const jar = createCookieJar();
  const { verifier, challenge } = pkce();
  const url = authorizeUrl(emulator, { client_id: options.clientId, redirect_uri: options.redirectUri, scope: options.scope, code_challenge: challenge });
  const page = await jar.fetch(url);
  const html = await page.text();
  assert.ok(html.includes('name="password"'), `login form expected, got ${page.status}: ${html.slice(0, 600)}`);
  const answer = await submitForm(jar, emulator, html, { username: options.username, password: options.password });
  assert.equal(answer.status, 302, await answer.clone().text());
  const code = locationParams(answer).get('code');
  assert.ok(code, answer.headers.get('location') ?? '');
  const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: options.clientId, code, redirect_uri: options.redirectUri, code_verifier: verifier, scope: options.scope });
  if (options.secret) form.set('client_secret', options.secret);
  const response = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: form });
  const body = (await response.json()) as Json;
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

async function call(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(`${graph}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Json) : {} };
}

function assertGraphError(reply: { status: number; body: Json }, status: number, code: string, message?: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  const error = reply.body['error'] as { code: string; message: string; innerError: Record<string, string> };
  assert.equal(error.code, code);
  if (message !== undefined) assert.equal(error.message, message);
  assert.match(error.innerError['date'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.match(error.innerError['request-id'] ?? '', GUID);
  assert.ok(error.innerError['client-request-id']);
}

before(async () => {
  emulator = await startTestEmulator();
  graph = `${emulator.url}/v1.0`;
  const admin = emulator.devJson.admin!;
  const cli = emulator.devJson.apps.cli!;
  const tokens = await signInWith({ clientId: cli.clientId, redirectUri: cli.redirectUri, username: admin.username, password: admin.password, scope: 'https://graph.microsoft.com/.default openid profile offline_access' });
  adminToken = tokens['access_token'] as string;
});
after(async () => {
  await emulator.stop();
});

describe('seeded administration', () => {
  test('dev.json names the admin and the Azure CLI; the admin token carries wids and the preauthorized scopes', () => {
    assert.deepEqual(emulator.devJson.apps.cli, { clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', redirectUri: 'http://localhost' });
    assert.equal(emulator.devJson.admin?.username, 'admin@entrakitdemo.onmicrosoft.com');
    const claims = decodeJwt(adminToken);
    assert.deepEqual(claims['wids'], [GLOBAL_ADMIN]);
    assert.equal(claims['aud'], 'https://graph.microsoft.com');
    assert.deepEqual(String(claims['scp']).split(' ').sort(), ['AppRoleAssignment.ReadWrite.All', 'Application.ReadWrite.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.Read.All', 'User.Read', 'openid', 'profile']);
  });
});

describe('registration script', () => {
  let app: Json;
  let sp: Json;
  let secret: { keyId: string; secretText: string };
  const redirectUri = 'https://localhost:7443/callback';

  test('POST /applications answers 201 with the full application', async () => {
    const reply = await call('POST', '/applications', adminToken, {
      displayName: 'Registered by script',
      description: 'made over Graph',
      signInAudience: 'AzureADMyOrg',
      isFallbackPublicClient: false,
      serviceManagementReference: 'SNOW-42',
      web: { redirectUris: [redirectUri] },
      spa: { redirectUris: ['https://localhost:7443/spa'] },
      publicClient: { redirectUris: [] },
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    app = reply.body;
    assert.equal(app['@odata.context'], `${graph}/$metadata#applications/$entity`);
    assert.match(String(app['id']), GUID);
    assert.match(String(app['appId']), GUID);
    assert.notEqual(app['id'], app['appId']);
    assert.match(String(app['createdDateTime']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(app['displayName'], 'Registered by script');
    assert.equal(app['description'], 'made over Graph');
    assert.equal(app['serviceManagementReference'], 'SNOW-42');
    assert.equal(app['signInAudience'], 'AzureADMyOrg');
    assert.equal(app['publisherDomain'], 'entrakitdemo.onmicrosoft.com');
    assert.deepEqual(app['passwordCredentials'], []);
    assert.deepEqual(app['keyCredentials'], []);
    assert.deepEqual(app['appRoles'], []);
    assert.deepEqual(app['identifierUris'], []);
    assert.deepEqual(app['api'], { acceptMappedClaims: null, knownClientApplications: [], requestedAccessTokenVersion: null, oauth2PermissionScopes: [], preAuthorizedApplications: [] });
    assert.deepEqual(app['web'], {
      homePageUrl: null,
      logoutUrl: null,
      redirectUris: [redirectUri],
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
      redirectUriSettings: [{ uri: redirectUri, index: null }],
    });
    assert.deepEqual(app['spa'], { redirectUris: ['https://localhost:7443/spa'] });
    assert.ok(reply.headers.get('location')?.endsWith(`/directoryObjects/${String(app['id'])}/Microsoft.DirectoryServices.Application`));
  });

  test('GET /applications?$filter=displayName eq and appId eq find it; GET by id too', async () => {
    const byName = await call('GET', `/applications?$filter=${encodeURIComponent("displayName eq 'Registered by script'")}`, adminToken);
    assert.equal(byName.status, 200);
    assert.deepEqual((byName.body['value'] as Json[]).map((a) => a['id']), [app['id']]);
    const byAppId = await call('GET', `/applications?$filter=${encodeURIComponent(`appId eq '${String(app['appId'])}'`)}&$select=id,appId`, adminToken);
    assert.deepEqual(byAppId.body, { '@odata.context': `${graph}/$metadata#applications(id,appId)`, value: [{ id: app['id'], appId: app['appId'] }] });
    const one = await call('GET', `/applications/${String(app['id'])}`, adminToken);
    assert.equal(one.status, 200);
    assert.equal(one.body['displayName'], 'Registered by script');
    const byKey = await call('GET', `/applications(appId='${String(app['appId'])}')?$select=id`, adminToken);
    assert.deepEqual(byKey.body, { '@odata.context': `${graph}/$metadata#applications(id)/$entity`, id: app['id'] });
    assertGraphError(await call('GET', "/applications(appId='00000000-0000-0000-0000-000000000009')", adminToken), 404, 'Request_ResourceNotFound');
    const beta = await fetch(`${emulator.url}/beta/applications/${String(app['id'])}`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(beta.status, 200);
    assert.equal(((await beta.json()) as Json)['@odata.context'], `${emulator.url}/beta/$metadata#applications/$entity`);
  });

  test('owners: $ref add answers 204, adding again 400, list and remove', async () => {
    const adele = emulator.devJson.users.find((u) => u.username.startsWith('adele@'))!;
    const users = await call('GET', `/users/${adele.username}?$select=id`, adminToken);
    const adeleId = String(users.body['id']);
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${adeleId}` };
    assert.equal((await call('POST', `/applications/${String(app['id'])}/owners/$ref`, adminToken, ref)).status, 204);
    assertGraphError(await call('POST', `/applications/${String(app['id'])}/owners/$ref`, adminToken, ref), 400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'owners'.");
    const owners = await call('GET', `/applications/${String(app['id'])}/owners`, adminToken);
    assert.deepEqual((owners.body['value'] as Json[]).map((o) => [o['@odata.type'], o['id']]), [['#microsoft.graph.user', adeleId]]);
    const refs = await call('GET', `/applications/${String(app['id'])}/owners/$ref`, adminToken);
    assert.deepEqual(refs.body, { '@odata.context': `${graph}/$metadata#Collection($ref)`, value: [{ '@odata.id': `${graph}/directoryObjects/${adeleId}` }] });
    assert.equal((await call('DELETE', `/applications/${String(app['id'])}/owners/${adeleId}/$ref`, adminToken)).status, 204);
    assertGraphError(await call('DELETE', `/applications/${String(app['id'])}/owners/${adeleId}/$ref`, adminToken), 404, 'Request_ResourceNotFound');
  });

  test('addPassword answers 200 with the secret once; GET shows only the hint', async () => {
    const reply = await call('POST', `/applications/${String(app['id'])}/addPassword`, adminToken, { passwordCredential: { displayName: 'script secret' } });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const body = reply.body;
    assert.equal(body['@odata.context'], `${graph}/$metadata#microsoft.graph.passwordCredential`);
    assert.equal(body['displayName'], 'script secret');
    assert.equal(body['customKeyIdentifier'], null);
    assert.equal(typeof body['secretText'], 'string');
    assert.equal(body['hint'], String(body['secretText']).slice(0, 3));
    assert.match(String(body['keyId']), GUID);
    const start = Date.parse(String(body['startDateTime']));
    assert.equal(Date.parse(String(body['endDateTime'])) - start, 2 * 365 * 86_400_000);
    secret = { keyId: String(body['keyId']), secretText: String(body['secretText']) };
    const read = await call('GET', `/applications/${String(app['id'])}?$select=passwordCredentials`, adminToken);
    assert.deepEqual(read.body['passwordCredentials'], [{ customKeyIdentifier: null, displayName: 'script secret', endDateTime: body['endDateTime'], hint: body['hint'], keyId: secret.keyId, secretText: null, startDateTime: body['startDateTime'] }]);
  });

  test('POST /servicePrincipals {appId} answers 201; GET by id and by appId filter', async () => {
    const reply = await call('POST', '/servicePrincipals', adminToken, { appId: app['appId'] });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    sp = reply.body;
    assert.equal(sp['@odata.context'], `${graph}/$metadata#servicePrincipals/$entity`);
    assert.equal(sp['appId'], app['appId']);
    assert.notEqual(sp['id'], app['id']);
    assert.equal(sp['servicePrincipalType'], 'Application');
    assert.equal(sp['appDisplayName'], 'Registered by script');
    assert.equal(sp['accountEnabled'], true);
    assert.deepEqual(sp['replyUrls'], [redirectUri, 'https://localhost:7443/spa']);
    assert.deepEqual(sp['servicePrincipalNames'], [app['appId']]);
    assertGraphError(await call('POST', '/servicePrincipals', adminToken, { appId: app['appId'] }), 409, 'Request_MultipleObjectsWithSameKeyValue');
    const byKey = await call('GET', `/servicePrincipals(appId='${String(app['appId'])}')?$select=id`, adminToken);
    assert.equal(byKey.body['id'], sp['id']);
    const byId = await call('GET', `/servicePrincipals/${String(sp['id'])}`, adminToken);
    assert.equal(byId.body['appId'], app['appId']);
    const byAppId = await call('GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${String(app['appId'])}'`)}&$select=id`, adminToken);
    assert.deepEqual(byAppId.body['value'], [{ id: sp['id'] }]);
  });

  test('admin consent (oauth2PermissionGrants) lets a user sign in to the new app with its new secret and call /me', async () => {
    const graphSp = await call('GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${GRAPH_APP_ID}'`)}&$select=id`, adminToken);
    const graphSpId = String((graphSp.body['value'] as Json[])[0]!['id']);
    const grant = await call('POST', '/oauth2PermissionGrants', adminToken, { clientId: sp['id'], consentType: 'AllPrincipals', resourceId: graphSpId, scope: 'User.Read openid profile offline_access' });
    assert.equal(grant.status, 201, JSON.stringify(grant.body));
    assert.equal(grant.body['@odata.context'], `${graph}/$metadata#oauth2PermissionGrants/$entity`);
    assert.deepEqual({ ...grant.body, '@odata.context': undefined, id: undefined }, { '@odata.context': undefined, id: undefined, clientId: sp['id'], consentType: 'AllPrincipals', principalId: null, resourceId: graphSpId, scope: 'User.Read openid profile offline_access' });
    const listed = await call('GET', `/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${String(sp['id'])}'`)}`, adminToken);
    assert.deepEqual((listed.body['value'] as Json[]).map((g) => g['id']), [grant.body['id']]);
    assertGraphError(await call('POST', '/oauth2PermissionGrants', adminToken, { clientId: sp['id'], consentType: 'AllPrincipals', resourceId: graphSpId, scope: 'User.Read' }), 409, 'Request_MultipleObjectsWithSameKeyValue');

    const alex = emulator.devJson.users.find((u) => u.username.startsWith('alex@'))!;
    const tokens = await signInWith({ clientId: String(app['appId']), redirectUri, username: alex.username, password: alex.password, scope: 'openid profile offline_access User.Read', secret: secret.secretText });
    const me = await call('GET', '/me?$select=userPrincipalName', String(tokens['access_token']));
    assert.equal(me.status, 200);
    assert.equal(me.body['userPrincipalName'], alex.username);
    assert.equal(decodeJwt(String(tokens['access_token']))['appid'], app['appId']);
  });

  test('an API app given identifierUris and a scope gets v2 tokens once requestedAccessTokenVersion is 2', async () => {
    const api = (await call('POST', '/applications', adminToken, { displayName: 'Script API', signInAudience: 'AzureADMyOrg' })).body;
    const scopeId = '6d5b4b8e-2f9c-4b57-9d3c-0f6f2a5e7c11';
    const roleId = '0b6c8a8e-7a3c-4a8e-9c57-2a0e1d7b9f21';
    const patch = await call('PATCH', `/applications/${String(api['id'])}`, adminToken, {
      identifierUris: [`api://${String(api['appId'])}`],
      api: {
        requestedAccessTokenVersion: 2,
        oauth2PermissionScopes: [{ id: scopeId, value: 'access_as_user', type: 'User', adminConsentDisplayName: 'Access', adminConsentDescription: 'Access the API', isEnabled: true }],
      },
      appRoles: [{ id: roleId, value: 'Tasks.Write', displayName: 'Writers', description: 'May write', allowedMemberTypes: ['User', 'Application'], isEnabled: true }],
      groupMembershipClaims: 'SecurityGroup',
      optionalClaims: { accessToken: [{ name: 'email', source: null, essential: false, additionalProperties: [] }] },
      requiredResourceAccess: [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: 'e1fc6093-4f2b-4e65-b1a1-1b85a1cd3db4', type: 'Scope' }] }],
    });
    assert.equal(patch.status, 204, JSON.stringify(patch.body));
    const apiSp = (await call('POST', '/servicePrincipals', adminToken, { appId: api['appId'] })).body;
    // Scripts look apps up by App ID URI with a lambda filter, as the Azure CLI does.
    const byUri = await call('GET', `/applications?$filter=${encodeURIComponent(`identifierUris/any(u:u eq 'API://${String(api['appId'])}')`)}&$select=id`, adminToken);
    assert.deepEqual(byUri.body['value'], [{ id: api['id'] }]);
    const spByName = await call('GET', `/servicePrincipals?$filter=${encodeURIComponent(`servicePrincipalNames/any(n:n eq 'api://${String(api['appId'])}')`)}&$select=id`, adminToken);
    assert.deepEqual(spByName.body['value'], [{ id: apiSp['id'] }]);
    assert.deepEqual(apiSp['servicePrincipalNames'], [`api://${String(api['appId'])}`, api['appId']]);

    // The client app: consent to the API's scope, an app-role assignment to the user.
    const clientSp = await call('GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${String(app['appId'])}'`)}`, adminToken);
    const clientSpId = String((clientSp.body['value'] as Json[])[0]!['id']);
    assert.equal((await call('POST', '/oauth2PermissionGrants', adminToken, { clientId: clientSpId, consentType: 'AllPrincipals', resourceId: apiSp['id'], scope: 'access_as_user' })).status, 201);
    const alex = emulator.devJson.users.find((u) => u.username.startsWith('alex@'))!;
    const alexId = String((await call('GET', `/users/${alex.username}?$select=id`, adminToken)).body['id']);
    const assignment = await call('POST', `/servicePrincipals/${String(apiSp['id'])}/appRoleAssignedTo`, adminToken, { principalId: alexId, resourceId: apiSp['id'], appRoleId: roleId });
    assert.equal(assignment.status, 201, JSON.stringify(assignment.body));
    assert.equal(assignment.body['principalType'], 'User');
    assert.equal(assignment.body['principalDisplayName'], 'Alex Wilber');
    assert.equal(assignment.body['resourceDisplayName'], 'Script API');
    assertGraphError(await call('POST', `/servicePrincipals/${String(apiSp['id'])}/appRoleAssignedTo`, adminToken, { principalId: alexId, resourceId: apiSp['id'], appRoleId: roleId }), 400, 'Request_BadRequest', 'Permission being assigned already exists on the object');
    // Application permission for the client app itself.
    const appPermission = await call('POST', `/servicePrincipals/${String(apiSp['id'])}/appRoleAssignedTo`, adminToken, { principalId: clientSpId, resourceId: apiSp['id'], appRoleId: roleId });
    assert.equal(appPermission.status, 201);
    const assigned = await call('GET', `/servicePrincipals/${String(apiSp['id'])}/appRoleAssignedTo`, adminToken);
    assert.deepEqual((assigned.body['value'] as Json[]).map((a) => a['principalType']), ['User', 'ServicePrincipal']);

    const tokens = await signInWith({ clientId: String(app['appId']), redirectUri, username: alex.username, password: alex.password, scope: `api://${String(api['appId'])}/access_as_user offline_access`, secret: secret.secretText });
    const claims = decodeJwt(String(tokens['access_token']));
    assert.equal(claims['ver'], '2.0');
    assert.equal(claims['aud'], api['appId']);
    assert.equal(claims['scp'], 'access_as_user');
    assert.deepEqual(claims['roles'], ['Tasks.Write']);

    const appOnly = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(app['appId']), client_secret: secret.secretText, scope: `api://${String(api['appId'])}/.default` }),
    });
    const appClaims = decodeJwt(String(((await appOnly.json()) as Json)['access_token']));
    assert.deepEqual(appClaims['roles'], ['Tasks.Write']);

    // Removing an assignment: the next token no longer carries the role.
    assert.equal((await call('DELETE', `/servicePrincipals/${String(apiSp['id'])}/appRoleAssignedTo/${String(appPermission.body['id'])}`, adminToken)).status, 204);
    const again = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(app['appId']), client_secret: secret.secretText, scope: `api://${String(api['appId'])}/.default` }),
    });
    assert.equal(decodeJwt(String(((await again.json()) as Json)['access_token']))['roles'], undefined);

    // An enabled scope cannot be removed in one step.
    assertGraphError(await call('PATCH', `/applications/${String(api['id'])}`, adminToken, { api: { oauth2PermissionScopes: [] } }), 400, 'CannotDeleteOrUpdateEnabledEntitlement', 'Permission (scope or role) cannot be deleted or updated unless disabled first.');
  });

  test('removePassword answers 204 and the secret then fails with AADSTS7000215', async () => {
    assert.equal((await call('POST', `/applications(appId='${String(app['appId'])}')/removePassword`, adminToken, { keyId: secret.keyId })).status, 204);
    const response = await fetch(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(app['appId']), client_secret: secret.secretText, scope: 'https://graph.microsoft.com/.default' }),
    });
    const body = (await response.json()) as Json;
    assert.equal(response.status, 401);
    assert.equal(body['error'], 'invalid_client');
    assert.deepEqual(body['error_codes'], [7000215]);
  });

  test('keyCredentials upload a certificate; addKey with a proof adds another, which then signs in; removeKey drops the first', async () => {
    const first = await createClientCertificate();
    const reply = await call('PATCH', `/applications/${String(app['id'])}`, adminToken, { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: first.der.toString('base64'), displayName: 'CN=script' }] });
    assert.equal(reply.status, 204, JSON.stringify(reply.body));
    const read = await call('GET', `/applications/${String(app['id'])}?$select=keyCredentials`, adminToken);
    const [key] = read.body['keyCredentials'] as Json[];
    assert.equal(key!['key'], null);
    assert.equal(key!['customKeyIdentifier'], createHash('sha1').update(first.der).digest('hex').toUpperCase());
    assert.equal(key!['type'], 'AsymmetricX509Cert');
    assert.equal(key!['usage'], 'Verify');
    assert.equal(key!['displayName'], 'CN=script');

    const proof = (signer: CryptoKey, lifetime = 600) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setAudience('00000002-0000-0000-c000-000000000000').setIssuer(String(app['id'])).setNotBefore(now).setExpirationTime(now + lifetime).sign(signer);
    };
    const second = await createClientCertificate();
    const keyCredential = { type: 'AsymmetricX509Cert', usage: 'Verify', key: second.der.toString('base64'), displayName: 'CN=rolled' };
    // A proof signed by a key the app does not have, or living too long, is refused.
    assertGraphError(await call('POST', `/applications/${String(app['id'])}/addKey`, adminToken, { keyCredential, passwordCredential: null, proof: await proof(second.keys.privateKey) }), 400, 'Request_BadRequest');
    assertGraphError(await call('POST', `/applications/${String(app['id'])}/addKey`, adminToken, { keyCredential, passwordCredential: null, proof: await proof(first.keys.privateKey, 3600) }), 400, 'Request_BadRequest');
    const added = await call('POST', `/applications/${String(app['id'])}/addKey`, adminToken, { keyCredential, passwordCredential: null, proof: await proof(first.keys.privateKey) });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body['@odata.context'], `${graph}/$metadata#microsoft.graph.keyCredential`);
    assert.equal(added.body['key'], null);
    assert.equal(added.body['displayName'], 'CN=rolled');

    // The new certificate authenticates the client at once (private_key_jwt).
    const now = Math.floor(Date.now() / 1000);
    const tokenUrl = `${emulator.url}/${emulator.tenantId}/oauth2/v2.0/token`;
    const x5t = createHash('sha1').update(second.der).digest('base64url');
    const assertion = await new SignJWT({ jti: crypto.randomUUID() }).setProtectedHeader({ alg: 'RS256', x5t }).setIssuer(String(app['appId'])).setSubject(String(app['appId'])).setAudience(tokenUrl).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 300).sign(second.keys.privateKey);
    const token = await fetch(tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(app['appId']), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, scope: 'https://graph.microsoft.com/.default' }),
    });
    assert.equal(token.status, 200, await token.clone().text());
    assert.equal(decodeJwt(String(((await token.json()) as Json)['access_token']))['appidacr'], '2');

    assert.equal((await call('POST', `/applications/${String(app['id'])}/removeKey`, adminToken, { keyId: key!['keyId'], proof: await proof(second.keys.privateKey) })).status, 204);
    const after = await call('GET', `/applications/${String(app['id'])}?$select=keyCredentials`, adminToken);
    assert.deepEqual((after.body['keyCredentials'] as Json[]).map((k) => k['displayName']), ['CN=rolled']);
  });

  test('revokeSignInSessions: 403 without the permission; PATCH of the CLI grant adds it; then 200 true and the time is recorded', async () => {
    const alex = emulator.devJson.users.find((u) => u.username.startsWith('alex@'))!;
    assertGraphError(await call('POST', `/users/${alex.username}/revokeSignInSessions`, adminToken, {}), 403, 'Authorization_RequestDenied');
    const cliSp = await call('GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${emulator.devJson.apps.cli!.clientId}'`)}&$select=id`, adminToken);
    const cliSpId = String((cliSp.body['value'] as Json[])[0]!['id']);
    const grants = await call('GET', `/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${cliSpId}'`)}`, adminToken);
    const [grant] = grants.body['value'] as Json[];
    assert.equal(grant!['consentType'], 'AllPrincipals');
    const patched = await call('PATCH', `/oauth2PermissionGrants/${String(grant!['id'])}`, adminToken, { scope: `${String(grant!['scope'])} User.RevokeSessions.All` });
    assert.equal(patched.status, 204);
    const admin = emulator.devJson.admin!;
    const cli = emulator.devJson.apps.cli!;
    const tokens = await signInWith({ clientId: cli.clientId, redirectUri: cli.redirectUri, username: admin.username, password: admin.password, scope: 'https://graph.microsoft.com/.default' });
    const before = Date.now();
    const reply = await call('POST', `/users/${alex.username}/revokeSignInSessions`, String(tokens['access_token']), {});
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { '@odata.context': `${graph}/$metadata#Edm.Boolean`, value: true });
    const user = emulator.deps.directory.findUserByUsername(emulator.tenantId, alex.username)!;
    assert.ok((emulator.deps.directory.revokedAt(user.id) ?? 0) >= before);
  });

  test('DELETE /applications/{id} answers 204; then 404', async () => {
    assert.equal((await call('DELETE', `/applications/${String(app['id'])}`, adminToken)).status, 204);
    assertGraphError(await call('GET', `/applications/${String(app['id'])}`, adminToken), 404, 'Request_ResourceNotFound', `Resource '${String(app['id'])}' does not exist or one of its queried reference-property objects are not present.`);
    assertGraphError(await call('GET', `/servicePrincipals/${String(sp['id'])}`, adminToken), 404, 'Request_ResourceNotFound');
  });
});

describe('refusals', () => {
  test('malformed JSON, unknown property, read-only property', async () => {
    assertGraphError(await call('POST', '/applications', adminToken, '{"displayName":'), 400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    assertGraphError(await call('POST', '/applications', adminToken, { displayName: 'x', colour: 'blue' }), 400, 'Request_BadRequest', "Property 'colour' does not exist as a declared property or extension property.");
    assertGraphError(await call('POST', '/applications', adminToken, { description: 'no name' }), 400, 'Request_BadRequest', "Invalid value specified for property 'displayName' of resource 'Application'.");
    assertGraphError(await call('POST', '/applications', adminToken, { displayName: 'x', web: { redirectUris: ['http://example.com/cb'] } }), 400, 'Request_BadRequest');
    assertGraphError(await call('GET', '/applications/00000000-0000-0000-0000-000000000001', adminToken), 404, 'Request_ResourceNotFound');
  });

  test('App ID URIs: no claiming a Microsoft resource, another app\'s URI, or an unverified https host', async () => {
    const taken = "Another object with the same value for property identifierUris already exists.";
    assertGraphError(await call('POST', '/applications', adminToken, { displayName: 'x', identifierUris: ['https://graph.microsoft.com'] }), 400, 'HostNameNotOnVerifiedDomain', "Values of identifierUris property must use a verified domain of the organization or its subdomain: 'https://graph.microsoft.com'");
    const apiUri = `api://${emulator.devJson.apps.api.clientId}`;
    assertGraphError(await call('POST', '/applications', adminToken, { displayName: 'x', identifierUris: [apiUri] }), 400, 'Request_BadRequest', taken);
    for (const uri of ['api://00000003-0000-0000-c000-000000000000', `api://${emulator.devJson.apps.web.clientId}`]) {
      assertGraphError(await call('POST', '/applications', adminToken, { displayName: 'x', identifierUris: [uri] }), 400, 'Request_BadRequest', taken);
    }
    const ok = await call('POST', '/applications', adminToken, { displayName: 'verified', identifierUris: ['https://entrakitdemo.onmicrosoft.com/orders'] });
    assert.equal(ok.status, 201);
    assertGraphError(await call('PATCH', `/applications/${String(ok.body['id'])}`, adminToken, { identifierUris: ['api://00000003-0000-0000-c000-000000000000'] }), 400, 'Request_BadRequest', taken);
    const own = await call('PATCH', `/applications/${String(ok.body['id'])}`, adminToken, { identifierUris: [`api://${String(ok.body['appId'])}`] });
    assert.equal(own.status, 204, "an app's own api://{appId} stays free for it");
  });

  test('wrongly typed bodies are 400 on every write, never 500', async () => {
    const created = await call('POST', '/applications', adminToken, { displayName: 'Garbage target' });
    const id = String(created.body['id']);
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/applications', []],
      ['POST', '/applications', null],
      ['POST', '/applications', { displayName: 42 }],
      ['PATCH', `/applications/${id}`, { api: null }],
      ['PATCH', `/applications/${id}`, { api: { requestedAccessTokenVersion: 3 } }],
      ['PATCH', `/applications/${id}`, { api: { oauth2PermissionScopes: [{ id: 'not-a-guid', value: 'x', type: 'User', adminConsentDisplayName: 'a', adminConsentDescription: 'b' }] } }],
      ['PATCH', `/applications/${id}`, { web: { redirectUris: 'https://localhost/cb' } }],
      ['PATCH', `/applications/${id}`, { web: { implicitGrantSettings: { enableIdTokenIssuance: 'yes' } } }],
      ['PATCH', `/applications/${id}`, { identifierUris: ['not a uri'] }],
      ['PATCH', `/applications/${id}`, { signInAudience: 'Everyone' }],
      ['PATCH', `/applications/${id}`, { publicClient: { redirectUris: ['javascript:alert(1)'] } }],
      ['PATCH', `/applications/${id}`, { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: 'bm90IGEgY2VydA==' }] }],
      ['PATCH', `/applications/${id}`, { appRoles: [{ id: '0b6c8a8e-7a3c-4a8e-9c57-2a0e1d7b9f21', value: 'x', displayName: 'x', description: 'x', allowedMemberTypes: ['Robot'] }] }],
      ['PATCH', `/applications/${id}`, { id: '0b6c8a8e-7a3c-4a8e-9c57-2a0e1d7b9f21' }],
      ['POST', `/applications/${id}/addPassword`, { passwordCredential: 'x' }],
      ['POST', `/applications/${id}/addPassword`, { passwordCredential: { endDateTime: 'tomorrow' } }],
      ['POST', `/applications/${id}/removePassword`, { keyId: 7 }],
      ['POST', `/applications/${id}/owners/$ref`, { '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/nope' }],
      ['POST', '/servicePrincipals', { appId: 'nope' }],
      ['POST', '/oauth2PermissionGrants', { clientId: id, consentType: 'Someone', resourceId: id, scope: 'x' }],
    ];
    for (const [method, path, body] of writes) {
      const reply = await call(method, path, adminToken, JSON.stringify(body));
      assert.equal(reply.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(reply.body)}`);
    }
  });

  test('a delegated token without any Application.* or Directory.* scope gets 403 Authorization_RequestDenied', async () => {
    const adele = emulator.devJson.users.find((u) => u.username.startsWith('adele@'))!;
    const tokens = await signInWith({ clientId: emulator.webClientId, redirectUri: emulator.webRedirectUri, username: adele.username, password: adele.password, scope: 'openid profile User.Read', secret: emulator.devJson.apps.web.clientSecret });
    const token = String(tokens['access_token']);
    // Scopes are additive: the web app's token carries everything consented for it on Graph, none of
    // which reads or writes applications.
    assert.deepEqual(String(decodeJwt(token)['scp']).split(' ').filter((s) => !['openid', 'profile', 'email'].includes(s)), ['User.Read', 'User.RevokeSessions.All']);
    assertGraphError(await call('POST', '/applications', token, { displayName: 'nope' }), 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    assertGraphError(await call('GET', '/applications', token), 403, 'Authorization_RequestDenied');
  });

  test('Application.ReadWrite.All in scp without an admin role is 403', async () => {
    const megan = emulator.devJson.users.find((u) => u.username.startsWith('megan@'))!;
    const cli = emulator.devJson.apps.cli!;
    const tokens = await signInWith({ clientId: cli.clientId, redirectUri: cli.redirectUri, username: megan.username, password: megan.password, scope: 'https://graph.microsoft.com/.default' });
    const claims = decodeJwt(String(tokens['access_token']));
    assert.ok(String(claims['scp']).split(' ').includes('Application.ReadWrite.All'));
    assert.equal(claims['wids'], undefined);
    assertGraphError(await call('POST', '/applications', String(tokens['access_token']), { displayName: 'nope' }), 403, 'Authorization_RequestDenied');
  });
});
