import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startInteropEnv, type InteropEnv } from './interop-env.ts';

// Raw token-endpoint shapes that clients in other languages depend on: MSAL Go fails when a
// requested scope is missing from the `scope` echo; Go's oauth2 and others parse `expires_in` as a
// number; a client-credentials response carries no `scope` and no refresh token.

let env: InteropEnv;
before(async () => {
  env = await startInteropEnv();
});
after(() => env.close());

async function token(form: Record<string, string>): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${env.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('token endpoint response shapes', () => {
  test('client credentials: exactly token_type, expires_in, ext_expires_in, access_token (numbers, no scope)', async () => {
    const { web } = env.emulator.devJson.apps;
    // MSAL appends the OIDC scopes even here; Entra ignores them.
    const reply = await token({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: 'https://graph.microsoft.com/.default openid profile offline_access' });
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
    assert.equal(reply.body['token_type'], 'Bearer');
    assert.equal(typeof reply.body['expires_in'], 'number');
    assert.equal(typeof reply.body['ext_expires_in'], 'number');
    assert.match(reply.headers.get('cache-control') ?? '', /no-store/);
  });

  test('authorization code with full-URI scopes (MSAL Go style): each requested resource scope is echoed as sent, offline_access is not', async () => {
    const { web } = env.emulator.devJson.apps;
    const verifier = randomBytes(32).toString('base64url');
    const requested = ['https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com/email'];
    const authorize = new URL(`${env.authority}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: web.clientId,
      response_type: 'code',
      redirect_uri: web.redirectUri,
      scope: `${requested.join(' ')} openid profile offline_access`,
      state: 'state-1',
      client_info: '1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const callback = await env.signIn(authorize, 'alex');
    assert.equal(callback.searchParams.get('state'), 'state-1');
    const reply = await token({
      grant_type: 'authorization_code',
      client_id: web.clientId,
      client_secret: web.clientSecret,
      code: callback.searchParams.get('code') ?? '',
      code_verifier: verifier,
      redirect_uri: web.redirectUri,
      scope: `${requested.join(' ')} openid profile offline_access`,
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body['error_codes']));
    assert.equal(reply.body['token_type'], 'Bearer');
    assert.equal(typeof reply.body['expires_in'], 'number');
    assert.equal(typeof reply.body['ext_expires_in'], 'number');
    const echoed = String(reply.body['scope']).split(' ');
    for (const scope of requested) assert.ok(echoed.includes(scope), `${scope} echoed in "${reply.body['scope']}"`);
    assert.ok(!echoed.includes('offline_access'));
    assert.equal(typeof reply.body['refresh_token'], 'string');
    assert.equal(typeof reply.body['id_token'], 'string');
    assert.equal(reply.headers.get('pragma'), 'no-cache');
    const clientInfo = JSON.parse(Buffer.from(String(reply.body['client_info']), 'base64url').toString('utf8')) as Record<string, unknown>;
    const alex = env.emulator.deps.directory.findUserByUsername(env.tenantId, env.user('alex').username);
    assert.deepEqual(clientInfo, { uid: alex?.id, utid: env.tenantId });

    // Requested by resource URI, the v1 token's aud is that URI (bare names give Graph's appId).
    const graph = await env.verifyGraph(String(reply.body['access_token']), 'https://graph.microsoft.com');
    assert.equal(graph['scp'], 'User.Read email User.RevokeSessions.All openid profile', 'the requested scopes, then the rest consented for the web app (additive)');
  });
});
