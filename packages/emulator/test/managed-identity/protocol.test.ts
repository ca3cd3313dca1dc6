import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_MANAGED_IDENTITIES, DEMO_TENANT, API_APP_ID } from '../../src/seed/demo-tenant.ts';
import { startTestEmulator, type TestEmulator } from '../grants/helpers.ts';
import { graphTokenSigningForm } from '../../src/tokens/sign.ts';

// The App Service and IMDS managed identity protocols on the wire.

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator();
});
after(() => t.close());

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

describe('managed identity endpoints', () => {
  it('dev.json lists the endpoints, the header and the user-assigned client id', () => {
    const mi = t.emulator.devJson.managedIdentity;
    assert.ok(mi);
    assert.equal(mi.identityEndpoint, `${t.emulator.url}/msi/token`);
    assert.equal(mi.imdsEndpoint, t.emulator.url);
    assert.equal(mi.clientId, DEMO_MANAGED_IDENTITIES.user.clientId);
    assert.match(mi.identityHeader, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(mi.identities.map((i) => i.type), ['SystemAssigned', 'UserAssigned']);
  });

  it('App Service (2019-08-01): system-assigned by default, user-assigned by client_id; app-only tokens with xms_mirid', async () => {
    const mi = t.emulator.devJson.managedIdentity!;
    const call = (query: string, header: string | undefined = mi.identityHeader) =>
      fetch(`${mi.identityEndpoint}?${query}`, { headers: header === undefined ? {} : { 'X-IDENTITY-HEADER': header } });
    const system = await call('api-version=2019-08-01&resource=https://graph.microsoft.com');
    assert.equal(system.status, 200);
    const body = (await system.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'client_id', 'expires_on', 'resource', 'token_type']);
    assert.equal(body['token_type'], 'Bearer');
    assert.equal(body['resource'], 'https://graph.microsoft.com');
    assert.equal(body['client_id'], DEMO_MANAGED_IDENTITIES.system.clientId);
    assert.match(body['expires_on']!, /^\d{10}$/);
    // Graph tokens carry a header nonce; verified in the form the emulator signed.
    const graph = await t.verify(graphTokenSigningForm(body['access_token']!), { issuer: t.v1Issuer, audience: 'https://graph.microsoft.com' });
    assert.equal(graph['idtyp'], 'app');
    assert.equal(graph['oid'], DEMO_MANAGED_IDENTITIES.system.principalId);
    assert.equal(graph['appid'], DEMO_MANAGED_IDENTITIES.system.clientId);
    assert.equal(graph['xms_mirid'], DEMO_MANAGED_IDENTITIES.system.resourceId);
    assert.deepEqual(graph['roles'], ['User.Read.All']);
    assert.equal(graph['tid'], DEMO_TENANT.id);
    // The token works at the emulator's Graph (User.Read.All lists users).
    const users = await fetch(`${t.emulator.url}/v1.0/users?$top=1`, { headers: { authorization: `Bearer ${body['access_token']!}` } });
    assert.equal(users.status, 200);

    const user = await call(`api-version=2019-08-01&resource=api://${API_APP_ID}&client_id=${DEMO_MANAGED_IDENTITIES.user.clientId}`);
    assert.equal(user.status, 200);
    const apiToken = ((await user.json()) as Record<string, string>)['access_token']!;
    const apiClaims = await t.verify(apiToken, { issuer: t.v2Issuer, audience: API_APP_ID });
    assert.equal(apiClaims['idtyp'], 'app');
    assert.equal(apiClaims['oid'], DEMO_MANAGED_IDENTITIES.user.principalId);
    assert.equal(apiClaims['azp'], DEMO_MANAGED_IDENTITIES.user.clientId);
    assert.equal(apiClaims['azpacr'], '2');
    assert.deepEqual(apiClaims['roles'], ['Api.Admin']);
    assert.equal(apiClaims['xms_mirid'], DEMO_MANAGED_IDENTITIES.user.resourceId);
    // The same identity by its resource id or its object id.
    for (const query of [`mi_res_id=${encodeURIComponent(DEMO_MANAGED_IDENTITIES.user.resourceId)}`, `principal_id=${DEMO_MANAGED_IDENTITIES.user.principalId}`]) {
      const again = await call(`api-version=2019-08-01&resource=api://${API_APP_ID}&${query}`);
      assert.equal(((await again.json()) as Record<string, string>)['client_id'], DEMO_MANAGED_IDENTITIES.user.clientId, query);
    }
  });

  it('App Service refusals: missing or wrong X-IDENTITY-HEADER (401), another api-version, an unknown identity or resource (400)', async () => {
    const mi = t.emulator.devJson.managedIdentity!;
    const base = `${mi.identityEndpoint}?api-version=2019-08-01&resource=https://graph.microsoft.com`;
    assert.equal((await fetch(base)).status, 401);
    assert.equal((await fetch(base, { headers: { 'X-IDENTITY-HEADER': `${mi.identityHeader}x` } })).status, 401);
    const headers = { 'X-IDENTITY-HEADER': mi.identityHeader };
    const version = await fetch(base.replace('2019-08-01', '2017-09-01'), { headers });
    assert.equal(version.status, 400);
    const unknown = await fetch(`${base}&client_id=00000000-0000-0000-0000-000000000001`, { headers });
    assert.equal(unknown.status, 400);
    assert.deepEqual(await unknown.json(), { error: 'invalid_request', error_description: 'Identity not found' });
    const resource = await fetch(base.replace('https://graph.microsoft.com', 'https://nowhere.example'), { headers });
    assert.equal(resource.status, 400);
    const body = (await resource.json()) as Record<string, string>;
    assert.equal(body['error'], 'invalid_resource');
    assert.match(body['error_description']!, /^AADSTS500011: /);
  });

  it('IMDS: needs Metadata: true; answers with expires_in and not_before as strings', async () => {
    const url = `${t.emulator.url}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com`;
    const noHeader = await fetch(url);
    assert.equal(noHeader.status, 400);
    assert.deepEqual(await noHeader.json(), { error: 'invalid_request', error_description: 'Required metadata header not specified' });
    const proxied = await fetch(url, { headers: { Metadata: 'true', 'X-Forwarded-For': '203.0.113.7' } });
    assert.equal(proxied.status, 400);
    const ok = await fetch(`${url}&client_id=${DEMO_MANAGED_IDENTITIES.user.clientId}`, { headers: { Metadata: 'true' } });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'client_id', 'expires_in', 'expires_on', 'ext_expires_in', 'not_before', 'resource', 'token_type']);
    assert.equal(body['expires_in'], '3600');
    assert.equal(claims(body['access_token']!)['xms_mirid'], DEMO_MANAGED_IDENTITIES.user.resourceId);
    const byObjectId = await fetch(`${url}&object_id=${DEMO_MANAGED_IDENTITIES.system.principalId}`, { headers: { Metadata: 'true' } });
    assert.equal(((await byObjectId.json()) as Record<string, string>)['client_id'], DEMO_MANAGED_IDENTITIES.system.clientId);
  });

  it('Graph lists the identities as service principals of type ManagedIdentity', async () => {
    const directory = t.emulator.deps.directory;
    const sp = directory.objects.get('servicePrincipal', DEMO_MANAGED_IDENTITIES.user.principalId)!.value;
    assert.equal(sp.servicePrincipalType, 'ManagedIdentity');
    assert.deepEqual(sp.alternativeNames, ['isExplicit=True', DEMO_MANAGED_IDENTITIES.user.resourceId]);
  });
});

describe('error explanations for the new codes', () => {
  it('/error?code=N explains 700025, 650057 and 50034', async () => {
    for (const code of [700025, 650057, 50034]) {
      const page = await fetch(`${t.emulator.url}/error?code=${code}`);
      assert.equal(page.status, 200, String(code));
      assert.match(await page.text(), new RegExp(`AADSTS${code}`));
    }
  });
});
