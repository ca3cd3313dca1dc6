import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMemoryStore, type KeyValueStore } from 'entrakit/store';
import { createRefreshTokens } from '../../src/grants/refresh-token-store.ts';
import { resolveSwitches } from '../../src/protocol/switches.ts';
import { ADELE_ID, ALEX_ID, TENANT_ID, decodeSegment, errorCode, issueCode, manualClock, registerTestApp, startTestEmulator, webCodeForm, type TestEmulator } from './helpers.ts';

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
    assert.equal(reply.body['scope'], 'openid profile User.Read User.RevokeSessions.All', 'additive: every scope consented for the web app on Graph');
    const id = await t.verify(reply.body['id_token'] as string, { issuer: t.v2Issuer, audience: t.emulator.devJson.apps.web.clientId });
    assert.equal(id['nonce'], undefined);
    assert.equal(id['sid'], 'sid-abc');
    assert.equal(decodeSegment(reply.body['access_token'] as string, 1)['oid'], ADELE_ID);
    // Without `scope` the original grant's scopes apply.
    const again = await t.post(refreshForm(next));
    assert.equal(again.status, 200);
    assert.equal(again.body['scope'], 'openid profile User.Read User.RevokeSessions.All');
  });

  test("Entra's rule by default: a redeemed refresh token stays usable until it expires", async () => {
    const first = await signedIn();
    const a = await t.post(refreshForm(first));
    const b = await t.post(refreshForm(first));
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.notEqual(a.body['refresh_token'], b.body['refresh_token']);
    assert.equal((await t.post(refreshForm(a.body['refresh_token'] as string))).status, 200);
  });

  test("a changed password ends the user's refresh tokens: AADSTS50173", async () => {
    const { code, verifier } = await issueCode(t.emulator, { userId: ALEX_ID });
    const token = (await t.post(webCodeForm(t.emulator, code, verifier))).body['refresh_token'] as string;
    const before = await t.post(refreshForm(token));
    assert.equal(before.status, 200);
    await t.emulator.deps.directory.credentials.setPassword(ALEX_ID, 'a new password 123!');
    for (const presented of [token, before.body['refresh_token'] as string]) {
      const reply = await t.post(refreshForm(presented));
      assert.equal(reply.status, 400);
      assert.equal(reply.body['error'], 'invalid_grant');
      assert.deepEqual(reply.body['error_codes'], [50173]);
      assert.ok((reply.body['error_description'] as string).startsWith('AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '));
    }
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

  test('unknown and garbage refresh tokens are invalid_grant AADSTS70000 with suberror bad_token', async () => {
    for (const token of ['1.not-a-token', 'garbage', '0.AAAA.BBBB']) {
      const reply = await t.post(refreshForm(token));
      assert.equal(reply.status, 400);
      assert.equal(reply.body['error'], 'invalid_grant');
      assert.deepEqual(reply.body['error_codes'], [70000]);
      assert.equal(reply.body['suberror'], 'bad_token');
      assert.ok((reply.body['error_description'] as string).startsWith("AADSTS70000: The provided value for the input parameter 'refresh_token' or 'assertion' is not valid. Trace ID: "));
    }
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
    assert.deepEqual(expired.body['error_codes'], [700082]);
    assert.equal(expired.body['suberror'], undefined);
    assert.ok((expired.body['error_description'] as string).startsWith('AADSTS700082: The refresh token has expired due to inactivity. The token was issued on '));
  });
});

