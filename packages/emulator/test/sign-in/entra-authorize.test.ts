import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Application } from '../../src/directory/types.ts';
import { newApplication } from '../../src/directory/new-application.ts';
import { addClientSecret, registerApplication } from '../../src/directory/registration.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';
import { leftHalfHash } from '../../src/sign-in/front-channel-response.ts';
import { authorizeUrl, createCookieJar, hiddenField, locationParams, pkce, signIn, startTestEmulator, type TestEmulator } from './helpers.ts';

let emulator: TestEmulator;

before(async () => {
  emulator = await startTestEmulator();
});
after(async () => {
  await emulator.stop();
});

/** A new app registration (admin-consented to openid profile email User.Read), with a secret. */
function registerApp(target: TestEmulator, fields: Partial<Application>): { app: Application; secret: string } {
  const app = newApplication({ appId: randomUUID(), displayName: 'Protocol test app', ...fields });
  registerApplication(target.deps.directory, target.tenantId, app);
  target.deps.directory.consents.grant(target.tenantId, app.appId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'email', 'offline_access']);
  return { app, secret: addClientSecret(target.deps.directory, app, 'test', Date.now()) };
}

function urlFor(target: TestEmulator, app: Application, redirectUri: string, overrides: Record<string, string | undefined> = {}): string {
  return authorizeUrl(target, { client_id: app.appId, redirect_uri: redirectUri, scope: 'openid profile offline_access', ...overrides });
}

