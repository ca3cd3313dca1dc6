import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { decodeJwt } from 'jose';
import { Hono } from 'hono';
import { createBearerAuthenticator } from '../../src/bearer/index.ts';
import type { BearerFailure } from '../../src/bearer/index.ts';
import { bearerAuth } from '../../src/bearer/hono.ts';
import type { BearerEnv } from '../../src/bearer/hono.ts';
import { createDiscoveryClient } from '../../src/core/discovery/discovery-client.ts';
import type { EntrakitError} from '../../src/core/errors.ts';
import { countingFetch, deadUrl, startEmulatorTokens } from '../core/helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../core/helpers/emulator-tokens.ts';
import { rejectsWith } from '../core/helpers/rejects-with.ts';

const request = (token?: string): Request =>
  new Request('http://api.test/x', { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

const OTHER_TENANT_ID = '22222222-2222-4222-8222-222222222222';

describe('createBearerAuthenticator against emulator tokens', () => {
  let env: EmulatorTokens;
  let userToken: string;
  let appToken: string;
  let now: number;
  const clock = (): number => now;
  let policy: { discoveryUrls: string[]; audiences: string[] };

  before(async () => {
    env = await startEmulatorTokens();
    userToken = (await env.signIn('adele')).accessToken;
    appToken = await env.appToken();
    policy = { discoveryUrls: [env.discoveryUrl], audiences: [env.apiClientId] };
  });
  after(() => env.close());

  it('returns the principal and throws 401/403 carrying their challenge, framework-free', async () => {
    now = Date.now();
    const auth = createBearerAuthenticator(policy, { clock });
    const principal = await auth(request(userToken), { scopes: ['user_impersonation'] });
    assert.equal(principal.kind, 'user');
    assert.equal(principal.objectId, env.oid('adele'));
    const missing = await rejectsWith(auth(request()), 'BEARER_TOKEN_MISSING', 401);
    assert.deepEqual(missing.challenge, {});
    assert.equal(missing.oauthError, undefined);
    const scope = await rejectsWith(auth(request(userToken), { scopes: ['Nope'] }), 'BEARER_INSUFFICIENT_SCOPE', 403);
    assert.deepEqual(scope.challenge, { scope: ['Nope'] });
    assert.equal(scope.oauthError, 'insufficient_scope');
  });

  it('serves repeated tokens from the cache but still enforces each route requirement', async () => {
    const iat = Number(decodeJwt(userToken).iat);
    now = iat * 1000;
    const counter = countingFetch();
    const auth = createBearerAuthenticator({ ...policy, clockSkewSec: 0 }, { clock, fetch: counter.fetch });
    const token = await env.resign(userToken, { exp: iat + 120 });
    await auth(request(token), { scopes: ['user_impersonation'] });
    assert.equal(counter.count('/keys'), 1);
    counter.failWith = 500; // a cache hit must not need the keys
    assert.equal((await auth(request(token), { scopes: ['user_impersonation'] })).kind, 'user');
    await rejectsWith(auth(request(token), { scopes: ['Stories.Write'] }), 'BEARER_INSUFFICIENT_SCOPE', 403);
    await rejectsWith(auth(request(token), { principal: 'app' }), 'BEARER_PRINCIPAL_NOT_ALLOWED', 403);
    assert.equal(counter.count('/keys'), 1);
    delete counter.failWith;
    now += 121_000; // the cache entry ends at exp: the token is validated again, and is now expired
    await rejectsWith(auth(request(token)), 'TOKEN_EXPIRED', 401);
  });

  it('enforces requiredClaims with match all and any', async () => {
    now = Date.now();
    const auth = createBearerAuthenticator(
      { ...policy, requiredClaims: [{ name: 'groups', match: 'all', values: ['g1', 'g2'] }, { name: 'azpacr', match: 'any', values: ['1', '2'] }] },
      { clock },
    );
    assert.equal((await auth(request(await env.resign(userToken, { groups: ['g1', 'g2', 'g3'], azpacr: '2' })))).kind, 'user');
    await rejectsWith(auth(request(await env.resign(userToken, { groups: ['g1'] }))), 'BEARER_CLAIM_REQUIRED', 403);
    await rejectsWith(auth(request(await env.resign(userToken, { groups: ['g1', 'g2'], azpacr: '0' }))), 'BEARER_CLAIM_REQUIRED', 403);
    await rejectsWith(auth(request(userToken)), 'BEARER_CLAIM_REQUIRED', 403);
  });

  it('accepts multi-tenant tokens through common discovery, limited by allowedTenants, and v1 tokens', async () => {
    now = Date.now();
    const auth = createBearerAuthenticator({ discoveryUrls: [env.commonDiscoveryUrl], audiences: [env.apiClientId], allowedTenants: [env.tenantId] }, { clock });
    assert.equal((await auth(request(userToken))).tenantId, env.tenantId);
    const foreign = await env.resign(userToken, { iss: env.issuer.replace(env.tenantId, OTHER_TENANT_ID), tid: OTHER_TENANT_ID });
    await rejectsWith(auth(request(foreign)), 'TOKEN_TENANT_NOT_ALLOWED', 401);
    const v1 = await env.resign(userToken, { iss: env.v1Issuer, ver: '1.0', appid: env.webClientId, azp: undefined });
    assert.equal((await auth(request(v1))).tokenVersion, '1.0');
  });

  it('supports explicit issuers with their JWKS, without discovery', async () => {
    now = Date.now();
    const auth = createBearerAuthenticator({ issuers: [{ issuer: env.issuer, jwksUri: env.jwksUri }], audiences: [env.apiClientId] }, { clock });
    assert.equal((await auth(request(appToken))).kind, 'app');
    const v1 = await env.resign(userToken, { iss: env.v1Issuer, ver: '1.0', appid: env.webClientId, azp: undefined });
    await rejectsWith(auth(request(v1)), 'TOKEN_ISSUER_INVALID', 401);
  });

  it('fails closed (503, never success) when the JWKS is unreachable or erroring', async () => {
    now = Date.now();
    const dead = await deadUrl();
    const auth = createBearerAuthenticator({ issuers: [{ issuer: env.issuer, jwksUri: `${dead}/keys` }], audiences: [env.apiClientId] }, { clock });
    await rejectsWith(auth(request(userToken)), 'JWKS_UNREACHABLE', 503);

    // A fresh authenticator whose JWKS answers 500: no keys at all.
    const failing = countingFetch();
    const noKeys = createBearerAuthenticator(policy, {
      clock,
      fetch: (input, init) => (String(input).endsWith('/keys') ? Promise.resolve(new Response('{}', { status: 500 })) : failing.fetch(input, init)),
    });
    const app = new Hono<BearerEnv>();
    app.get('/y', bearerAuth(noKeys), (c) => c.json({ ok: true }));
    const res = await app.request('/y', { headers: { authorization: `Bearer ${userToken}` } });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('www-authenticate'), null);
    assert.deepEqual(await res.json(), { error: 'temporarily_unavailable', error_description: 'The access token could not be validated right now' });
  });

  it('fails closed when discovery is unreachable, and recovers once it answers', async () => {
    now = Date.now();
    const counter = countingFetch();
    const auth = createBearerAuthenticator(policy, { clock, fetch: counter.fetch });
    counter.failWith = 503;
    await rejectsWith(auth(request(userToken)), 'DISCOVERY_UNREACHABLE', 503);
    delete counter.failWith;
    assert.equal((await auth(request(userToken))).kind, 'user');
  });

  it('reports an unreachable discovery document once per incident, with its URL and cause', async () => {
    now = Date.now();
    const counter = countingFetch();
    const failures: BearerFailure[] = [];
    const auth = createBearerAuthenticator(policy, { clock, fetch: counter.fetch, onFailure: (failure) => failures.push(failure) });
    counter.failWith = 503;
    for (let i = 0; i < 3; i += 1) await rejectsWith(auth(request(userToken)), 'DISCOVERY_UNREACHABLE', 503);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.kind, 'unavailable');
    assert.equal(failures[0]?.code, 'DISCOVERY_UNREACHABLE');
    assert.equal(failures[0]?.status, 503);
    assert.equal(failures[0]?.url, env.discoveryUrl);
    assert.match(String(failures[0]?.cause), /answered HTTP 503/);
    delete counter.failWith;
    assert.equal((await auth(request(userToken))).kind, 'user');
    // A later outage is a new incident: reported again, once. (A new discovery fetch is forced by
    // the clock: the document is kept for 24 h.)
    now += 25 * 60 * 60 * 1000;
    counter.failWith = 500;
    for (let i = 0; i < 2; i += 1) await rejectsWith(auth(request(await env.resign(userToken, { iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 600 }))), 'DISCOVERY_UNREACHABLE', 503);
    assert.equal(failures.length, 2);
    assert.match(String(failures[1]?.cause), /answered HTTP 500/);
  });

  it('reports an unreachable JWKS once per incident with the network cause, and logs it by default', async () => {
    now = Date.now();
    const dead = await deadUrl();
    const failures: BearerFailure[] = [];
    const auth = createBearerAuthenticator({ issuers: [{ issuer: env.issuer, jwksUri: `${dead}/keys` }], audiences: [env.apiClientId] }, { clock, onFailure: (failure) => failures.push(failure) });
    for (let i = 0; i < 3; i += 1) await rejectsWith(auth(request(userToken)), 'JWKS_UNREACHABLE', 503);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.url, `${dead}/keys`);
    assert.ok(failures[0]?.cause instanceof TypeError, String(failures[0]?.cause));

    const lines: string[] = [];
    const original = console.error;
    console.error = (line: string) => lines.push(line);
    try {
      const logged = createBearerAuthenticator({ issuers: [{ issuer: env.issuer, jwksUri: `${dead}/keys` }], audiences: [env.apiClientId] }, { clock });
      for (let i = 0; i < 3; i += 1) await rejectsWith(logged(request(userToken)), 'JWKS_UNREACHABLE', 503);
    } finally {
      console.error = original;
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^entrakit bearer: JWKS_UNREACHABLE \\(503\\) ${dead}/keys: TypeError: fetch failed \\(ECONNREFUSED\\)`));
    assert.ok(!lines[0]!.includes(userToken.slice(-20)), 'the token is never logged');
  });

  it('one unreachable discovery URL does not block tokens from a working one', async () => {
    now = Date.now();
    const dead = await deadUrl();
    const auth = createBearerAuthenticator({ discoveryUrls: [`${dead}/t/v2.0/.well-known/openid-configuration`, env.discoveryUrl], audiences: [env.apiClientId] }, { clock });
    assert.equal((await auth(request(userToken))).kind, 'user');
    await rejectsWith(auth(request(await env.resign(userToken, { iss: 'https://elsewhere.test/t/v2.0' }))), 'DISCOVERY_UNREACHABLE', 503);
  });

  it('shares an injected discovery client (one JWKS cache across authenticators)', async () => {
    now = Date.now();
    const counter = countingFetch();
    const discoveryClient = createDiscoveryClient({ clock, fetch: counter.fetch });
    await createBearerAuthenticator(policy, { discoveryClient, clock })(request(userToken));
    await createBearerAuthenticator(policy, { discoveryClient, clock })(request(appToken));
    assert.equal(counter.count('/keys'), 1);
  });

  it('answers a bug with BEARER_INTERNAL_ERROR (500, reported), never as unreachable keys', async () => {
    const reported: EntrakitError[] = [];
    let broken = false;
    const brokenClock = (): number => {
      if (broken) throw new RangeError('clock failed');
      return Date.now();
    };
    const auth = createBearerAuthenticator(policy, { clock: brokenClock, onFailure: (failure) => reported.push(failure.error) });
    broken = true;
    const error = await rejectsWith(auth(request(userToken)), 'BEARER_INTERNAL_ERROR', 500);
    assert.ok(error.cause instanceof RangeError);
    assert.deepEqual(reported, [error]);
    const app = new Hono<BearerEnv>();
    app.get('/x', bearerAuth(auth), (c) => c.json({ ok: true }));
    const res = await app.request('/x', { headers: { authorization: `Bearer ${appToken}` } });
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'server_error', error_description: 'The server failed to handle the request' });
    assert.equal(reported.length, 2);
  });

  it('logs a bug by default as one line with the code, never the token', async () => {
    const lines: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    try {
      const auth = createBearerAuthenticator(policy, { clock: () => { throw new RangeError(`clock failed ${userToken}`); } });
      await rejectsWith(auth(request(userToken)), 'BEARER_INTERNAL_ERROR', 500);
    } finally {
      console.error = original;
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^entrakit bearer: BEARER_INTERNAL_ERROR \(500\): RangeError at /);
    assert.ok(!lines[0]!.includes(userToken.slice(-20)));
  });

  it('step-up: a valid token without the route\'s authentication context gets Entra\'s claims challenge; nothing else is relaxed', async () => {
    now = Date.now();
    const auth = createBearerAuthenticator(policy, { clock });
    const requirement = { scopes: ['user_impersonation'], authContext: 'c1' };
    const claims = Buffer.from('{"access_token":{"acrs":{"essential":true,"value":"c1"}}}').toString('base64');
    const metadata = await createDiscoveryClient().getMetadata(env.discoveryUrl);
    for (const attempt of ['validated', 'cached']) {
      const error = await rejectsWith(auth(request(userToken), requirement), 'BEARER_AUTH_CONTEXT_REQUIRED', 401);
      assert.deepEqual(error.challenge, { claims, authorizationUri: metadata.authorization_endpoint }, attempt);
      assert.equal(error.oauthError, 'insufficient_claims');
    }
    const stepped = await env.resign(userToken, { acrs: ['c2', 'c1'] });
    assert.deepEqual((await auth(request(stepped), requirement)).authContexts, ['c2', 'c1']);
    await rejectsWith(auth(request(await env.resign(userToken, { acrs: ['c2'] })), requirement), 'BEARER_AUTH_CONTEXT_REQUIRED', 401);
    await rejectsWith(auth(request(await env.resign(userToken, { acrs: 'c1' })), requirement), 'BEARER_AUTH_CONTEXT_REQUIRED', 401);
    await rejectsWith(auth(request(await env.resign(userToken, { acrs: ['c1'], scp: 'other' })), requirement), 'BEARER_INSUFFICIENT_SCOPE', 403);
    const iat = Number(decodeJwt(userToken).iat);
    await rejectsWith(auth(request(await env.resign(userToken, { acrs: ['c1'], iat: iat - 7200, nbf: iat - 7200, exp: iat - 3600 })), requirement), 'TOKEN_EXPIRED', 401);
    await rejectsWith(auth(request(await env.resign(userToken, { acrs: ['c1'] }, {}, await env.strangerKey())), requirement), 'TOKEN_SIGNATURE_INVALID', 401);
    const configured = createBearerAuthenticator({ ...policy, authorizationUri: 'https://login.microsoftonline.com/common/oauth2/authorize' }, { clock });
    const error = await rejectsWith(configured(request(userToken), requirement), 'BEARER_AUTH_CONTEXT_REQUIRED', 401);
    assert.equal(error.challenge?.authorizationUri, 'https://login.microsoftonline.com/common/oauth2/authorize');
  });
});
