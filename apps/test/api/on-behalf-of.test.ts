import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { InteractionRequiredAuthError } from '@azure/msal-node';
import { loadApiConfig } from '../../api/config.ts';
import type { ApiConfig } from '../../api/config.ts';
import { createConfidentialClient } from '../../api/msal/confidential-client.ts';
import { oboFailure } from '../../api/obo/obo-error.ts';
import { createMsalOnBehalfOfClient } from '../../api/obo/on-behalf-of.ts';
import type { OnBehalfOfClient } from '../../api/obo/on-behalf-of.ts';
import { isEntrakitError } from '../../../packages/entrakit/src/core/errors.ts';
import type { EntrakitError } from '../../../packages/entrakit/src/core/errors.ts';
import { httpProblem } from '../../../packages/entrakit/src/core/http-problem.ts';
import { STORAGE_SCOPES } from '../../api/permissions.ts';
import { startApiTestEnv } from './helpers/api-test-env.ts';
import type { ApiTestEnv } from './helpers/api-test-env.ts';

async function failure(promise: Promise<unknown>): Promise<EntrakitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isEntrakitError(error), String(error));
    return error as never;
  }
  throw new Error('expected a failure');
}

describe('On-Behalf-Of through MSAL Node against the emulator', () => {
  let env: ApiTestEnv;
  let config: ApiConfig;
  let obo: OnBehalfOfClient;
  const oboFor = async (overrides: Partial<ApiConfig> = {}) =>
    createMsalOnBehalfOfClient({ msal: await createConfidentialClient({ ...config, ...overrides }), authority: overrides.authority ?? config.authority, realm: 'entrakit-api' });
  const request = async (assertion: string) => ({ assertion, tenantId: env.tenantId, scopes: STORAGE_SCOPES });

  before(async () => {
    env = await startApiTestEnv();
    config = await loadApiConfig({ env: {}, dataDir: env.dataDir });
    obo = await oboFor();
  });
  after(() => env.stop());

  it('exchanges a user token for a v1 Storage token that Azurite accepts, for the same user', async () => {
    const token = await obo.acquireToken(await request(await env.sign(env.userClaims('adele'))));
    const claims = decodeJwt(token.accessToken);
    assert.equal(claims.iss, `https://sts.windows.net/${env.tenantId}/`);
    assert.equal(claims.aud, 'https://storage.azure.com');
    assert.equal(claims['oid'], env.oid('adele'));
    assert.equal(claims['scp'], 'user_impersonation');
    assert.equal(claims['ver'], '1.0');
    assert.equal(claims['appid'], env.apiClientId);
    assert.ok(token.expiresOnTimestamp > Date.now() + 30 * 60_000);
  });

  it('caches per assertion and makes one call for concurrent requests', async () => {
    const assertion = await env.sign(env.userClaims('alex'));
    const burst = await Promise.all(Array.from({ length: 5 }, async () => obo.acquireToken(await request(assertion))));
    assert.equal(new Set(burst.map((t) => t.accessToken)).size, 1);
    const again = await obo.acquireToken(await request(assertion));
    assert.equal(again.accessToken, burst[0]?.accessToken);
    const otherAssertion = await env.sign(env.userClaims('alex'));
    const fresh = await obo.acquireToken(await request(otherAssertion));
    assert.notEqual(fresh.accessToken, again.accessToken);
  });

  it('maps an assertion for another audience to 401 invalid_grant (AADSTS50013)', async () => {
    const error = await failure(obo.acquireToken(await request(await env.sign(env.userClaims('adele', { aud: env.webClientId })))));
    assert.equal(error.code, 'OBO_INVALID_GRANT');
    assert.equal(error.status, 401);
    assert.equal(error.oauthError, 'invalid_token');
    assert.match(error.message, /^The access token could not be exchanged On-Behalf-Of \(invalid_grant: AADSTS50013: Assertion failed signature validation/);
    assert.match(httpProblem(error, { realm: 'entrakit-api' }).headers['WWW-Authenticate'] ?? '', /^Bearer realm="entrakit-api", authorization_uri="[^"]+", error="invalid_token", error_description="/);
  });

  it("maps a wrong client secret to 502 obo_failed naming Entra's error", async () => {
    const wrong = await oboFor({ credential: { kind: 'secret', secret: 'not-the-secret' } });
    const error = await failure(wrong.acquireToken(await request(await env.sign(env.userClaims('adele')))));
    assert.equal(error.code, 'OBO_FAILED');
    assert.equal(error.status, 502);
    assert.equal(error.oauthError, 'obo_failed');
    assert.match(error.message, /\(invalid_client: AADSTS7000215: /);
    assert.ok(!error.message.includes('not-the-secret'));
  });

  it('maps an identity provider that answers 503 or cannot be reached to 502 identity_provider_unavailable', async () => {
    env.emulator.deps.faults.add({ pathPrefix: `/${env.tenantId}/oauth2/v2.0/token`, status: 503, count: 5 });
    try {
      const error = await failure(obo.acquireToken(await request(await env.sign(env.userClaims('megan')))));
      assert.equal(error.code, 'OBO_UNREACHABLE');
      assert.equal(error.status, 502);
      assert.equal(error.oauthError, 'identity_provider_unavailable');
    } finally {
      env.emulator.deps.faults.clear();
    }
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const nowhere = await oboFor({ instance: `https://127.0.0.1:${port}`, authority: `https://127.0.0.1:${port}/${env.tenantId}` });
    const error = await failure(nowhere.acquireToken(await request(await env.sign(env.userClaims('megan')))));
    assert.equal(error.status, 502);
    assert.equal(error.oauthError, 'identity_provider_unavailable');
  });

  it('turns a claims challenge into 401 insufficient_claims with the claims in WWW-Authenticate', () => {
    const claims = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
    const msalError = Reflect.construct(InteractionRequiredAuthError, [
      'interaction_required', 'corr', 'AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication. Trace ID: x',
      'basic_action', '', '', claims, '50076',
    ]);
    const error = oboFailure(msalError, { realm: 'entrakit-api', authority: 'https://login.example/tid' });
    assert.equal(error.code, 'OBO_CLAIMS_CHALLENGE');
    assert.equal(error.status, 401);
    const { headers, body } = httpProblem(error, { realm: 'entrakit-api' });
    assert.deepEqual(body, { claims, error: 'insufficient_claims', error_description: error.message });
    assert.equal(
      headers['WWW-Authenticate'],
      `Bearer realm="entrakit-api", authorization_uri="https://login.example/tid/oauth2/v2.0/authorize", error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`,
    );
    assert.match(error.message, /\(interaction_required: AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication\.\)/);
  });
});