async function redeem(target: TestEmulator, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${target.url}/${target.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function verifyIdToken(target: TestEmulator, token: string, audience: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${target.url}/${target.tenantId}/discovery/v2.0/keys`));
  const { payload } = await jwtVerify(token, jwks, { issuer: `${target.url}/${target.tenantId}/v2.0`, audience, algorithms: ['RS256'] });
  return payload;
}

/** The fields of a fragment (implicit/hybrid) redirect. */
function fragmentParams(response: Response, redirectUri: string): URLSearchParams {
  assert.equal(response.status, 302);
  const location = response.headers.get('location') ?? '';
  assert.ok(location.startsWith(`${redirectUri}#`), location);
  return new URLSearchParams(location.slice(location.indexOf('#') + 1));
}

describe('max_age', () => {
  it('max_age=0 right after a password sign-in asks for the password again; a large max_age uses SSO', async () => {
    const jar = createCookieJar();
    const signedIn = await signIn(jar, emulator, 'adele');
    assert.ok(locationParams(signedIn).get('code'));
    const again = await jar.fetch(authorizeUrl(emulator, { max_age: '0' }));
    assert.equal(again.status, 200);
    assert.match(await again.text(), /name="password"/);
    const picker = await jar.fetch(authorizeUrl(emulator, { max_age: '0', prompt: 'select_account' }));
    assert.equal(picker.status, 200);
    assert.match(await picker.text(), /name="password"/, 'the account picker would skip the password: max_age=0 shows the form');
    const sso = await jar.fetch(authorizeUrl(emulator, { max_age: '3600' }));
    assert.equal(sso.status, 302);
    assert.ok(locationParams(sso).get('code'));
  });
});

describe('PKCE as Entra', () => {
  it('required for SPA redirect URIs only (AADSTS9002325)', async () => {
    const { app } = registerApp(emulator, { spa: { redirectUris: ['http://localhost:3000/spa'] }, publicClient: { redirectUris: ['http://localhost:4000/native'] } });
    const response = await fetch(urlFor(emulator, app, 'http://localhost:3000/spa', { code_challenge: undefined, code_challenge_method: undefined }), { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.ok(response.headers.get('location')?.startsWith('http://localhost:3000/spa?'));
    const params = locationParams(response);
    assert.equal(params.get('error'), 'invalid_request');
    assert.ok(params.get('error_description')?.startsWith('AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption. Trace ID: '));
    // A native (mobile and desktop) redirect URI may skip PKCE in Entra; the code is redeemed as a public client.
    const jar = createCookieJar();
    const code = locationParams(await signIn(jar, emulator, 'adele', urlFor(emulator, app, 'http://localhost:4000/native', { code_challenge: undefined, code_challenge_method: undefined }))).get('code') ?? '';
    assert.ok(code);
    const redeemed = await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, code, redirect_uri: 'http://localhost:4000/native' });
    assert.equal(redeemed.status, 200);
  });

  it('a web app that also allows public client flows may skip PKCE; its web redirect URI still needs the secret', async () => {
    const redirectUri = 'https://both.example/callback';
    const { app, secret } = registerApp(emulator, { web: { redirectUris: [redirectUri], logoutUrl: null }, isFallbackPublicClient: true });
    const jar = createCookieJar();
    const url = urlFor(emulator, app, redirectUri, { code_challenge: undefined, code_challenge_method: undefined });
    const code = locationParams(await signIn(jar, emulator, 'adele', url)).get('code') ?? '';
    assert.ok(code, 'no AADSTS9002325 for a web redirect URI');
    const withoutSecret = await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, code, redirect_uri: redirectUri });
    assert.deepEqual(withoutSecret.body['error_codes'], [7000218]);
    const code2 = locationParams(await jar.fetch(url)).get('code') ?? '';
    const redeemed = await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, client_secret: secret, code: code2, redirect_uri: redirectUri });
    assert.equal(redeemed.status, 200);
  });

  it('a code issued to a native redirect URI redeemed with a secret: AADSTS700025', async () => {
    const native = 'http://localhost:4100/native';
    const { app, secret } = registerApp(emulator, { web: { redirectUris: ['https://web.example/cb'], logoutUrl: null }, publicClient: { redirectUris: [native] } });
    const jar = createCookieJar();
    const { verifier, challenge } = pkce();
    const code = locationParams(await signIn(jar, emulator, 'adele', urlFor(emulator, app, native, { code_challenge: challenge }))).get('code') ?? '';
    const reply = await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, client_secret: secret, code, code_verifier: verifier, redirect_uri: native });
    assert.equal(reply.status, 401);
    assert.equal(reply.body['error'], 'invalid_client');
    assert.ok((reply.body['error_description'] as string).startsWith("AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented."));
  });

  it('optional for a confidential web client redeeming with its secret, and noted as a weak practice', async () => {
    const redirectUri = 'https://app.example/callback';
    const { app, secret } = registerApp(emulator, { web: { redirectUris: [redirectUri], logoutUrl: null } });
    const jar = createCookieJar();
    const code = locationParams(await signIn(jar, emulator, 'adele', urlFor(emulator, app, redirectUri, { code_challenge: undefined, code_challenge_method: undefined }))).get('code') ?? '';
    assert.ok(code);
    const withoutSecret = await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, code, redirect_uri: redirectUri });
    assert.equal(withoutSecret.status, 401);
    assert.equal(withoutSecret.body['error'], 'invalid_client');
    assert.deepEqual(withoutSecret.body['error_codes'], [7000218]);

    const code2 = locationParams(await jar.fetch(urlFor(emulator, app, redirectUri, { code_challenge: undefined, code_challenge_method: undefined }))).get('code') ?? '';
    const redeemed = await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, client_secret: secret, code: code2, redirect_uri: redirectUri });
    assert.equal(redeemed.status, 200);
    assert.equal(typeof redeemed.body['access_token'], 'string');
    // Accepted, as Entra does, and the request log says the client skipped PKCE.
    const [redemption, refused] = emulator.deps.requestLog.list({ clientId: app.appId, endpoint: 'token' });
    assert.equal(redemption!.status, 200);
    assert.deepEqual(redemption!.why, ['grant authorization_code; client authentication: client_secret_post', 'client skipped PKCE: no code_verifier sent']);
    assert.equal(refused!.status, 401);
  });

  it('never downgradable: a code issued with a challenge needs its verifier (AADSTS501481)', async () => {
    const jar = createCookieJar();
    const web = emulator.devJson.apps.web;
    const { verifier, challenge } = pkce();
    await signIn(jar, emulator, 'adele');
    const base = { grant_type: 'authorization_code', client_id: web.clientId, client_secret: web.clientSecret, redirect_uri: web.redirectUri };
    for (const sent of [undefined, pkce().verifier]) {
      const code = locationParams(await jar.fetch(authorizeUrl(emulator, { code_challenge: challenge }))).get('code') ?? '';
      const reply = await redeem(emulator, { ...base, code, ...(sent ? { code_verifier: sent } : {}) });
      assert.equal(reply.status, 400);
      assert.equal(reply.body['error'], 'invalid_grant');
      assert.deepEqual(reply.body['error_codes'], [501481]);
      assert.ok((reply.body['error_description'] as string).startsWith('AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request. Trace ID: '));
    }
    const code = locationParams(await jar.fetch(authorizeUrl(emulator, { code_challenge: challenge }))).get('code') ?? '';
    assert.equal((await redeem(emulator, { ...base, code, code_verifier: verifier })).status, 200);
  });

  it('requirePkce: always refuses the code flow without PKCE, also for confidential web clients', async () => {
    const strict = await startTestEmulator({ requirePkce: 'always' });
    try {
      const response = await fetch(authorizeUrl(strict, { code_challenge: undefined, code_challenge_method: undefined }), { redirect: 'manual' });
      const params = locationParams(response);
      assert.equal(params.get('error'), 'invalid_request');
      assert.ok(params.get('error_description')?.startsWith('AADSTS9002325: '));
    } finally {
      await strict.stop();
    }
  });
});

