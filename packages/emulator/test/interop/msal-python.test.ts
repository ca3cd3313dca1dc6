import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registerCertificateApp } from './certificate-app.ts';
import { startInteropEnv, type InteropEnv } from './interop-env.ts';
import { findPythonWithMsal, runMsalPython, type PythonMessage } from './python-runner.ts';

// MSAL Python (Debian's python3-msal), unmodified: only `authority` and `instance_discovery=False`
// differ from a real tenant. Tokens it obtains are verified here against the emulator's JWKS.

const python = findPythonWithMsal();
const skip = python ? false : 'python3-msal not installed: apt-get install -y python3-msal';

interface TokenSummary {
  access_token?: string;
  id_token?: string;
  id_token_claims?: Record<string, unknown>;
  token_type?: string;
  expires_in?: unknown;
  scope?: string | string[];
  error?: string;
  error_codes?: number[];
  has_refresh_token: boolean;
  keys: string[];
}

let env: InteropEnv;
before(async () => {
  if (!skip) env = await startInteropEnv();
});
after(() => env?.close());

function run(mode: Parameters<typeof runMsalPython>[1], vars: Record<string, string>, onMessage?: Parameters<typeof runMsalPython>[3]): Promise<PythonMessage> {
  assert.ok(python);
  return runMsalPython(python, mode, { AUTHORITY: env.authority, REQUESTS_CA_BUNDLE: env.emulator.caFile, ...vars }, onMessage);
}

function tokens(message: PythonMessage, key = 'result'): TokenSummary {
  const summary = message[key] as TokenSummary | null;
  assert.ok(summary, `${key} present`);
  assert.equal(summary.error, undefined, `no error in ${key}: ${summary.error} ${summary.error_codes?.join(',')}`);
  assert.ok(summary.access_token);
  return summary;
}

