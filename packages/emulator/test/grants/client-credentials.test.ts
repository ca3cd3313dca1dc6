import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { stableGuid } from '../../src/directory/ids.ts';
import { graphTokenSigningForm } from '../../src/tokens/sign.ts';
import { TENANT_ID, decodeSegment, errorCode, registerTestApp, startTestEmulator, type TestEmulator } from './helpers.ts';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator();
});
after(() => t.close());

function ccForm(scope: string): Record<string, string> {
  const web = t.emulator.devJson.apps.web;
  return { grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope };
}

describe('client_credentials grant', () => {
  test('Graph: v1 app-only token with the roles assigned to the client SP; body has exactly four fields', async () => {
    const web = t.emulator.devJson.apps.web;
    const reply = await t.post(ccForm('https://graph.microsoft.com/.default openid profile offline_access'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
    assert.equal(reply.headers.get('pragma'), 'no-cache');
    assert.deepEqual(Object.keys(reply.body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    assert.equal(reply.body['token_type'], 'Bearer');
    assert.equal(reply.body['expires_in'], 3600);
    const token = reply.body['access_token'] as string;
    assert.equal(typeof decodeSegment(token, 0)['nonce'], 'string');
    const claims = await t.verify(graphTokenSigningForm(token), { issuer: t.v1Issuer, audience: 'https://graph.microsoft.com' });
    const webSp = stableGuid(`${TENANT_ID}:sp:${web.clientId}`);
    assert.equal(claims['ver'], '1.0');
    assert.equal(claims['appid'], web.clientId);
    assert.equal(claims['appidacr'], '1');
    assert.equal(claims['idtyp'], 'app');
    assert.equal(claims['oid'], webSp);
    assert.equal(claims['sub'], webSp);
    assert.equal(claims['tid'], TENANT_ID);
    assert.deepEqual(claims['roles'], ['Application.Read.All', 'Directory.Read.All', 'GroupMember.Read.All', 'User.Read.All']);
    assert.equal(claims['scp'], undefined);
  });

  test('own API: v2 token, aud = API appId even when asked by App ID URI, roles Api.Admin', async () => {
    const { api, web } = t.emulator.devJson.apps;
    for (const scope of [`api://${api.clientId}/.default`, `${api.clientId}/.default`]) {
      const reply = await t.post(ccForm(scope));
      assert.equal(reply.status, 200);
      const claims = await t.verify(reply.body['access_token'] as string, { issuer: t.v2Issuer, audience: api.clientId });
      assert.equal(claims['ver'], '2.0');
      assert.equal(claims['azp'], web.clientId);
      assert.equal(claims['azpacr'], '1');
      assert.equal(claims['idtyp'], 'app');
      assert.deepEqual(claims['roles'], ['Api.Admin']);
      assert.equal(claims['appid'], undefined);
      assert.deepEqual(Object.keys(decodeSegment(reply.body['access_token'] as string, 0)).sort(), ['alg', 'kid', 'typ']);
    }
  });

  test('Storage: v1 token with aud https://storage.azure.com and no roles claim when none are assigned', async () => {
    const reply = await t.post(ccForm('https://storage.azure.com/.default'));
    assert.equal(reply.status, 200);
    const claims = await t.verify(reply.body['access_token'] as string, { issuer: t.v1Issuer, audience: 'https://storage.azure.com' });
    assert.equal('roles' in claims, false);
    assert.equal(claims['idp'], t.v1Issuer);
  });

  test('scope errors: no .default 1002012, unknown resource 500011, two resources 70011, missing 900144', async () => {
    const plain = await t.post(ccForm('User.Read'));
    assert.equal(plain.status, 400);
    assert.equal(plain.body['error'], 'invalid_scope');
    assert.equal(errorCode(plain), 1002012);
    assert.equal(errorCode(await t.post(ccForm('openid profile'))), 1002012);
    assert.equal(errorCode(await t.post(ccForm('https://graph.microsoft.com/User.Read'))), 1002012);

    const unknown = await t.post(ccForm('api://nobody-here/.default'));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body['error'], 'invalid_resource');
    assert.equal(errorCode(unknown), 500011);

    const two = await t.post(ccForm('https://graph.microsoft.com/.default https://storage.azure.com/.default'));
    assert.equal(two.status, 400);
    assert.equal(two.body['error'], 'invalid_scope');
    assert.equal(errorCode(two), 70011);

    const form = ccForm('x');
    delete form['scope'];
    assert.equal(errorCode(await t.post(form)), 900144);
  });

  test('needs a confidential client (7000218) and a tenant-specific authority (50059)', async () => {
    const form = ccForm('https://graph.microsoft.com/.default');
    delete form['client_secret'];
    const reply = await t.post(form);
    assert.equal(reply.status, 401);
    assert.equal(reply.body['error'], 'invalid_client');
    assert.equal(errorCode(reply), 7000218);

    const { app, secret } = registerTestApp(t.emulator, { signInAudience: 'AzureADMultipleOrgs' });
    const common = await t.post({ grant_type: 'client_credentials', client_id: app.appId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }, {}, 'common');
    assert.equal(common.status, 400);
    assert.equal(errorCode(common), 50059);
    const byDomain = await t.post({ grant_type: 'client_credentials', client_id: app.appId, client_secret: secret, scope: 'https://graph.microsoft.com/.default' }, {}, 'entrakitdemo.onmicrosoft.com');
    assert.equal(byDomain.status, 200);
    assert.equal('roles' in decodeSegment(byDomain.body['access_token'] as string, 1), false);
  });
});
