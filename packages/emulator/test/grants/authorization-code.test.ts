import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pairwiseSubject } from '../../src/tokens/identifiers.ts';
import { stableGuid } from '../../src/directory/ids.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';
import { graphTokenSigningForm } from '../../src/tokens/sign.ts';
import { ADELE_ID, TENANT_ID, decodeSegment, errorCode, issueCode, manualClock, registerTestApp, startTestEmulator, webCodeForm, type TestEmulator } from './helpers.ts';

const clock = manualClock();
let t: TestEmulator;
before(async () => {
  t = await startTestEmulator({ clock: clock.now });
});
after(() => t.close());

describe('authorization_code grant', () => {
  test('redeems a code: v1 Graph access token, v2 ID token with nonce, refresh token, client_info', async () => {
    const { emulator } = t;
    const web = emulator.devJson.apps.web;
    const { code, verifier } = await issueCode(emulator, { scope: 'openid profile email offline_access User.Read' });
    const reply = await t.post(webCodeForm(emulator, code, verifier));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
    assert.equal(reply.headers.get('pragma'), 'no-cache');
    const body = reply.body;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'client_info', 'expires_in', 'ext_expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    assert.equal(body['token_type'], 'Bearer');
    // Entra's scopes are additive: the token carries every Graph scope consented for the web app
    // (the demo grants it User.RevokeSessions.All too), not only those requested.
    assert.equal(body['scope'], 'openid profile email User.Read User.RevokeSessions.All');
    assert.equal(body['expires_in'], 3600);
    assert.equal(body['ext_expires_in'], 3600);
    assert.deepEqual(JSON.parse(Buffer.from(body['client_info'] as string, 'base64url').toString()), { uid: ADELE_ID, utid: TENANT_ID });

    const idToken = body['id_token'] as string;
    const id = await t.verify(idToken, { issuer: t.v2Issuer, audience: web.clientId });
    assert.equal(id['ver'], '2.0');
    assert.equal(id['nonce'], 'nonce-123');
    assert.equal(id['oid'], ADELE_ID);
    assert.equal(id['tid'], TENANT_ID);
    assert.equal(id['sid'], 'sid-abc');
    assert.equal(id['preferred_username'], 'adele@entrakitdemo.onmicrosoft.com');
    assert.equal(id['email'], 'adele@entrakitdemo.onmicrosoft.com');
    assert.equal(id['name'], 'Adele Vance');
    assert.equal(id['sub'], pairwiseSubject(TENANT_ID, ADELE_ID, web.clientId));
    assert.match(id['sub'] as string, /^[A-Za-z0-9_-]{43}$/);
    assert.equal((id['exp'] as number) - (id['iat'] as number), 3600);
    for (const claim of ['aio', 'rh', 'uti', 'nbf']) assert.ok(id[claim] !== undefined, claim);
    assert.equal(id['auth_time'], undefined);
    assert.deepEqual(Object.keys(decodeSegment(idToken, 0)).sort(), ['alg', 'kid', 'typ']);

    const accessToken = body['access_token'] as string;
    const header = decodeSegment(accessToken, 0);
    assert.equal(typeof header['nonce'], 'string', 'Graph tokens carry a header nonce');
    assert.equal(header['x5t'], header['kid']);
    // Third parties cannot verify a Graph token as issued; its claims are still readable.
    await assert.rejects(t.verify(accessToken, { issuer: t.v1Issuer, audience: GRAPH_APP_ID }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    const at = await t.verify(graphTokenSigningForm(accessToken), { issuer: t.v1Issuer, audience: GRAPH_APP_ID });
    assert.equal(at['iss'], t.v1Issuer);
    assert.equal(at['ver'], '1.0');
    assert.equal(at['appid'], web.clientId);
    assert.equal(at['appidacr'], '1');
    assert.equal(at['idtyp'], 'user');
    assert.equal(at['scp'], 'User.Read User.RevokeSessions.All openid profile email');
    assert.equal(at['oid'], ADELE_ID);
    assert.equal(at['upn'], 'adele@entrakitdemo.onmicrosoft.com');
    assert.equal(at['unique_name'], 'adele@entrakitdemo.onmicrosoft.com');
    assert.deepEqual(at['amr'], ['pwd']);
    assert.equal(at['roles'], undefined);
  });

  test('the access token follows the resource: v2 for the API (aud = GUID even when asked as api://)', async () => {
    const { emulator } = t;
    const api = emulator.devJson.apps.api;
    const web = emulator.devJson.apps.web;
    emulator.deps.directory.consents.grant(TENANT_ID, web.clientId, api.clientId, ADELE_ID, ['user_impersonation']);
    const { code, verifier } = await issueCode(emulator, { scope: `openid offline_access ${api.scope}`, nonce: undefined });
    const reply = await t.post(webCodeForm(emulator, code, verifier));
    assert.equal(reply.status, 200);
    assert.equal(reply.body['scope'], api.scope, 'OIDC scopes are echoed only for Graph');
    const at = await t.verify(reply.body['access_token'] as string, { issuer: t.v2Issuer, audience: api.clientId });
    assert.equal(at['ver'], '2.0');
    assert.equal(at['azp'], web.clientId);
    assert.equal(at['azpacr'], '1');
    assert.equal(at['scp'], 'user_impersonation');
    assert.deepEqual(at['roles'], ['Api.Admin']);
    assert.equal(at['preferred_username'], 'adele@entrakitdemo.onmicrosoft.com');
    assert.equal(at['appid'], undefined);
    const id = await t.verify(reply.body['id_token'] as string, { issuer: t.v2Issuer, audience: web.clientId });
    assert.equal(id['nonce'], undefined);
    assert.equal(id['email'], undefined, 'email only with the email scope');
  });

  test('no refresh token without offline_access, no ID token without openid', async () => {
    const { code, verifier } = await issueCode(t.emulator, { scope: 'User.Read' });
    const reply = await t.post(webCodeForm(t.emulator, code, verifier));
    assert.equal(reply.status, 200);
    assert.equal(reply.body['refresh_token'], undefined);
    assert.equal(reply.body['id_token'], undefined);
    assert.equal(reply.body['scope'], 'User.Read User.RevokeSessions.All');
  });

  test('a reused code answers 54005 and revokes the refresh tokens of the first redemption', async () => {
    const { code, verifier } = await issueCode(t.emulator);
    const first = await t.post(webCodeForm(t.emulator, code, verifier));
    assert.equal(first.status, 200);
    const second = await t.post(webCodeForm(t.emulator, code, verifier));
    assert.equal(second.status, 400);
    assert.equal(second.body['error'], 'invalid_grant');
    assert.equal(errorCode(second), 54005);
    const web = t.emulator.devJson.apps.web;
    const refresh = await t.post({ grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: first.body['refresh_token'] as string, scope: 'openid User.Read' });
    assert.equal(refresh.status, 400);
    assert.equal(refresh.body['error'], 'invalid_grant');
    assert.equal(errorCode(refresh), 50173);
  });

  test('PKCE: a wrong verifier and a missing verifier are both 501481, and the code is burnt', async () => {
    const wrong = await issueCode(t.emulator);
    const reply = await t.post(webCodeForm(t.emulator, wrong.code, 'x'.repeat(43)));
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_grant');
    assert.equal(errorCode(reply), 501481);
    const retry = await t.post(webCodeForm(t.emulator, wrong.code, wrong.verifier));
    assert.equal(errorCode(retry), 54005);

    const missing = await issueCode(t.emulator);
    const form = webCodeForm(t.emulator, missing.code, missing.verifier);
    delete form['code_verifier'];
    const downgrade = await t.post(form);
    assert.equal(downgrade.status, 400);
    assert.equal(errorCode(downgrade), 501481);

    const short = await issueCode(t.emulator);
    assert.equal(errorCode(await t.post(webCodeForm(t.emulator, short.code, short.verifier.slice(0, 42)))), 501481);
  });

  test('PKCE downgrade: a verifier sent for a code issued without a challenge is 501481', async () => {
    const plain = await issueCode(t.emulator, { codeChallenge: '' });
    const reply = await t.post(webCodeForm(t.emulator, plain.code, plain.verifier));
    assert.equal(reply.status, 400);
    assert.equal(errorCode(reply), 501481);
    const control = await issueCode(t.emulator, { codeChallenge: '' });
    const form = webCodeForm(t.emulator, control.code, control.verifier);
    delete form['code_verifier'];
    assert.equal((await t.post(form)).status, 200, 'without a verifier the confidential client redeems it');
  });

  test('PKCE verifier rule (RFC 7636: 43 to 128 of A-Z a-z 0-9 - . _ ~) holds even when the hash matches', async () => {
    const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
    for (const verifier of ['a'.repeat(42), 'b'.repeat(129), `${'c'.repeat(42)}+`, `${'d'.repeat(42)}=`, `${'e'.repeat(42)} `]) {
      const issued = await issueCode(t.emulator, { codeChallenge: s256(verifier) });
      const reply = await t.post(webCodeForm(t.emulator, issued.code, verifier));
      assert.equal(errorCode(reply), 501481, `${verifier.length} characters: ${JSON.stringify(verifier.slice(-2))}`);
    }
    for (const verifier of ['f'.repeat(43), `${'g'.repeat(124)}-._~`]) {
      const issued = await issueCode(t.emulator, { codeChallenge: s256(verifier) });
      assert.equal((await t.post(webCodeForm(t.emulator, issued.code, verifier))).status, 200, `${verifier.length} characters pass`);
    }
  });

  test('redirect_uri must be byte-identical (500112); missing is 900144', async () => {
    const { code, verifier } = await issueCode(t.emulator);
    const reply = await t.post({ ...webCodeForm(t.emulator, code, verifier), redirect_uri: 'http://localhost:5000/auth/callback/' });
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_grant');
    assert.equal(errorCode(reply), 500112);

    const other = await issueCode(t.emulator);
    const form = webCodeForm(t.emulator, other.code, other.verifier);
    delete form['redirect_uri'];
    const missing = await t.post(form);
    assert.equal(missing.status, 400);
    assert.equal(errorCode(missing), 900144);
  });

  test('the code is bound to its client, expires after 10 minutes, and unknown codes are invalid_grant', async () => {
    const { app, secret } = registerTestApp(t.emulator);
    const stolen = await issueCode(t.emulator);
    const reply = await t.post({ ...webCodeForm(t.emulator, stolen.code, stolen.verifier), client_id: app.appId, client_secret: secret });
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_grant');
    assert.equal(errorCode(reply), 70000);

    const old = await issueCode(t.emulator, { issuedAt: clock.now() - 10 * 60_000 - 1 });
    const expired = await t.post(webCodeForm(t.emulator, old.code, old.verifier));
    assert.equal(expired.status, 400);
    assert.equal(errorCode(expired), 70008);

    const unknown = await t.post(webCodeForm(t.emulator, 'not-a-code', 'y'.repeat(43)));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body['error'], 'invalid_grant');
    assert.equal(errorCode(unknown), 9002313);
  });

  test('a confidential client must authenticate (7000218); a public client redeems without a secret', async () => {
    const { code, verifier } = await issueCode(t.emulator);
    const form = webCodeForm(t.emulator, code, verifier);
    delete form['client_secret'];
    const reply = await t.post(form);
    assert.equal(reply.status, 401);
    assert.equal(reply.body['error'], 'invalid_client');
    assert.equal(errorCode(reply), 7000218);

    const redirect = 'http://localhost:7001';
    const { app } = registerTestApp(t.emulator, { publicClient: { redirectUris: [redirect] }, web: { redirectUris: [], logoutUrl: null } });
    t.emulator.deps.directory.consents.grant(TENANT_ID, app.appId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'offline_access']);
    const pub = await issueCode(t.emulator, { clientId: app.appId, redirectUri: redirect });
    const ok = await t.post({ grant_type: 'authorization_code', client_id: app.appId, code: pub.code, code_verifier: pub.verifier, redirect_uri: redirect });
    assert.equal(ok.status, 200);
    assert.equal(decodeSegment(ok.body['access_token'] as string, 1)['appidacr'], '0');
    assert.equal(typeof ok.body['refresh_token'], 'string');
  });

  test('groups claim when the app asks for it (nested groups), overage pointer above 200 groups', async () => {
    const directory = t.emulator.deps.directory;
    const redirect = 'http://localhost:7000/callback';
    const { app, secret } = registerTestApp(t.emulator, { groupMembershipClaims: 'SecurityGroup' });
    directory.consents.grant(TENANT_ID, app.appId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile']);
    const redeem = async (userId: string) => {
      const { code, verifier } = await issueCode(t.emulator, { clientId: app.appId, redirectUri: redirect, userId, scope: 'openid User.Read' });
      const reply = await t.post({ grant_type: 'authorization_code', client_id: app.appId, client_secret: secret, code, code_verifier: verifier, redirect_uri: redirect });
      assert.equal(reply.status, 200);
      return t.verify(reply.body['id_token'] as string, { issuer: t.v2Issuer, audience: app.appId });
    };
    const adele = await redeem(ADELE_ID);
    assert.deepEqual(adele['groups'], directory.memberships.transitiveGroupIds(ADELE_ID));
    assert.equal((adele['groups'] as string[]).length, 4);

    const megan = stableGuid('user:megan');
    for (let i = 0; i < 201; i++) {
      const id = stableGuid(`overage-group-${i}`);
      directory.objects.insert('group', TENANT_ID, null, { id, displayName: `g${i}`, description: null, mailEnabled: false, securityEnabled: true });
      directory.memberships.add(id, megan);
    }
    const overage = await redeem(megan);
    assert.equal(overage['groups'], undefined);
    assert.deepEqual(overage['_claim_names'], { groups: 'src1' });
    assert.deepEqual(overage['_claim_sources'], { src1: { endpoint: `${t.emulator.url}/v1.0/users/${megan}/getMemberObjects` } });
  });

  test("the ID token carries the client's own app roles assigned to the user (roles), absent without any", async () => {
    const idToken = async (userId: string) => {
      const { code, verifier } = await issueCode(t.emulator, { userId });
      const reply = await t.post(webCodeForm(t.emulator, code, verifier));
      assert.equal(reply.status, 200);
      return t.verify(reply.body['id_token'] as string, { issuer: t.v2Issuer, audience: t.emulator.devJson.apps.web.clientId });
    };
    // Adele holds the web app's Admin role (and the API's Api.Admin, which belongs in API tokens only).
    assert.deepEqual((await idToken(ADELE_ID))['roles'], ['Admin']);
    assert.equal((await idToken(stableGuid('user:alex')))['roles'], undefined);
  });

  test('consent is rechecked at redemption (65001 consent_required)', async () => {
    const { app, secret } = registerTestApp(t.emulator);
    const { code, verifier } = await issueCode(t.emulator, { clientId: app.appId, redirectUri: 'http://localhost:7000/callback' });
    const reply = await t.post({ grant_type: 'authorization_code', client_id: app.appId, client_secret: secret, code, code_verifier: verifier, redirect_uri: 'http://localhost:7000/callback' });
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_grant');
    assert.equal(reply.body['suberror'], 'consent_required');
    assert.equal(errorCode(reply), 65001);
  });
});
