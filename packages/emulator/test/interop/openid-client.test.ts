import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { registerCertificateApp } from './certificate-app.ts';
import { startInteropEnv, type InteropEnv } from './interop-env.ts';

// panva's openid-client v6 is a strict OIDC client: it checks the discovered issuer, the token
// responses' shapes, and the ID token (iss, aud, exp, iat, nonce; signature with the non-repudiation
// check). Only the issuer URL changes from a real Entra tenant: `{authority}/v2.0`.

const GRAPH_SCOPES = 'openid profile email offline_access User.Read';

let env: InteropEnv;
before(async () => {
  env = await startInteropEnv();
});
after(() => env.close());

async function webConfig(auth?: client.ClientAuth): Promise<client.Configuration> {
  const { web } = env.emulator.devJson.apps;
  const config = await client.discovery(new URL(env.v2Issuer), web.clientId, web.clientSecret, auth);
  client.enableNonRepudiationChecks(config);
  return config;
}

describe('openid-client v6 against the emulator (tenant-specific discovery)', () => {
  test('discovery: the issuer is the tenant v2.0 issuer and the endpoints are the tenant endpoints', async () => {
    const metadata = (await webConfig()).serverMetadata();
    assert.equal(metadata.issuer, env.v2Issuer);
    assert.equal(metadata.authorization_endpoint, `${env.authority}/oauth2/v2.0/authorize`);
    assert.equal(metadata.token_endpoint, `${env.authority}/oauth2/v2.0/token`);
    assert.equal(metadata.jwks_uri, `${env.authority}/discovery/v2.0/keys`);
    assert.equal(metadata.end_session_endpoint, `${env.authority}/oauth2/v2.0/logout`);
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['client_secret_post', 'private_key_jwt', 'client_secret_basic']);
    assert.equal(metadata.code_challenge_methods_supported, undefined, 'Entra does not advertise PKCE methods');
  });

  test('authorization code + PKCE + state + nonce through the login form, userinfo, refresh (same and other resource)', async () => {
    const { web, api } = env.emulator.devJson.apps;
    const config = await webConfig();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizeUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: web.redirectUri,
      scope: GRAPH_SCOPES,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await env.signIn(authorizeUrl, 'adele');
    assert.equal(`${callback.origin}${callback.pathname}`, web.redirectUri);

    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(typeof tokens.expires_in, 'number');
    assert.ok(tokens.refresh_token);
    assert.deepEqual(tokens.scope?.split(' ').sort(), ['User.Read', 'User.RevokeSessions.All', 'email', 'openid', 'profile']);
    const id = tokens.claims();
    assert.ok(id);
    const adele = env.user('adele');
    assert.equal(id.iss, env.v2Issuer);
    assert.equal(id.aud, web.clientId);
    assert.equal(id.nonce, nonce);
    assert.equal(id['tid'], env.tenantId);
    assert.equal(id['ver'], '2.0');
    assert.equal(id['preferred_username'], adele.username);
    assert.equal(id['email'], adele.username);
    assert.match(id.sub, /^[A-Za-z0-9_-]{43}$/, 'pairwise sub');
    const oid = id['oid'];
    assert.equal(typeof oid, 'string');

    const graph = await env.verifyGraph(tokens.access_token);
    assert.equal(graph['oid'], oid);
    assert.equal(graph['appid'], web.clientId);
    assert.equal(graph['scp'], 'User.Read User.RevokeSessions.All openid profile email');

    // Entra's userinfo lives on Graph and takes that Graph token; its sub equals the ID token's.
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, id.sub);
    assert.deepEqual(userinfo, { sub: id.sub, name: 'Adele Vance', family_name: 'Vance', given_name: 'Adele', email: adele.username });
    await assert.rejects(client.fetchUserInfo(config, tokens.access_token, 'someone-else'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
      return true;
    });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.ok(refreshed.refresh_token);
    assert.equal(refreshed.claims()?.sub, id.sub);
    assert.equal((await env.verifyGraph(refreshed.access_token))['oid'], oid);

    // A refresh token is redeemable for another resource the user consented to (here: the API).
    env.emulator.deps.directory.consents.grant(env.tenantId, web.clientId, api.clientId, String(oid), ['user_impersonation']);
    const forApi = await client.refreshTokenGrant(config, refreshed.refresh_token ?? '', { scope: `${api.scope} offline_access` });
    assert.equal(forApi.scope, api.scope, 'the scope echo carries the client\'s own string');
    const apiClaims = await env.verify(forApi.access_token, { issuer: env.v2Issuer, audience: api.clientId });
    assert.equal(apiClaims['scp'], 'user_impersonation');
    assert.equal(apiClaims['azp'], web.clientId);
    assert.equal(apiClaims['azpacr'], '1');
    assert.equal(apiClaims['oid'], oid);
  });

  test('client credentials for Graph with client_secret_post (default) and client_secret_basic', async () => {
    const { web } = env.emulator.devJson.apps;
    for (const config of [await webConfig(), await webConfig(client.ClientSecretBasic(web.clientSecret))]) {
      const response = await client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' });
      assert.equal(response.token_type.toLowerCase(), 'bearer');
      assert.equal(typeof response.expires_in, 'number');
      assert.equal(response.scope, undefined);
      assert.equal(response.refresh_token, undefined);
      assert.equal(response.id_token, undefined);
      const claims = await env.verifyGraph(response.access_token, 'https://graph.microsoft.com');
      assert.equal(claims['appid'], web.clientId);
      assert.equal(claims['appidacr'], '1');
      assert.equal(claims['idtyp'], 'app');
      assert.equal(claims['tid'], env.tenantId);
      assert.deepEqual(claims['roles'], ['Application.Read.All', 'Directory.Read.All', 'GroupMember.Read.All', 'User.Read.All']);
      assert.equal(claims['scp'], undefined);
    }
  });

  // Entra's 401 invalid_client carries no WWW-Authenticate for client_secret_post; with one,
  // openid-client would surface a challenge error instead of the body's invalid_client.
  test('a wrong secret is rejected with Entra\'s 401 invalid_client / AADSTS7000215', async () => {
    const { web } = env.emulator.devJson.apps;
    const config = await client.discovery(new URL(env.v2Issuer), web.clientId, 'not-the-secret');
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' }), (error: client.ResponseBodyError) => {
      assert.equal(error.status, 401);
      assert.equal(error.error, 'invalid_client');
      assert.deepEqual(error.cause['error_codes'], [7000215]);
      return true;
    });
  });

  test('private_key_jwt: Entra wants aud = token endpoint and the certificate\'s x5t, set through modifyAssertion', async () => {
    const app = await registerCertificateApp(env.emulator);
    const tokenEndpoint = `${env.authority}/oauth2/v2.0/token`;
    const auth = client.PrivateKeyJwt(app.privateKey, {
      [client.modifyAssertion]: (header, payload) => {
        header['x5t'] = app.x5t;
        header['typ'] = 'JWT';
        payload.aud = tokenEndpoint;
      },
    });
    const config = await client.discovery(new URL(env.v2Issuer), app.appId, undefined, auth);
    for (let i = 0; i < 2; i++) {
      const response = await client.clientCredentialsGrant(config, { scope: 'https://storage.azure.com/.default' });
      const claims = await env.verify(response.access_token, { issuer: env.v1Issuer, audience: 'https://storage.azure.com' });
      assert.equal(claims['appid'], app.appId);
      assert.equal(claims['appidacr'], '2');
      assert.equal(claims['ver'], '1.0');
    }
  });

  test('the /common discovery document (issuer template) is refused by the strict client, as with real Entra', async () => {
    const { web } = env.emulator.devJson.apps;
    await assert.rejects(client.discovery(new URL(`${env.emulator.url}/common/v2.0`), web.clientId, web.clientSecret), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
      return true;
    });
  });
});
