import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADELE_ID, TENANT_ID, errorCode, issueCode, manualClock, registerTestApp, startTestEmulator, webCodeForm, type TestEmulator } from './helpers.ts';

const clock = manualClock();
let t: TestEmulator;
let userApiToken: string;
let userIdToken: string;
before(async () => {
  t = await startTestEmulator({ clock: clock.now });
  const { web, api } = t.emulator.devJson.apps;
  t.emulator.deps.directory.consents.grant(TENANT_ID, web.clientId, api.clientId, ADELE_ID, ['user_impersonation']);
  const { code, verifier } = await issueCode(t.emulator, { scope: `openid profile offline_access ${api.scope}` });
  const reply = await t.post(webCodeForm(t.emulator, code, verifier));
  assert.equal(reply.status, 200);
  userApiToken = reply.body['access_token'] as string;
  userIdToken = reply.body['id_token'] as string;
});
after(() => t.close());

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function oboForm(assertion: string, scope = 'https://storage.azure.com/user_impersonation offline_access openid profile'): Record<string, string> {
  const api = t.emulator.devJson.apps.api;
  return { grant_type: JWT_BEARER, requested_token_use: 'on_behalf_of', client_id: api.clientId, client_secret: api.clientSecret, assertion, scope };
}

describe('on-behalf-of grant', () => {
  test('the API trades the user token for a v1 Storage token for the same user', async () => {
    const api = t.emulator.devJson.apps.api;
    const reply = await t.post(oboForm(userApiToken));
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body['scope'], 'https://storage.azure.com/user_impersonation');
    assert.equal(typeof reply.body['refresh_token'], 'string');
    const claims = await t.verify(reply.body['access_token'] as string, { issuer: t.v1Issuer, audience: 'https://storage.azure.com' });
    assert.equal(claims['ver'], '1.0');
    assert.equal(claims['oid'], ADELE_ID);
    assert.equal(claims['tid'], TENANT_ID);
    assert.equal(claims['appid'], api.clientId);
    assert.equal(claims['appidacr'], '1');
    assert.equal(claims['scp'], 'user_impersonation');
    assert.equal(claims['upn'], 'adele@entrakitdemo.onmicrosoft.com');
    const id = await t.verify(reply.body['id_token'] as string, { issuer: t.v2Issuer, audience: api.clientId });
    assert.equal(id['oid'], ADELE_ID);

    const noOffline = await t.post(oboForm(userApiToken, 'https://storage.azure.com/.default'));
    assert.equal(noOffline.status, 200);
    assert.equal(noOffline.body['refresh_token'], undefined);
    assert.equal(noOffline.body['id_token'], undefined);
  });

  test('downstream scopes need the API to have consent: 65001 consent_required', async () => {
    const reply = await t.post(oboForm(userApiToken, 'https://graph.microsoft.com/User.Read.All'));
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_grant');
    assert.equal(reply.body['suberror'], 'consent_required');
    assert.equal(errorCode(reply), 65001);
  });

  test('app-only assertions, ID tokens, foreign audiences and garbage are invalid_grant', async () => {
    const { web, api } = t.emulator.devJson.apps;
    const appOnly = await t.post({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: `api://${api.clientId}/.default` });
    const graphToken = await t.post({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: 'https://graph.microsoft.com/.default' });
    const cases: Array<[string, string, number]> = [
      ['app-only token', appOnly.body['access_token'] as string, 50013],
      ['ID token', userIdToken, 50013],
      ['Graph token', graphToken.body['access_token'] as string, 50013],
      ['garbage', 'not.a.jwt', 50027],
      ['tampered', `${userApiToken.slice(0, -4)}AAAA`, 50013],
    ];
    for (const [name, assertion, code] of cases) {
      const reply = await t.post(oboForm(assertion));
      assert.equal(reply.status, 400, name);
      assert.equal(reply.body['error'], 'invalid_grant', name);
      assert.equal(errorCode(reply), code, name);
    }
  });

  test('another API cannot use a token issued for this one (aud)', async () => {
    const { app, secret } = registerTestApp(t.emulator);
    const reply = await t.post({ ...oboForm(userApiToken), client_id: app.appId, client_secret: secret });
    assert.equal(reply.status, 400);
    assert.equal(errorCode(reply), 50013);
  });

  test('needs client authentication, requested_token_use=on_behalf_of and an assertion', async () => {
    const form = oboForm(userApiToken);
    delete form['client_secret'];
    const unauthenticated = await t.post(form);
    assert.equal(unauthenticated.status, 401);
    assert.equal(errorCode(unauthenticated), 7000218);
    assert.equal(errorCode(await t.post({ ...oboForm(userApiToken), requested_token_use: 'something' })), 9002313);
    const noAssertion = oboForm('x');
    delete noAssertion['assertion'];
    assert.equal(errorCode(await t.post(noAssertion)), 900144);
  });

  test('an expired user token is 500133', async () => {
    clock.advance(2 * 3600_000);
    const reply = await t.post(oboForm(userApiToken));
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_grant');
    assert.equal(errorCode(reply), 500133);
  });
});
