/**
 * Test-only ID-token faults (POST /_admin/token-faults): admin key required, validated, applied to
 * the next ID tokens minted for that client only, `count` times, then gone; off by default.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { decodeSegment, issueCode, manualClock, startTestEmulator, webCodeForm, type TestEmulator } from './helpers.ts';

const clock = manualClock();
let t: TestEmulator;
let admin: Record<string, string>;
before(async () => {
  t = await startTestEmulator({ clock: clock.now });
  admin = { 'x-entrakit-admin': t.emulator.devJson.emulator.adminKey ?? '', 'content-type': 'application/json' };
});
after(() => t.close());
beforeEach(async () => {
  assert.equal((await fetch(`${t.emulator.url}/_admin/token-faults`, { method: 'DELETE', headers: admin })).status, 204);
});

async function addFault(body: unknown, headers = admin): Promise<Response> {
  return fetch(`${t.emulator.url}/_admin/token-faults`, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** A fresh sign-in of adele for the demo web app: the ID token the token endpoint returns. */
async function nextIdToken(): Promise<string> {
  const { code, verifier } = await issueCode(t.emulator, { scope: 'openid profile offline_access User.Read' });
  const reply = await t.post(webCodeForm(t.emulator, code, verifier));
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return reply.body['id_token'] as string;
}

describe('token faults admin endpoint', () => {
  test('needs the admin key', async () => {
    const webClientId = t.emulator.devJson.apps.web.clientId;
    const refused = await addFault({ clientId: webClientId, idToken: { signature: 'corrupt' } }, { 'content-type': 'application/json' });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: string }).error, 'unauthorized');
    const wrongKey = await fetch(`${t.emulator.url}/_admin/token-faults`, { headers: { 'x-entrakit-admin': 'guess' } });
    assert.equal(wrongKey.status, 401);
    await t.verify(await nextIdToken(), { issuer: t.v2Issuer, audience: webClientId });
  });

  test('refuses malformed rules naming the problem', async () => {
    const webClientId = t.emulator.devJson.apps.web.clientId;
    const cases: Array<[unknown, string]> = [
      [[], 'token fault must be a JSON object'],
      [{ clientId: 'web', idToken: { alg: 'none' } }, 'token fault: "clientId" must be an application (client) id'],
      [{ clientId: webClientId, idToken: {} }, 'token fault: give "idToken.claims", "idToken.signature" or "idToken.alg"'],
      [{ clientId: webClientId, idToken: { alg: 'HS256' } }, 'token fault: "idToken.alg" must be "none"'],
      [{ clientId: webClientId, idToken: { signature: 'strip' } }, 'token fault: "idToken.signature" must be "corrupt"'],
      [{ clientId: webClientId, idToken: { alg: 'none', signature: 'corrupt' } }, 'token fault: give "idToken.signature" or "idToken.alg", not both'],
      [{ clientId: webClientId, idToken: { claims: [] } }, 'token fault: "idToken.claims" must be an object'],
      [{ clientId: webClientId, idToken: { header: {} } }, 'token fault: unknown property "idToken.header"'],
      [{ clientId: webClientId, idToken: { alg: 'none' }, count: 0 }, 'token fault: "count" must be an integer from 1 to 1000'],
      [{ clientId: webClientId, idToken: { alg: 'none' }, accessToken: {} }, 'token fault: unknown property "accessToken"'],
    ];
    for (const [body, description] of cases) {
      const response = await addFault(body);
      assert.equal(response.status, 400, description);
      assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: description });
    }
    const list = await fetch(`${t.emulator.url}/_admin/token-faults`, { headers: admin });
    assert.deepEqual(await list.json(), { tokenFaults: [] });
  });
});

describe('faulty ID tokens', () => {
  test('claims are overridden or removed, for `count` tokens of that client only, then tokens are sound again', async () => {
    const webClientId = t.emulator.devJson.apps.web.clientId;
    const other = await addFault({ clientId: '00000000-0000-4000-8000-0000000000aa', idToken: { alg: 'none' } });
    assert.equal(other.status, 201);
    const added = await addFault({ clientId: webClientId.toUpperCase(), idToken: { claims: { aud: 'someone-else', nonce: null } }, count: 2 });
    assert.equal(added.status, 201);
    assert.equal(((await added.json()) as { tokenFaults: unknown[] }).tokenFaults.length, 2);
    for (let i = 0; i < 2; i += 1) {
      const claims = decodeSegment(await nextIdToken(), 1);
      assert.equal(claims['aud'], 'someone-else');
      assert.equal('nonce' in claims, false);
    }
    const sound = await nextIdToken();
    const verified = await t.verify(sound, { issuer: t.v2Issuer, audience: webClientId });
    assert.equal(verified['nonce'], 'nonce-123');
    assert.deepEqual(((await (await fetch(`${t.emulator.url}/_admin/token-faults`, { headers: admin })).json()) as { tokenFaults: Array<{ clientId: string }> }).tokenFaults.map((f) => f.clientId), ['00000000-0000-4000-8000-0000000000aa']);
  });

  test('signature "corrupt": the token no longer verifies against the published keys', async () => {
    const webClientId = t.emulator.devJson.apps.web.clientId;
    assert.equal((await addFault({ clientId: webClientId, idToken: { signature: 'corrupt' } })).status, 201);
    const token = await nextIdToken();
    assert.equal(decodeSegment(token, 0)['alg'], 'RS256');
    await assert.rejects(t.verify(token, { issuer: t.v2Issuer, audience: webClientId }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  test('alg "none": an unsigned token with an empty signature', async () => {
    const webClientId = t.emulator.devJson.apps.web.clientId;
    assert.equal((await addFault({ clientId: webClientId, idToken: { alg: 'none' } })).status, 201);
    const token = await nextIdToken();
    assert.deepEqual(decodeSegment(token, 0), { typ: 'JWT', alg: 'none' });
    assert.equal(token.split('.')[2], '');
    assert.equal(decodeSegment(token, 1)['aud'], webClientId);
  });
});
