import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import { validateAccessToken } from '../../../src/core/tokens/validate-access-token.ts';
import type { AccessTokenValidationOptions } from '../../../src/core/tokens/validate-access-token.ts';
import { countingFetch, startEmulatorTokens } from '../helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../helpers/emulator-tokens.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';

describe('validateAccessToken against tokens from the emulator', () => {
  let env: EmulatorTokens;
  let options: AccessTokenValidationOptions;
  let userToken: string;
  let idToken: string;
  let appToken: string;
  const counter = countingFetch();

  before(async () => {
    env = await startEmulatorTokens();
    const keySet = createDiscoveryClient({ fetch: counter.fetch }).getKeySet(env.jwksUri);
    options = { keySet, issuers: [env.issuer, env.v1Issuer], audiences: [env.apiClientId, env.apiAppIdUri] };
    ({ accessToken: userToken, idToken } = await env.signIn('adele'));
    appToken = await env.appToken();
  });
  after(() => env.close());

  it('accepts a v2 delegated token and derives a frozen user principal', async () => {
    const { principal, claims } = await validateAccessToken(userToken, options);
    assert.equal(claims.aud, env.apiClientId);
    assert.deepEqual(principal, {
      kind: 'user', tenantId: env.tenantId, objectId: env.oid('adele'), name: 'Adele Vance', username: 'adele@entrakitdemo.onmicrosoft.com',
      scopes: ['user_impersonation'], roles: ['Api.Admin'], authContexts: [], clientId: env.webClientId, tokenVersion: '2.0',
    });
    assert.ok(Object.isFrozen(principal));
  });

  it('reads the satisfied authentication contexts from acrs', async () => {
    const stepped = await env.resign(userToken, { acrs: ['c1', 'c7'] });
    assert.deepEqual((await validateAccessToken(stepped, options)).principal.authContexts, ['c1', 'c7']);
  });

  it('accepts a v1 token (sts.windows.net issuer, App ID URI audience, appid)', async () => {
    const v1 = await env.resign(userToken, {
      iss: env.v1Issuer, aud: env.apiAppIdUri, ver: '1.0', appid: env.webClientId, appidacr: '1', azp: undefined, azpacr: undefined,
      preferred_username: undefined, upn: 'adele@entrakitdemo.onmicrosoft.com',
    });
    const { principal } = await validateAccessToken(v1, options);
    assert.equal(principal.tokenVersion, '1.0');
    assert.equal(principal.clientId, env.webClientId);
    assert.equal(principal.username, 'adele@entrakitdemo.onmicrosoft.com');
    assert.deepEqual(principal.scopes, ['user_impersonation']);
    assert.equal(principal.kind, 'user');
  });

  it('recognises app-only tokens (no scp, and idtyp app or oid = sub)', async () => {
    const v2 = await validateAccessToken(appToken, options);
    assert.equal(v2.principal.kind, 'app');
    assert.equal(v2.principal.objectId, v2.claims.sub);
    assert.deepEqual(v2.principal.roles, ['Api.Admin']);
    assert.deepEqual(v2.principal.scopes, []);
    const noIdtyp = await validateAccessToken(await env.resign(appToken, { idtyp: undefined }), options);
    assert.equal(noIdtyp.principal.kind, 'app');
  });

  it('rejects a token for another audience', async () => {
    await rejectsWith(validateAccessToken(await env.resign(userToken, { aud: 'https://graph.microsoft.com' }), options), 'TOKEN_AUDIENCE_INVALID');
  });

  it('rejects a Graph-style token with a header nonce before fetching keys', async () => {
    const before = counter.count('/keys');
    await rejectsWith(validateAccessToken(await env.resign(userToken, {}, { nonce: 'abc' }), options), 'TOKEN_AUDIENCE_INVALID');
    assert.equal(counter.count('/keys'), before);
  });

  it('rejects ID tokens presented as access tokens', async () => {
    await rejectsWith(validateAccessToken(idToken, options), 'TOKEN_NOT_ACCESS_TOKEN');
    await rejectsWith(validateAccessToken(await env.resign(idToken, { aud: env.apiClientId, nonce: undefined }), options), 'TOKEN_CLAIM_MISSING');
    await rejectsWith(validateAccessToken(await env.resign(idToken, { nonce: undefined }), options), 'TOKEN_AUDIENCE_INVALID');
  });

  it('rejects untrusted issuers before any key fetch', async () => {
    const before = counter.count('/keys');
    await rejectsWith(validateAccessToken(await env.resign(userToken, { iss: 'https://login.evil.test/x/v2.0' }), options), 'TOKEN_ISSUER_INVALID');
    assert.equal(counter.count('/keys'), before);
  });

  it('applies issuer templates and the tenant allow-list', async () => {
    const template = env.issuer.replace(env.tenantId, '{tenantid}');
    const multi = { ...options, issuers: [template], allowedTenants: [env.tenantId] };
    assert.equal((await validateAccessToken(userToken, multi)).principal.tenantId, env.tenantId);
    const other = '22222222-2222-4222-8222-222222222222';
    const foreign = await env.resign(userToken, { iss: env.issuer.replace(env.tenantId, other), tid: other });
    await rejectsWith(validateAccessToken(foreign, multi), 'TOKEN_TENANT_NOT_ALLOWED');
  });

  it('requires oid, ver and the client claim', async () => {
    await rejectsWith(validateAccessToken(await env.resign(userToken, { oid: undefined }), options), 'TOKEN_CLAIM_MISSING');
    await rejectsWith(validateAccessToken(await env.resign(userToken, { azp: undefined }), options), 'TOKEN_CLAIM_MISSING');
    const v1NoAppid = await env.resign(userToken, { iss: env.v1Issuer, ver: '1.0', azp: undefined });
    await rejectsWith(validateAccessToken(v1NoAppid, options), 'TOKEN_CLAIM_MISSING');
    await rejectsWith(validateAccessToken(await env.resign(userToken, { ver: '3.0' }), options), 'TOKEN_MALFORMED');
  });

  it('rejects tampered, re-signed, expired and not-yet-valid tokens', async () => {
    const [header, payload] = userToken.split('.');
    const stranger = await env.strangerKey();
    await rejectsWith(validateAccessToken(`${header}.${payload}.${appToken.split('.')[2]}`, options), 'TOKEN_SIGNATURE_INVALID');
    await rejectsWith(validateAccessToken(await env.resign(userToken, {}, {}, stranger), options), 'TOKEN_SIGNATURE_INVALID');
    await rejectsWith(validateAccessToken(await env.resign(userToken, {}, { kid: 'unknown-kid' }, stranger), options), 'TOKEN_KEY_NOT_FOUND');
    const now = Math.floor(Date.now() / 1000);
    await rejectsWith(validateAccessToken(await env.resign(userToken, { iat: now - 7200, nbf: now - 7200, exp: now - 3600 }), options), 'TOKEN_EXPIRED');
    await rejectsWith(validateAccessToken(await env.resign(userToken, { nbf: now + 3600 }), options), 'TOKEN_NOT_YET_VALID');
  });

  it('rejects malformed and oversized tokens with stable codes', async () => {
    await rejectsWith(validateAccessToken('a.b', options), 'TOKEN_MALFORMED');
    await rejectsWith(validateAccessToken('x'.repeat(16_385), options), 'TOKEN_TOO_LARGE');
  });

  it('throws TypeError for missing audiences or issuers', async () => {
    await assert.rejects(validateAccessToken(userToken, { ...options, audiences: [] }), { name: 'TypeError', message: /"audiences"/ });
    await assert.rejects(validateAccessToken(userToken, { audiences: [env.apiClientId] }), { name: 'TypeError', message: /"keySet"/ });
  });
});
