import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearerAuth } from '../../src/bearer/hono.ts';
import { createBearerAuthenticator, parseBearerPolicy, parseRouteRequirement } from '../../src/bearer/index.ts';
import type { BearerPolicy, RouteRequirement } from '../../src/bearer/index.ts';

const valid = {
  discoveryUrls: ['https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration'],
  audiences: ['api://stories', 'bbbbbbbb-0000-4000-8000-000000000002'],
};

/** Misuse (a bad policy or requirement) is a TypeError naming the bad key, raised at start-up. */
function throwsNaming(fn: () => unknown, text: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.match(error.message, text);
    return true;
  });
}

describe('bearer policy schema', () => {
  it('accepts a complete policy', () => {
    const policy = parseBearerPolicy({
      ...valid,
      allowedTenants: ['11111111-1111-4111-8111-111111111111'],
      clockSkewSec: 60,
      requiredClaims: [{ name: 'groups', match: 'any', values: ['g1'] }],
      maxTokenBytes: 16_384,
      cache: { maxEntries: 100 },
      realm: 'stories',
      authorizationUri: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
    });
    assert.equal(policy.cache?.maxEntries, 100);
  });

  it('names unknown keys instead of dropping them, at any depth', () => {
    throwsNaming(() => parseBearerPolicy({ ...valid, audience: 'x' }), /Unrecognized key: "audience"/);
    throwsNaming(() => parseBearerPolicy({ ...valid, cache: { maxEntries: 1, ttl: 5 } }), /cache: Unrecognized key: "ttl"/);
    throwsNaming(
      () => parseBearerPolicy({ ...valid, requiredClaims: [{ name: 'x', match: 'all', values: ['a'], extra: 1 }] }),
      /requiredClaims\.0: Unrecognized key: "extra"/,
    );
  });

  it('rejects missing trust sources, empty audiences and insecure URLs', () => {
    throwsNaming(() => parseBearerPolicy({ audiences: ['a'] }), /discoveryUrls/);
    throwsNaming(() => parseBearerPolicy({ ...valid, audiences: [] }), /audiences/);
    throwsNaming(() => parseBearerPolicy({ ...valid, discoveryUrls: ['http://idp.example/x'] }), /discoveryUrls\.0/);
    throwsNaming(() => parseBearerPolicy({ ...valid, realm: 'a"b' }), /realm/);
    throwsNaming(() => parseBearerPolicy({ ...valid, authorizationUri: 'http://idp.example/authorize' }), /authorizationUri/);
    throwsNaming(() => parseBearerPolicy({ ...valid, requiredClaims: [{ name: 'x', match: 'some', values: ['a'] }] }), /match/);
  });

  it('checks route requirements strictly, once, when the middleware is created', () => {
    assert.deepEqual(parseRouteRequirement({ scopes: ['a'], principal: 'user' }), { scopes: ['a'], principal: 'user' });
    throwsNaming(() => parseRouteRequirement({ scope: ['a'] }), /Unrecognized key: "scope"/);
    assert.deepEqual(parseRouteRequirement({ scopes: ['a'], authContext: 'c99' }), { scopes: ['a'], authContext: 'c99' });
    for (const bad of ['c0', 'c100', 'C1', 'c1 ', 'x1']) {
      throwsNaming(() => parseRouteRequirement({ authContext: bad }), /authContext: must be an authentication context id, c1 to c99/);
    }
    const auth = createBearerAuthenticator(valid);
    throwsNaming(() => bearerAuth(auth, { principal: 'robot' } as unknown as RouteRequirement), /principal/);
    assert.throws(() => bearerAuth(undefined as never), { name: 'TypeError', message: /"authenticator"/ });
  });

  it('createBearerAuthenticator refuses an invalid policy and does no network I/O at creation', () => {
    throwsNaming(() => createBearerAuthenticator({ ...valid, issuers: [{ issuer: 'x', jwksUri: 'https://x/keys', kid: 'k' }] } as unknown as BearerPolicy), /kid/);
    let fetched = 0;
    createBearerAuthenticator(valid, { fetch: () => ((fetched += 1), Promise.reject(new Error('no'))) });
    assert.equal(fetched, 0);
  });
});
