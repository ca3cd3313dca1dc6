import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { bearerAuth, createBearerAuthenticator } from '../../src/bearer/index.ts';
import type { BearerEnv } from '../../src/bearer/index.ts';
import { createDiscoveryClient } from '../../src/core/discovery/discovery-client.ts';
import { isEntrakitError } from '../../src/core/errors.ts';
import {
  API_CLIENT_ID, deadUrl, NOW_SEC, OTHER_TENANT_ID, startTestIdentityProvider, TENANT_ID,
} from '../core/tokens/helpers/test-identity-provider.ts';
import type { TestIdentityProvider } from '../core/tokens/helpers/test-identity-provider.ts';

const request = (token?: string): Request =>
  new Request('http://api.test/x', { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

async function rejectsWith(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isEntrakitError(error), String(error));
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  });
}

describe('createBearerAuthenticator', () => {
  let idp: TestIdentityProvider;
  let now: number;
  const clock = (): number => now;

  before(async () => {
    idp = await startTestIdentityProvider();
  });
  after(() => idp.close());

  it('returns the principal and throws 401/403 with challenge details, framework-free', async () => {
    now = NOW_SEC * 1000;
    const auth = createBearerAuthenticator({ discoveryUrls: [idp.discoveryUrl], audiences: [API_CLIENT_ID] }, { clock });
    const principal = await auth(request(await idp.sign(idp.accessTokenV2Claims())), { scopes: ['Stories.Read'] });
    assert.equal(principal.kind, 'user');
    await assert.rejects(auth(request()), (error: unknown) => {
      assert.ok(isEntrakitError(error, 'BEARER_TOKEN_MISSING'));
      assert.equal(error.status, 401);
      assert.deepEqual(error.details, { challenge: {} });
      return true;
    });
    await assert.rejects(auth(request(await idp.sign(idp.accessTokenV2Claims())), { scopes: ['Nope'] }), (error: unknown) => {
      assert.ok(isEntrakitError(error, 'BEARER_INSUFFICIENT_SCOPE'));
      assert.equal(error.status, 403);
      assert.deepEqual((error.details?.['challenge'] as { scope: string[] }).scope, ['Nope']);
      return true;
    });
  });

  it('serves repeated tokens from the cache but still enforces each route requirement', async () => {
    now = NOW_SEC * 1000;
    const auth = createBearerAuthenticator({ discoveryUrls: [idp.discoveryUrl], audiences: [API_CLIENT_ID], clockSkewSec: 0 }, { clock });
    const token = await idp.sign(idp.accessTokenV2Claims({ exp: NOW_SEC + 120 }));
    await auth(request(token), { scopes: ['Stories.Read'] });
    const jwksHits = idp.hits.jwks;
    idp.failures.jwksStatus = 500; // a cache hit must not need the keys
    try {
      assert.equal((await auth(request(token), { scopes: ['Stories.Read'] })).kind, 'user');
      await rejectsWith(auth(request(token), { scopes: ['Stories.Write'] }), 'BEARER_INSUFFICIENT_SCOPE', 403);
      await rejectsWith(auth(request(token), { principal: 'app' }), 'BEARER_PRINCIPAL_NOT_ALLOWED', 403);
      assert.equal(idp.hits.jwks, jwksHits);
      now += 121_000; // cache entry ends at exp: the token is validated again, and is now expired
      await rejectsWith(auth(request(token)), 'TOKEN_EXPIRED', 401);
    } finally {
      delete idp.failures.jwksStatus;
    }
  });

  it('enforces requiredClaims with match all and any', async () => {
    now = NOW_SEC * 1000;
    const auth = createBearerAuthenticator(
      {
        discoveryUrls: [idp.discoveryUrl],
        audiences: [API_CLIENT_ID],
        requiredClaims: [
          { name: 'groups', match: 'all', values: ['g1', 'g2'] },
          { name: 'azpacr', match: 'any', values: ['1', '2'] },
        ],
      },
      { clock },
    );
    const ok = await idp.sign(idp.accessTokenV2Claims({ groups: ['g1', 'g2', 'g3'], azpacr: '2' }));
    assert.equal((await auth(request(ok))).kind, 'user');
    const oneGroup = await idp.sign(idp.accessTokenV2Claims({ groups: ['g1'] }));
    await rejectsWith(auth(request(oneGroup)), 'BEARER_CLAIM_REQUIRED', 403);
    const publicClient = await idp.sign(idp.accessTokenV2Claims({ groups: ['g1', 'g2'], azpacr: '0' }));
    await rejectsWith(auth(request(publicClient)), 'BEARER_CLAIM_REQUIRED', 403);
    const noGroups = await idp.sign(idp.accessTokenV2Claims());
    await rejectsWith(auth(request(noGroups)), 'BEARER_CLAIM_REQUIRED', 403);
  });

  it('accepts multi-tenant tokens through common discovery, limited by allowedTenants', async () => {
    now = NOW_SEC * 1000;
    const auth = createBearerAuthenticator(
      { discoveryUrls: [idp.commonDiscoveryUrl], audiences: [API_CLIENT_ID], allowedTenants: [TENANT_ID] },
      { clock },
    );
    assert.equal((await auth(request(await idp.sign(idp.accessTokenV2Claims())))).tenantId, TENANT_ID);
    const foreign = idp.accessTokenV2Claims({ iss: idp.issuerFor(OTHER_TENANT_ID), tid: OTHER_TENANT_ID });
    await rejectsWith(auth(request(await idp.sign(foreign))), 'TOKEN_TENANT_NOT_ALLOWED', 401);
    const v1 = idp.accessTokenV1Claims({ aud: API_CLIENT_ID });
    assert.equal((await auth(request(await idp.sign(v1)))).tokenVersion, '1.0');
  });

  it('supports explicit issuers with their JWKS, without discovery', async () => {
    now = NOW_SEC * 1000;
    const auth = createBearerAuthenticator({ issuers: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }], audiences: [API_CLIENT_ID] }, { clock });
    assert.equal((await auth(request(await idp.sign(idp.accessTokenV2Claims())))).tokenVersion, '2.0');
    await rejectsWith(auth(request(await idp.sign(idp.accessTokenV1Claims({ aud: API_CLIENT_ID })))), 'TOKEN_ISSUER_INVALID', 401);
  });

  it('fails closed (503, never success) when the JWKS is unreachable or erroring', async () => {
    now = NOW_SEC * 1000;
    const dead = await deadUrl();
    const auth = createBearerAuthenticator({ issuers: [{ issuer: idp.issuer, jwksUri: `${dead}/keys` }], audiences: [API_CLIENT_ID] }, { clock });
    await rejectsWith(auth(request(await idp.sign(idp.accessTokenV2Claims()))), 'JWKS_UNREACHABLE', 503);

    idp.failures.jwksStatus = 500;
    try {
      const fresh = createBearerAuthenticator({ discoveryUrls: [idp.discoveryUrl], audiences: [API_CLIENT_ID] }, { clock });
      const app = new Hono<BearerEnv>();
      app.get('/x', bearerAuth(fresh), (c) => c.json({ ok: true }));
      const res = await app.request('/x', { headers: { authorization: `Bearer ${await idp.sign(idp.accessTokenV2Claims())}` } });
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: 'temporarily_unavailable', error_description: 'The access token could not be validated right now' });
    } finally {
      delete idp.failures.jwksStatus;
    }
  });

  it('fails closed when discovery is unreachable, and recovers once it answers', async () => {
    now = NOW_SEC * 1000;
    const auth = createBearerAuthenticator({ discoveryUrls: [idp.discoveryUrl], audiences: [API_CLIENT_ID] }, { clock });
    const token = await idp.sign(idp.accessTokenV2Claims());
    idp.failures.discoveryStatus = 503;
    try {
      await rejectsWith(auth(request(token)), 'DISCOVERY_UNREACHABLE', 503);
    } finally {
      delete idp.failures.discoveryStatus;
    }
    assert.equal((await auth(request(token))).kind, 'user');
  });

  it('one unreachable discovery URL does not block tokens from a working one', async () => {
    now = NOW_SEC * 1000;
    const dead = await deadUrl();
    const auth = createBearerAuthenticator(
      { discoveryUrls: [`${dead}/t/v2.0/.well-known/openid-configuration`, idp.discoveryUrl], audiences: [API_CLIENT_ID] },
      { clock },
    );
    assert.equal((await auth(request(await idp.sign(idp.accessTokenV2Claims())))).kind, 'user');
    const unknown = await idp.sign(idp.accessTokenV2Claims({ iss: 'https://elsewhere.test/t/v2.0' }));
    await rejectsWith(auth(request(unknown)), 'DISCOVERY_UNREACHABLE', 503);
  });

  it('shares an injected discovery client (one JWKS cache across authenticators)', async () => {
    now = NOW_SEC * 1000;
    const discoveryClient = createDiscoveryClient({ clock });
    const policy = { discoveryUrls: [idp.discoveryUrl], audiences: [API_CLIENT_ID] };
    const before = idp.hits.jwks;
    await createBearerAuthenticator(policy, { discoveryClient, clock })(request(await idp.sign(idp.accessTokenV2Claims())));
    await createBearerAuthenticator(policy, { discoveryClient, clock })(request(await idp.sign(idp.accessTokenV2Claims({ uti: 'b' }))));
    assert.equal(idp.hits.jwks - before, 1);
  });
});
