/**
 * The web app's "break it" lab against the real API and the real emulator: adele's real API
 * token (and her ID and Graph tokens) altered in each way the lab offers, every one refused by
 * the API with the expected status, error and failed check; the untouched token is accepted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApi } from '../../api/server.ts';
import type { RunningApi } from '../../api/server.ts';
import { runTamperLab } from '../../web/lab/run-lab.ts';
import type { LabResult } from '../../web/lab/run-lab.ts';
import { startApiTestEnv } from './helpers/api-test-env.ts';
import type { ApiTestEnv } from './helpers/api-test-env.ts';
import { signInWithMsal } from './helpers/msal-sign-in.ts';

let env: ApiTestEnv;
let api: RunningApi;
let results: LabResult[];

describe('tamper lab: every altered token is refused by the API', () => {
  before(async () => {
    env = await startApiTestEnv();
    api = await startApi({ dataDir: env.dataDir, env: { LOG_LEVEL: 'silent' }, port: 0, host: '127.0.0.1' });
    const apiScope = env.emulator.devJson.apps.api.scope;
    // Adele consented to the API before (the consent page is the browser tests' business).
    env.emulator.deps.directory.consents.grant(env.tenantId, env.webClientId, env.apiClientId, env.oid('adele'), ['user_impersonation']);
    const signedIn = await signInWithMsal(env, 'adele', [apiScope]);
    const graph = await signInWithMsal(env, 'adele', ['User.Read']);
    const jwks = (await (await fetch(`${env.emulator.url}/${env.tenantId}/discovery/v2.0/keys`)).json()) as { keys: [] };
    results = await runTamperLab({
      tokens: { accessToken: signedIn.accessToken, idToken: signedIn.idToken, graphToken: graph.accessToken, jwks, nowSec: Math.floor(Date.now() / 1000) },
      apiUrl: api.url,
      fetch,
    });
  });
  after(async () => {
    await api?.close();
    await env?.stop();
  });

  const byId = (id: string): LabResult => {
    const found = results.find((result) => result.id === id);
    assert.ok(found, `no lab result ${id}`);
    return found;
  };

  it('accepts the untouched token', () => {
    const original = byId('original');
    assert.equal(original.api.status, 200);
    assert.equal(original.api.check, 'none: accepted');
  });

  // [lab id, check that refused it, the API's exact error_description]
  const EXPECTED: Array<[string, string, string]> = [
    ['aud', 'signature', 'Token signature is invalid'],
    ['iss', 'issuer', 'Token issuer is not trusted by this API'],
    ['exp', 'signature', 'Token signature is invalid'],
    ['expired', 'signature', 'Token signature is invalid'],
    ['scp', 'signature', 'Token signature is invalid'],
    ['oid', 'signature', 'Token signature is invalid'],
    ['signature', 'signature', 'Token signature is invalid'],
    ['alg-none', 'algorithm allow-list', 'Token alg is not allowed; only RS256 is accepted'],
    ['hs256', 'algorithm allow-list', 'Token alg is not allowed; only RS256 is accepted'],
    ['kid', 'signing key (kid)', "Token kid is not in the issuer's key set"],
    ['id-token', 'token type (ID token, not access token)', 'Token is an ID token (it has a nonce); send an access token'],
    ['graph-token', 'audience', 'Token is a Microsoft Graph token, not a token for this API'],
  ];
  for (const [id, check, description] of EXPECTED) {
    it(`refuses "${id}" at the ${check} check`, () => {
      const result = byId(id);
      assert.equal(result.api.status, 401, JSON.stringify(result.api));
      assert.equal(result.api.error, 'invalid_token');
      assert.equal(result.api.check, check, JSON.stringify(result.api));
      assert.equal(result.api.description, description);
      assert.equal(result.api.wwwAuthenticate, `Bearer realm="entrakit-api", error="invalid_token", error_description="${result.api.description ?? ''}"`);
      // A decode-only validator would have taken every one of them.
      assert.equal(result.naive.accepted, true);
    });
  }
});