describe('MSAL Python against the emulator', { skip }, () => {
  test('acquire_token_for_client: Graph (v1 token, roles) and the API (v2 token); the response has no scope or refresh token', async () => {
    const { web, api } = env.emulator.devJson.apps;
    const secret = { CLIENT_ID: web.clientId, CLIENT_SECRET: web.clientSecret };

    const graph = tokens(await run('client_credentials', { ...secret, SCOPES: 'https://graph.microsoft.com/.default' }));
    assert.equal(graph.token_type, 'Bearer');
    assert.equal(typeof graph.expires_in, 'number');
    assert.equal(graph.has_refresh_token, false);
    assert.ok(!graph.keys.includes('scope'), `keys: ${graph.keys.join(',')}`);
    assert.ok(!graph.keys.includes('id_token'));
    const graphClaims = await env.verifyGraph(graph.access_token ?? '', 'https://graph.microsoft.com');
    assert.equal(graphClaims['iss'], env.v1Issuer);
    assert.equal(graphClaims['tid'], env.tenantId);
    assert.equal(graphClaims['appid'], web.clientId);
    assert.equal(graphClaims['idtyp'], 'app');
    assert.deepEqual(graphClaims['roles'], ['Application.Read.All', 'Directory.Read.All', 'GroupMember.Read.All', 'User.Read.All']);

    const apiResult = tokens(await run('client_credentials', { ...secret, SCOPES: `api://${api.clientId}/.default` }));
    const apiClaims = await env.verify(apiResult.access_token ?? '', { issuer: env.v2Issuer, audience: api.clientId });
    assert.equal(apiClaims['azp'], web.clientId);
    assert.equal(apiClaims['azpacr'], '1');
    assert.deepEqual(apiClaims['roles'], ['Api.Admin']);
    assert.equal(apiClaims['ver'], '2.0');
  });

  // MSAL Python writes x5t with base64 padding (urlsafe_b64encode: 27 characters plus '='), which
  // Entra accepts.
  test('certificate credential (MSAL Python signs RS256 with x5t): Storage token with appidacr 2', async () => {
    const app = await registerCertificateApp(env.emulator);
    const result = tokens(
      await run('client_credentials', { CLIENT_ID: app.appId, CERT_PEM: app.privateKeyPem, CERT_THUMBPRINT: app.thumbprintHex, SCOPES: 'https://storage.azure.com/.default' }),
    );
    const claims = await env.verify(result.access_token ?? '', { issuer: env.v1Issuer, audience: 'https://storage.azure.com' });
    assert.equal(claims['appid'], app.appId);
    assert.equal(claims['appidacr'], '2');
  });

  test('a wrong secret comes back as invalid_client with AADSTS7000215', async () => {
    const { web } = env.emulator.devJson.apps;
    const message = await run('client_credentials', { CLIENT_ID: web.clientId, CLIENT_SECRET: 'not-the-secret', SCOPES: 'https://graph.microsoft.com/.default' });
    const result = message['result'] as TokenSummary;
    assert.equal(result.error, 'invalid_client');
    assert.deepEqual(result.error_codes, [7000215]);
    assert.equal(result.access_token, undefined);
  });

  test('auth code flow through the login form, acquire_token_silent refresh to the API, then OBO from the API to Storage', async () => {
    const { web, api } = env.emulator.devJson.apps;
    const adele = env.user('adele');
    const signedIn = await run(
      'auth_code',
      { CLIENT_ID: web.clientId, CLIENT_SECRET: web.clientSecret, REDIRECT_URI: web.redirectUri, SCOPES: 'User.Read', REFRESH_SCOPES: api.scope },
      async (message) => {
        if (typeof message['auth_uri'] !== 'string') return undefined;
        const authorize = new URL(message['auth_uri']);
        assert.equal(`${authorize.origin}${authorize.pathname}`, `${env.authority}/oauth2/v2.0/authorize`);
        assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
        const callback = await env.signIn(authorize, 'adele');
        assert.equal(`${callback.origin}${callback.pathname}`, web.redirectUri);
        // The user's consent web -> api (the consent page is not under test here), before the silent refresh needs it.
        env.emulator.deps.directory.consents.grant(env.tenantId, web.clientId, api.clientId, userObjectId(env, adele.username), ['user_impersonation']);
        return Object.fromEntries(callback.searchParams);
      },
    );

    const code = tokens(signedIn);
    assert.equal(code.has_refresh_token, true);
    const id = code.id_token_claims ?? {};
    // MSAL Python does not check the ID token's signature; verify it here against the JWKS.
    assert.deepEqual(await env.verify(code.id_token ?? '', { issuer: env.v2Issuer, audience: web.clientId }), id);
    assert.equal(id['iss'], env.v2Issuer);
    assert.equal(id['aud'], web.clientId);
    assert.equal(id['tid'], env.tenantId);
    assert.equal(id['preferred_username'], adele.username);
    assert.equal(id['ver'], '2.0');
    const oid = userObjectId(env, adele.username);
    assert.equal(id['oid'], oid);
    const graph = await env.verifyGraph(code.access_token ?? '');
    assert.equal(graph['scp'], 'User.Read User.RevokeSessions.All openid profile email', 'additive: the admin also granted email and User.RevokeSessions.All');
    assert.equal(graph['oid'], oid);

    assert.deepEqual(signedIn['accounts'], [{ home_account_id: `${oid}.${env.tenantId}`, environment: 'localhost', username: adele.username, realm: env.tenantId }]);
    const silent = tokens(signedIn, 'silent');
    const apiToken = await env.verify(silent.access_token ?? '', { issuer: env.v2Issuer, audience: api.clientId });
    assert.equal(apiToken['scp'], 'user_impersonation');
    assert.equal(apiToken['oid'], oid);
    assert.equal(apiToken['azp'], web.clientId);

    const obo = tokens(await run('on_behalf_of', { CLIENT_ID: api.clientId, CLIENT_SECRET: api.clientSecret, ASSERTION: silent.access_token ?? '', SCOPES: 'https://storage.azure.com/user_impersonation' }));
    const storage = await env.verify(obo.access_token ?? '', { issuer: env.v1Issuer, audience: 'https://storage.azure.com' });
    assert.equal(storage['oid'], oid);
    assert.equal(storage['appid'], api.clientId);
    assert.equal(storage['scp'], 'user_impersonation');
  });
});

function userObjectId(env: InteropEnv, username: string): string {
  const user = env.emulator.deps.directory.findUserByUsername(env.tenantId, username);
  assert.ok(user, `user ${username}`);
  return user.id;
}
