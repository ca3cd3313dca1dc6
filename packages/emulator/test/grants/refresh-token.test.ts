import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tokenEndpointOptions } from '../../src/endpoints/token.ts';
import { ADELE_ID, TENANT_ID, decodeSegment, errorCode, issueCode, manualClock, registerTestApp, startTestEmulator, webCodeForm, type TestEmulator } from './helpers.ts';

const clock = manualClock();
let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ clock: clock.now });
});
after(() => t.close());

async function signedIn(scope = 'openid profile offline_access User.Read'): Promise<string> {
  const { code, verifier } = await issueCode(t.emulator, { scope });
  const reply = await t.post(webCodeForm(t.emulator, code, verifier));
  assert.equal(reply.status, 200);
  return reply.body['refresh_token'] as string;
}

function refreshForm(refreshToken: string, scope?: string): Record<string, string> {
  const web = t.emulator.devJson.apps.web;
  return { grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: refreshToken, ...(scope ? { scope } : {}) };
}

describe('refresh_token grant', () => {
  test('rotates: each redemption returns a new refresh token, an ID token without nonce, and the session sid', async () => {
    const first = await signedIn();
    const reply = await t.post(refreshForm(first, 'openid profile offline_access User.Read'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
    const next = reply.body['refresh_token'] as string;
    assert.equal(typeof next, 'string');
    assert.notEqual(next, first);
    assert.equal(reply.body['scope'], 'openid profile User.Read');
    const id = await t.verify(reply.body['id_token'] as string, { issuer: t.v2Issuer, audience: t.emulator.devJson.apps.web.clientId });
    assert.equal(id['nonce'], undefined);
    assert.equal(id['sid'], 'sid-abc');
    assert.equal(decodeSegment(reply.body['access_token'] as string, 1)['oid'], ADELE_ID);
    // Without `scope` the original grant's scopes apply.
    const again = await t.post(refreshForm(next));
    assert.equal(again.status, 200);
    assert.equal(again.body['scope'], 'openid profile User.Read');
  });

  test('reusing a rotated refresh token revokes the whole family, the newest token included', async () => {
    const first = await signedIn();
    const rotated = await t.post(refreshForm(first));
    const newest = rotated.body['refresh_token'] as string;
    const reuse = await t.post(refreshForm(first));
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body['error'], 'invalid_grant');
    assert.equal(errorCode(reuse), 70000);
    const afterRevocation = await t.post(refreshForm(newest));
    assert.equal(afterRevocation.status, 400);
    assert.equal(afterRevocation.body['error'], 'invalid_grant');
    assert.equal(errorCode(afterRevocation), 50173);
  });

  test('redeems for another resource the user consented to; 65001 for one not consented', async () => {
    const web = t.emulator.devJson.apps.web;
    const api = t.emulator.devJson.apps.api;
    const token = await signedIn();
    const refused = await t.post(refreshForm(token, `${api.scope} offline_access`));
    assert.equal(refused.status, 400);
    assert.equal(refused.body['error'], 'invalid_grant');
    assert.equal(refused.body['suberror'], 'consent_required');
    assert.equal(errorCode(refused), 65001);

    // The refused request did not consume the token.
    t.emulator.deps.directory.consents.grant(TENANT_ID, web.clientId, api.clientId, ADELE_ID, ['user_impersonation']);
    const reply = await t.post(refreshForm(token, `${api.scope} offline_access`));
    assert.equal(reply.status, 200);
    assert.equal(reply.body['scope'], api.scope);
    assert.equal(reply.body['id_token'], undefined);
    const at = await t.verify(reply.body['access_token'] as string, { issuer: t.v2Issuer, audience: api.clientId });
    assert.equal(at['scp'], 'user_impersonation');
    assert.equal(at['azp'], web.clientId);

    const storage = await t.post(refreshForm(reply.body['refresh_token'] as string, 'https://storage.azure.com/user_impersonation'));
    assert.equal(storage.status, 400);
    assert.equal(errorCode(storage), 65001);
  });

  test('bound to the client: another client gets 70000 and the token still works for its owner', async () => {
    const token = await signedIn();
    const { app, secret } = registerTestApp(t.emulator);
    const stolen = await t.post({ grant_type: 'refresh_token', client_id: app.appId, client_secret: secret, refresh_token: token });
    assert.equal(stolen.status, 400);
    assert.equal(errorCode(stolen), 70000);
    const noSecret = await t.post({ grant_type: 'refresh_token', client_id: t.emulator.devJson.apps.web.clientId, refresh_token: token });
    assert.equal(noSecret.status, 401);
    assert.equal(errorCode(noSecret), 7000218);
    assert.equal((await t.post(refreshForm(token))).status, 200);
  });

  test('one resource per request: scopes of two resources are 70011', async () => {
    const token = await signedIn();
    const reply = await t.post(refreshForm(token, `User.Read ${t.emulator.devJson.apps.api.scope}`));
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_scope');
    assert.equal(errorCode(reply), 70011);
  });

  test('unknown and garbage refresh tokens are invalid_grant', async () => {
    const reply = await t.post(refreshForm('1.not-a-token'));
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_grant');
    assert.equal(errorCode(reply), 9002313);
    const missing = await t.post({ ...refreshForm('x'), refresh_token: '' });
    assert.equal(errorCode(missing), 900144);
  });

  test('expires after 90 days of inactivity (700082); each use slides the window', async () => {
    let token = await signedIn();
    clock.advance(80 * 86_400_000);
    const used = await t.post(refreshForm(token));
    assert.equal(used.status, 200);
    token = used.body['refresh_token'] as string;
    clock.advance(80 * 86_400_000);
    const stillValid = await t.post(refreshForm(token));
    assert.equal(stillValid.status, 200);
    clock.advance(91 * 86_400_000);
    const expired = await t.post(refreshForm(stillValid.body['refresh_token'] as string));
    assert.equal(expired.status, 400);
    assert.equal(expired.body['error'], 'invalid_grant');
    assert.equal(errorCode(expired), 700082);
  });
});

describe('refresh token reuse modes', () => {
  test('ENTRAKIT_EMULATOR_REFRESH_REUSE: default revoke-family, allow = Entra behaviour, anything else is a TypeError', () => {
    assert.deepEqual(tokenEndpointOptions({}), { refreshTokenReuse: 'revoke-family', assertionReplay: 'allow' });
    assert.equal(tokenEndpointOptions({ ENTRAKIT_EMULATOR_REFRESH_REUSE: 'allow' }).refreshTokenReuse, 'allow');
    assert.throws(() => tokenEndpointOptions({ ENTRAKIT_EMULATOR_REFRESH_REUSE: 'sometimes' }), { name: 'TypeError', message: /ENTRAKIT_EMULATOR_REFRESH_REUSE/ });
    assert.throws(() => tokenEndpointOptions({ ENTRAKIT_EMULATOR_ASSERTION_REPLAY: 'yes' }), { name: 'TypeError', message: /ENTRAKIT_EMULATOR_ASSERTION_REPLAY/ });
  });

  test("'allow': a rotated refresh token keeps working, as in Entra", async () => {
    process.env['ENTRAKIT_EMULATOR_REFRESH_REUSE'] = 'allow';
    const lenient = await startTestEmulator().finally(() => delete process.env['ENTRAKIT_EMULATOR_REFRESH_REUSE']);
    try {
      const web = lenient.emulator.devJson.apps.web;
      const { code, verifier } = await issueCode(lenient.emulator);
      const first = (await lenient.post(webCodeForm(lenient.emulator, code, verifier))).body['refresh_token'] as string;
      const form = { grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: first };
      const a = await lenient.post(form);
      const b = await lenient.post(form);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      assert.notEqual(a.body['refresh_token'], b.body['refresh_token']);
    } finally {
      await lenient.close();
    }
  });
});
