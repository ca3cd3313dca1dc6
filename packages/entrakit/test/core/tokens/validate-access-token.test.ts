import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { validateAccessToken } from '../../../src/core/tokens/validate-access-token.ts';
import type { AccessTokenValidationOptions } from '../../../src/core/tokens/validate-access-token.ts';
import {
  API_APP_ID_URI, API_CLIENT_ID, APP_SP_OID, clock, OTHER_TENANT_ID, startTestIdentityProvider, TENANT_ID, USER_OID, WEB_CLIENT_ID,
} from './helpers/test-identity-provider.ts';
import type { TestIdentityProvider } from './helpers/test-identity-provider.ts';

async function rejectsWith(promise: Promise<unknown>, code: string, status = 401): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isEntrakitError(error), `expected EntrakitError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  });
}

describe('validateAccessToken', () => {
  let idp: TestIdentityProvider;
  let options: AccessTokenValidationOptions;

  before(async () => {
    idp = await startTestIdentityProvider();
    const keySet = createDiscoveryClient().getKeySet(idp.jwksUri);
    options = { keySet, issuers: [idp.issuer, idp.v1Issuer], audiences: [API_CLIENT_ID, API_APP_ID_URI], clock };
  });
  after(() => idp.close());

  it('accepts a v2 delegated token and derives a user principal', async () => {
    const { principal, claims } = await validateAccessToken(await idp.sign(idp.accessTokenV2Claims()), options);
    assert.equal(claims.aud, API_CLIENT_ID);
    assert.deepEqual(principal, {
      kind: 'user', tenantId: TENANT_ID, objectId: USER_OID, name: 'Ada Lovelace', username: 'ada@contoso.test',
      scopes: ['Stories.Read', 'User.Read'], roles: [], clientId: WEB_CLIENT_ID, tokenVersion: '2.0',
    });
    assert.ok(Object.isFrozen(principal));
  });

  it('accepts a v1 token (sts.windows.net issuer, App ID URI audience, appid)', async () => {
    const { principal } = await validateAccessToken(await idp.sign(idp.accessTokenV1Claims()), options);
    assert.equal(principal.tokenVersion, '1.0');
    assert.equal(principal.clientId, WEB_CLIENT_ID);
    assert.equal(principal.username, 'ada@contoso.test');
    assert.deepEqual(principal.scopes, ['Stories.Read']);
    assert.equal(principal.kind, 'user');
  });

  it('recognises app-only tokens (no scp, and idtyp app or oid = sub)', async () => {
    const v2 = await validateAccessToken(await idp.sign(idp.appTokenV2Claims()), options);
    assert.equal(v2.principal.kind, 'app');
    assert.equal(v2.principal.objectId, APP_SP_OID);
    assert.deepEqual(v2.principal.roles, ['Stories.Read.All']);
    assert.deepEqual(v2.principal.scopes, []);
    const noIdtyp = await validateAccessToken(await idp.sign(idp.appTokenV2Claims({ idtyp: undefined })), options);
    assert.equal(noIdtyp.principal.kind, 'app');
    const v1App = idp.accessTokenV1Claims({ scp: undefined, idtyp: 'app', roles: ['Stories.Read.All'], sub: 'x', upn: undefined });
    assert.equal((await validateAccessToken(await idp.sign(v1App), options)).principal.kind, 'app');
  });

  it('rejects a token for another audience (e.g. Microsoft Graph)', async () => {
    const graph = idp.accessTokenV1Claims({ aud: 'https://graph.microsoft.com' });
    await rejectsWith(validateAccessToken(await idp.sign(graph), options), 'TOKEN_AUDIENCE_INVALID');
  });

  it('rejects a Graph-style token with a header nonce before fetching keys', async () => {
    const token = await idp.sign(idp.accessTokenV1Claims(), { header: { nonce: 'abc' } });
    await rejectsWith(validateAccessToken(token, options), 'TOKEN_AUDIENCE_INVALID');
  });

  it('rejects ID tokens presented as access tokens', async () => {
    const idToken = await idp.sign(idp.idTokenClaims({ aud: API_CLIENT_ID }));
    await rejectsWith(validateAccessToken(idToken, options), 'TOKEN_NOT_ACCESS_TOKEN');
    const noNonce = await idp.sign(idp.idTokenClaims({ aud: API_CLIENT_ID, nonce: undefined }));
    await rejectsWith(validateAccessToken(noNonce, options), 'TOKEN_CLAIM_MISSING');
    const webAud = await idp.sign(idp.idTokenClaims({ nonce: undefined }));
    await rejectsWith(validateAccessToken(webAud, options), 'TOKEN_AUDIENCE_INVALID');
  });

  it('rejects untrusted issuers before any key fetch', async () => {
    const before = idp.hits.jwks;
    const token = await idp.sign(idp.accessTokenV2Claims({ iss: 'https://login.evil.test/x/v2.0' }));
    await rejectsWith(validateAccessToken(token, options), 'TOKEN_ISSUER_INVALID');
    assert.equal(idp.hits.jwks, before);
  });

  it('applies issuer templates and the tenant allow-list', async () => {
    const multi = { ...options, issuers: [idp.templateIssuer], allowedTenants: [TENANT_ID] };
    assert.equal((await validateAccessToken(await idp.sign(idp.accessTokenV2Claims()), multi)).principal.tenantId, TENANT_ID);
    const foreign = idp.accessTokenV2Claims({ iss: idp.issuerFor(OTHER_TENANT_ID), tid: OTHER_TENANT_ID });
    await rejectsWith(validateAccessToken(await idp.sign(foreign), multi), 'TOKEN_TENANT_NOT_ALLOWED');
  });

  it('requires oid, ver and the client claim', async () => {
    await rejectsWith(validateAccessToken(await idp.sign(idp.accessTokenV2Claims({ oid: undefined })), options), 'TOKEN_CLAIM_MISSING');
    await rejectsWith(validateAccessToken(await idp.sign(idp.accessTokenV2Claims({ azp: undefined })), options), 'TOKEN_CLAIM_MISSING');
    await rejectsWith(validateAccessToken(await idp.sign(idp.accessTokenV1Claims({ appid: undefined })), options), 'TOKEN_CLAIM_MISSING');
    await rejectsWith(validateAccessToken(await idp.sign(idp.accessTokenV2Claims({ ver: '3.0' })), options), 'TOKEN_MALFORMED');
  });

  it('rejects malformed and oversized tokens with stable codes', async () => {
    await rejectsWith(validateAccessToken('a.b', options), 'TOKEN_MALFORMED');
    await rejectsWith(validateAccessToken('x'.repeat(16_385), options), 'TOKEN_TOO_LARGE');
  });

  it('throws TypeError for missing audiences or issuers', async () => {
    const token = await idp.sign(idp.accessTokenV2Claims());
    await assert.rejects(validateAccessToken(token, { ...options, audiences: [] }), { name: 'TypeError', message: /"audiences"/ });
    await assert.rejects(validateAccessToken(token, { audiences: [API_CLIENT_ID] }), { name: 'TypeError', message: /"keySet"/ });
  });
});
