import assert from 'node:assert/strict';
import { createHash, KeyObject, webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { createClientCertificate, errorCode, registerTestApp, startTestEmulator, type TestEmulator } from '../grants/helpers.ts';

let t: TestEmulator;
let certApp: { appId: string };
let certKeys: CryptoKeyPair;
let certDer: Buffer;
before(async () => {
  t = await startTestEmulator();
  const certificate = await createClientCertificate();
  certKeys = certificate.keys;
  certDer = certificate.der;
  ({ app: certApp } = registerTestApp(t.emulator, { keyCredentials: [certificate.keyCredential] }));
});
after(() => t.close());

const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);

async function assertion(options: { alg?: 'RS256' | 'PS256'; header?: Record<string, unknown>; claims?: Record<string, unknown>; jti?: string; exp?: number } = {}): Promise<string> {
  const alg = options.alg ?? 'RS256';
  const header = options.header ?? (alg === 'PS256' ? { 'x5t#S256': createHash('sha256').update(certDer).digest('base64url') } : { x5t: createHash('sha1').update(certDer).digest('base64url') });
  const key = alg === 'PS256' ? KeyObject.from(certKeys.privateKey) : certKeys.privateKey;
  const now = Math.floor(Date.now() / 1000);
  const claims = { jti: options.jti ?? webcrypto.randomUUID(), iss: certApp.appId, sub: certApp.appId, aud: t.tokenUrl, nbf: now, exp: options.exp ?? now + 600, ...options.claims };
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(key);
}

function certForm(clientAssertion: string): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_id: certApp.appId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion,
    scope: GRAPH_DEFAULT,
  };
}

describe('client authentication', () => {
  test('client_secret_basic with form-urlencoded id and secret', async () => {
    const web = t.emulator.devJson.apps.web;
    const basic = Buffer.from(`${formEncode(web.clientId)}:${formEncode(web.clientSecret)}`).toString('base64');
    const reply = await t.post({ grant_type: 'client_credentials', scope: GRAPH_DEFAULT }, { authorization: `Basic ${basic}` });
    assert.equal(reply.status, 200);
    assert.equal(typeof reply.body['access_token'], 'string');
  });

  test('wrong secret is 401 invalid_client 7000215; expired secret 7000222; unknown client 400 700016', async () => {
    const web = t.emulator.devJson.apps.web;
    const wrong = await t.post({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: `${web.clientSecret}x`, scope: GRAPH_DEFAULT });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body['error'], 'invalid_client');
    assert.equal(errorCode(wrong), 7000215);
    assert.equal(wrong.headers.get('cache-control'), 'no-store');

    const { app } = registerTestApp(t.emulator);
    t.emulator.deps.directory.credentials.addClientSecret(app.id, webcrypto.randomUUID(), 'old-secret-value', Date.now() - 1000);
    const expired = await t.post({ grant_type: 'client_credentials', client_id: app.appId, client_secret: 'old-secret-value', scope: GRAPH_DEFAULT });
    assert.equal(expired.status, 401);
    assert.equal(errorCode(expired), 7000222);

    const unknown = await t.post({ grant_type: 'client_credentials', client_id: webcrypto.randomUUID(), client_secret: 'x', scope: GRAPH_DEFAULT });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body['error'], 'unauthorized_client');
    assert.equal(errorCode(unknown), 700016);
    const notGuid = await t.post({ grant_type: 'client_credentials', client_id: 'web-app', client_secret: 'x', scope: GRAPH_DEFAULT });
    assert.equal(errorCode(notGuid), 700016);
  });

  test('two authentication methods at once are refused; client_id must agree with Basic', async () => {
    const web = t.emulator.devJson.apps.web;
    const basic = Buffer.from(`${web.clientId}:${formEncode(web.clientSecret)}`).toString('base64');
    const both = await t.post({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: GRAPH_DEFAULT }, { authorization: `Basic ${basic}` });
    assert.equal(both.status, 400);
    assert.equal(both.body['error'], 'invalid_request');
    assert.equal(errorCode(both), 9002313);
    const mismatch = await t.post({ grant_type: 'client_credentials', client_id: certApp.appId, scope: GRAPH_DEFAULT }, { authorization: `Basic ${basic}` });
    assert.equal(errorCode(mismatch), 9002313);
    const bearer = await t.post({ grant_type: 'client_credentials', client_id: web.clientId, scope: GRAPH_DEFAULT }, { authorization: 'Bearer abc' });
    assert.equal(errorCode(bearer), 9002313);
  });

  test('private_key_jwt: RS256 with x5t and PS256 with x5t#S256 both authenticate (appidacr 2)', async () => {
    for (const alg of ['RS256', 'PS256'] as const) {
      const reply = await t.post(certForm(await assertion({ alg })));
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      // Graph tokens carry a header nonce the signature does not cover as sent: only Graph can verify them.
      await assert.rejects(t.verify(reply.body['access_token'] as string, { issuer: t.v1Issuer, audience: 'https://graph.microsoft.com' }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
      const payload = JSON.parse(Buffer.from((reply.body['access_token'] as string).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
      assert.equal(payload['appidacr'], '2');
      assert.equal(payload['appid'], certApp.appId);
    }
    // client_id may be omitted: the assertion's iss names the client.
    const form = certForm(await assertion());
    delete form['client_id'];
    assert.equal((await t.post(form)).status, 200);
  });

  test('private_key_jwt failures are 401 invalid_client', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Promise<string>, number]> = [
      ['unknown key', assertion({ header: { x5t: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA' } }), 700027],
      ['no key id', assertion({ header: {} }), 700027],
      ['wrong audience', assertion({ claims: { aud: 'https://elsewhere.example/token' } }), 700027],
      ['wrong subject', assertion({ claims: { sub: 'someone-else' } }), 700027],
      ['expired', assertion({ exp: now - 600 }), 700024],
    ];
    for (const [name, pending, code] of cases) {
      const reply = await t.post(certForm(await pending));
      assert.equal(reply.status, 401, name);
      assert.equal(reply.body['error'], 'invalid_client', name);
      assert.equal(errorCode(reply), code, name);
    }
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', x5t: 'x' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: certApp.appId })).toString('base64url')}.`;
    const none = await t.post(certForm(unsigned));
    assert.equal(none.status, 401);
    assert.equal(errorCode(none), 700027);
    const badType = await t.post({ ...certForm(await assertion()), client_assertion_type: 'urn:other' });
    assert.equal(badType.status, 401);
    assert.equal(errorCode(badType), 700027);
  });

  test('a jti belongs to one assertion: re-sending the same assertion works (as Entra), a new assertion reusing the jti is refused', async () => {
    const once = await assertion({ jti: 'fixed-jti' });
    assert.equal((await t.post(certForm(once))).status, 200);
    assert.equal((await t.post(certForm(once))).status, 200);
    const sameJtiNewAssertion = await t.post(certForm(await assertion({ jti: 'fixed-jti', exp: Math.floor(Date.now() / 1000) + 601 })));
    assert.equal(sameJtiNewAssertion.status, 401);
    assert.equal(errorCode(sameJtiNewAssertion), 700027);
  });
});