describe('loopback redirect URIs (RFC 8252)', () => {
  it('a registered http://localhost or http://127.0.0.1 public-client URI accepts any port, same host and path', async () => {
    const { app } = registerApp(emulator, { publicClient: { redirectUris: ['http://localhost', 'http://127.0.0.1/cb'] } });
    const jar = createCookieJar();
    const { verifier, challenge } = pkce();
    const redirectUri = 'http://localhost:45143';
    const signedIn = await signIn(jar, emulator, 'adele', urlFor(emulator, app, redirectUri, { code_challenge: challenge }));
    assert.equal(signedIn.status, 302);
    assert.ok(signedIn.headers.get('location')?.startsWith('http://localhost:45143?code='));
    const reply = await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, code: locationParams(signedIn).get('code') ?? '', code_verifier: verifier, redirect_uri: redirectUri });
    assert.equal(reply.status, 200);

    const accepted = await jar.fetch(urlFor(emulator, app, 'http://127.0.0.1:51004/cb'));
    assert.ok(accepted.headers.get('location')?.startsWith('http://127.0.0.1:51004/cb?code='));
    for (const refused of ['http://127.0.0.1:51004/other', 'http://localhost:45143/cb2', 'https://localhost:45143', 'http://127.0.0.1:51004', 'http://localhost.evil.example:45143']) {
      const response = await fetch(urlFor(emulator, app, refused), { redirect: 'manual' });
      assert.equal(response.status, 400, refused);
      assert.match(await response.text(), /AADSTS50011:/);
    }
  });
});