describe("refresh token reuse: 'revoke-family' (strict option)", () => {
  test('switches: default allow; options and ENTRAKIT_EMULATOR_* are checked, naming the bad setting', () => {
    assert.deepEqual(resolveSwitches({}, {}), { refreshTokenReuse: 'allow', assertionReplay: 'allow', requirePkce: 'entra', keyLeadTimeSec: 5 });
    assert.equal(resolveSwitches({}, { ENTRAKIT_EMULATOR_REFRESH_REUSE: 'revoke-family' }).refreshTokenReuse, 'revoke-family');
    assert.equal(resolveSwitches({ refreshTokenReuse: 'allow' }, { ENTRAKIT_EMULATOR_REFRESH_REUSE: 'revoke-family' }).refreshTokenReuse, 'allow', 'the option wins');
    assert.throws(() => resolveSwitches({}, { ENTRAKIT_EMULATOR_REFRESH_REUSE: 'sometimes' }), { name: 'TypeError', message: 'ENTRAKIT_EMULATOR_REFRESH_REUSE must be one of allow, revoke-family (got "sometimes")' });
    assert.throws(() => resolveSwitches({}, { ENTRAKIT_EMULATOR_ASSERTION_REPLAY: 'yes' }), { name: 'TypeError', message: /^ENTRAKIT_EMULATOR_ASSERTION_REPLAY must be one of allow, reject/ });
    assert.throws(() => resolveSwitches({}, { ENTRAKIT_EMULATOR_REQUIRE_PKCE: 'never' }), { name: 'TypeError', message: /^ENTRAKIT_EMULATOR_REQUIRE_PKCE must be one of entra, always/ });
    assert.throws(() => resolveSwitches({}, { ENTRAKIT_EMULATOR_KEY_LEAD_SEC: '-1' }), { name: 'TypeError', message: /^ENTRAKIT_EMULATOR_KEY_LEAD_SEC must be a whole number of seconds/ });
    assert.throws(() => resolveSwitches({ keyLeadTimeSec: 1.5 }, {}), { name: 'TypeError', message: /^the keyLeadTimeSec option must be a whole number/ });
    assert.throws(() => resolveSwitches({ refreshTokenReuse: 'never' as 'allow' }, {}), { name: 'TypeError', message: /^the refreshTokenReuse option must be one of/ });
  });

  test('a bad switch stops startEmulator naming it', async () => {
    await assert.rejects(startTestEmulator({ requirePkce: 'sometimes' as 'always' }), { name: 'TypeError', message: /^the requirePkce option must be one of entra, always/ });
  });

  test('reuse revokes the family: the reused token gets 70008, the newest one 50173', async () => {
    const strict = await startTestEmulator({ refreshTokenReuse: 'revoke-family' });
    try {
      const web = strict.emulator.devJson.apps.web;
      const form = (token: string) => ({ grant_type: 'refresh_token', client_id: web.clientId, client_secret: web.clientSecret, refresh_token: token });
      const { code, verifier } = await issueCode(strict.emulator);
      const first = (await strict.post(webCodeForm(strict.emulator, code, verifier))).body['refresh_token'] as string;
      const rotated = await strict.post(form(first));
      assert.equal(rotated.status, 200);
      const reuse = await strict.post(form(first));
      assert.equal(reuse.status, 400);
      assert.equal(reuse.body['error'], 'invalid_grant');
      assert.deepEqual(reuse.body['error_codes'], [70008]);
      assert.ok((reuse.body['error_description'] as string).startsWith('AADSTS70008: The provided authorization code or refresh token has expired or was revoked.'));
      const newest = await strict.post(form(rotated.body['refresh_token'] as string));
      assert.equal(newest.status, 400);
      assert.equal(newest.body['error'], 'invalid_grant');
      assert.deepEqual(newest.body['error_codes'], [50173]);
      assert.ok((newest.body['error_description'] as string).startsWith('AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.'));
    } finally {
      await strict.close();
    }
  });

  test('two concurrent redemptions of one token: exactly one rotates, the other is reuse and revokes the family', async () => {
    const store = createMemoryStore();
    // Both redemptions read the token before either takes it: the race the atomic take() decides.
    let reads = 0;
    let release: () => void = () => {};
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const racing: KeyValueStore = Object.assign(Object.create(store) as KeyValueStore, {
      async get(key: string) {
        const value = await store.get(key);
        if (key.startsWith('rt:') && ++reads === 2) release();
        return value;
      },
      async take(key: string) {
        await bothRead;
        return store.take(key);
      },
    });
    const tokens = createRefreshTokens(racing, Date.now, 'revoke-family');
    const { token, familyId } = await tokens.startFamily({ clientId: 'c', tenantId: 't', userId: 'u', scope: 'openid', amr: ['pwd'], confidential: true, spa: false });
    const results = await Promise.allSettled([tokens.rotate(token, () => {}), tokens.rotate(token, () => {})]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(fulfilled.length, 1);
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.reason.aadsts, 70008);
    assert.equal(await store.get(`rt-family-revoked:${familyId}`), '1');
    const successor = (fulfilled[0] as PromiseFulfilledResult<{ next: string }>).value.next;
    await assert.rejects(tokens.rotate(successor, () => {}), (error: { aadsts?: number }) => error.aadsts === 50173);
  });
});