describe('implicit and hybrid flows', () => {
  const redirectUri = 'https://implicit.example/callback';
  let app: Application;
  let secret: string;
  before(() => {
    ({ app, secret } = registerApp(emulator, { web: { redirectUris: [redirectUri], logoutUrl: null, implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: false } } }));
  });

  it('response_type=id_token: an ID token in the fragment, bound to the nonce', async () => {
    const jar = createCookieJar();
    const response = await signIn(jar, emulator, 'adele', urlFor(emulator, app, redirectUri, { response_type: 'id_token', code_challenge: undefined, code_challenge_method: undefined, nonce: 'n-1' }));
    const params = fragmentParams(response, redirectUri);
    assert.equal(params.get('code'), null);
    assert.equal(params.get('state'), 'state-123');
    const claims = await verifyIdToken(emulator, params.get('id_token') ?? '', app.appId);
    assert.equal(claims['nonce'], 'n-1');
    assert.equal(claims['c_hash'], undefined);
    assert.equal(claims['preferred_username'], emulator.user('adele').username);
  });

  it('response_type=code id_token: code and ID token with c_hash; the code redeems', async () => {
    const jar = createCookieJar();
    const { verifier, challenge } = pkce();
    const response = await signIn(jar, emulator, 'adele', urlFor(emulator, app, redirectUri, { response_type: 'code id_token', code_challenge: challenge }));
    const params = fragmentParams(response, redirectUri);
    const code = params.get('code') ?? '';
    const claims = await verifyIdToken(emulator, params.get('id_token') ?? '', app.appId);
    assert.equal(claims['c_hash'], leftHalfHash(code));
    assert.equal(claims['nonce'], 'nonce-456');
    assert.equal((await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, code, code_verifier: verifier, redirect_uri: redirectUri, client_secret: secret })).status, 200);
  });

  it('form_post carries the ID token; a missing nonce is AADSTS900144; query is refused', async () => {
    const jar = createCookieJar();
    const posted = await signIn(jar, emulator, 'adele', urlFor(emulator, app, redirectUri, { response_type: 'id_token', response_mode: 'form_post', code_challenge: undefined }));
    const html = await posted.text();
    assert.equal(posted.status, 200);
    assert.ok(hiddenField(html, 'id_token')?.split('.').length === 3, html);
    const noNonce = fragmentParams(await jar.fetch(urlFor(emulator, app, redirectUri, { response_type: 'id_token', nonce: undefined })), redirectUri);
    assert.equal(noNonce.get('error'), 'invalid_request');
    assert.ok(noNonce.get('error_description')?.startsWith("AADSTS900144: The request body must contain the following parameter: 'nonce'. Trace ID: "));
    const query = fragmentParams(await jar.fetch(urlFor(emulator, app, redirectUri, { response_type: 'id_token', response_mode: 'query' })), redirectUri);
    assert.equal(query.get('error'), 'invalid_request');
    assert.ok(query.get('error_description')?.startsWith('AADSTS9002313: '));
  });

  it('id_token token needs enableAccessTokenIssuance (AADSTS700051); with it, an access token and at_hash', async () => {
    const params = fragmentParams(await fetch(urlFor(emulator, app, redirectUri, { response_type: 'id_token token' }), { redirect: 'manual' }), redirectUri);
    assert.equal(params.get('error'), 'unsupported_response_type');
    assert.ok(params.get('error_description')?.startsWith("AADSTS700051: response_type 'token' is not enabled for the application. Trace ID: "));

    const tokenUri = 'https://implicit-token.example/callback';
    const { app: both } = registerApp(emulator, { web: { redirectUris: [tokenUri], logoutUrl: null, implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: true } } });
    const jar = createCookieJar();
    const response = await signIn(jar, emulator, 'adele', urlFor(emulator, both, tokenUri, { response_type: 'id_token token', scope: 'openid profile User.Read', code_challenge: undefined }));
    const fields = fragmentParams(response, tokenUri);
    assert.deepEqual([...fields.keys()], ['access_token', 'token_type', 'expires_in', 'scope', 'id_token', 'state', 'session_state']);
    assert.equal(fields.get('token_type'), 'Bearer');
    assert.equal(fields.get('expires_in'), '3600');
    assert.equal(fields.get('scope'), 'openid profile User.Read');
    const accessToken = fields.get('access_token') ?? '';
    const claims = await verifyIdToken(emulator, fields.get('id_token') ?? '', both.appId);
    assert.equal(claims['at_hash'], leftHalfHash(accessToken));
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    assert.equal(payload['appid'], both.appId);
    assert.equal(payload['appidacr'], '0');
    // Additive: the admin also granted `email` to this client on Graph.
    assert.equal(payload['scp'], 'User.Read openid profile email');
    const discovery = (await (await fetch(`${emulator.url}/${emulator.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as { response_types_supported: string[] };
    assert.deepEqual(discovery.response_types_supported, ['code', 'id_token', 'code id_token', 'id_token token']);
  });
});

describe('ID-token claims follow the scopes', () => {
  it('openid alone: sub and the basics; profile adds name, preferred_username, oid; email adds email', async () => {
    const redirectUri = 'https://claims.example/callback';
    const { app, secret } = registerApp(emulator, { web: { redirectUris: [redirectUri], logoutUrl: null } });
    const jar = createCookieJar();
    await signIn(jar, emulator, 'adele', urlFor(emulator, app, redirectUri));
    const idTokenFor = async (scope: string): Promise<JWTPayload> => {
      const { verifier, challenge } = pkce();
      const code = locationParams(await jar.fetch(urlFor(emulator, app, redirectUri, { scope, code_challenge: challenge }))).get('code') ?? '';
      const reply = await redeem(emulator, { grant_type: 'authorization_code', client_id: app.appId, client_secret: secret, code, code_verifier: verifier, redirect_uri: redirectUri });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      return verifyIdToken(emulator, reply.body['id_token'] as string, app.appId);
    };
    const bare = await idTokenFor('openid');
    assert.equal(typeof bare['sub'], 'string');
    assert.equal(bare['tid'], emulator.tenantId);
    for (const claim of ['name', 'preferred_username', 'oid', 'email']) assert.equal(bare[claim], undefined, claim);
    const profile = await idTokenFor('openid profile');
    assert.equal(profile['name'], 'Adele Vance');
    assert.equal(profile['preferred_username'], emulator.user('adele').username);
    assert.equal(typeof profile['oid'], 'string');
    assert.equal(profile['email'], undefined);
    assert.equal(profile['sub'], bare['sub']);
    const email = await idTokenFor('openid email');
    assert.equal(email['email'], emulator.user('adele').username);
    assert.equal(email['name'], undefined);
  });
});
