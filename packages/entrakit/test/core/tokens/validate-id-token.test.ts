import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportSPKI, SignJWT, UnsecuredJWT } from 'jose';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { validateIdToken } from '../../../src/core/tokens/validate-id-token.ts';
import type { IdTokenValidationOptions } from '../../../src/core/tokens/validate-id-token.ts';
import {
  clock, createSigningKey, NONCE, NOW_SEC, OTHER_TENANT_ID, startCountingServer, startTestIdentityProvider, TENANT_ID, WEB_CLIENT_ID,
} from './helpers/test-identity-provider.ts';
import type { TestIdentityProvider } from './helpers/test-identity-provider.ts';

/** Asserts the promise rejects with an EntrakitError carrying exactly `code` (and status). */
async function rejectsWith(promise: Promise<unknown>, code: string, status = 401): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isEntrakitError(error), `expected EntrakitError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  });
}

describe('validateIdToken', () => {
  let idp: TestIdentityProvider;
  let options: IdTokenValidationOptions;

  before(async () => {
    idp = await startTestIdentityProvider();
    const keySet = createDiscoveryClient().getKeySet(idp.jwksUri);
    options = { keySet, issuer: idp.issuer, clientId: WEB_CLIENT_ID, nonce: NONCE, clock };
  });
  after(() => idp.close());

  it('accepts a valid v2 ID token and lists every check', async () => {
    const result = await validateIdToken(await idp.sign(idp.idTokenClaims()), options);
    assert.equal(result.claims.oid, idp.idTokenClaims().oid);
    assert.equal(result.header.kid, 'key-1');
    assert.deepEqual(result.checks.map((c) => c.name), ['signature', 'issuer', 'audience', 'lifetime', 'nonce', 'tenant']);
    assert.ok(result.checks.every((c) => c.passed === true && c.detail.length > 0));
  });

  it('rejects a tampered payload (bad signature)', async () => {
    const [h, , s] = (await idp.sign(idp.idTokenClaims())).split('.');
    const forged = Buffer.from(JSON.stringify(idp.idTokenClaims({ name: 'Mallory' }))).toString('base64url');
    await rejectsWith(validateIdToken(`${h}.${forged}.${s}`, options), 'TOKEN_SIGNATURE_INVALID');
  });

  it('rejects a token signed by another key under a published kid', async () => {
    const other = await createSigningKey('key-1');
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims(), { key: other }), options), 'TOKEN_SIGNATURE_INVALID');
  });

  it('rejects wrong aud, several audiences without azp, and a foreign azp', async () => {
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims({ aud: 'someone-else' })), options), 'TOKEN_AUDIENCE_INVALID');
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims({ aud: [WEB_CLIENT_ID, 'x'] })), options), 'TOKEN_AUDIENCE_INVALID');
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims({ azp: 'x' })), options), 'TOKEN_AUDIENCE_INVALID');
    const ok = await validateIdToken(await idp.sign(idp.idTokenClaims({ aud: [WEB_CLIENT_ID, 'x'], azp: WEB_CLIENT_ID })), options);
    assert.deepEqual(ok.claims.aud, [WEB_CLIENT_ID, 'x']);
  });

  it('rejects a wrong issuer and an issuer naming another tenant than tid', async () => {
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims({ iss: 'https://evil.test/x/v2.0' })), options), 'TOKEN_ISSUER_INVALID');
    const mixed = idp.idTokenClaims({ tid: OTHER_TENANT_ID });
    await rejectsWith(validateIdToken(await idp.sign(mixed), options), 'TOKEN_ISSUER_INVALID');
  });

  it('rejects an expired token beyond the clock skew but accepts one within it', async () => {
    const expired = idp.idTokenClaims({ iat: NOW_SEC - 4000, nbf: NOW_SEC - 4000, exp: NOW_SEC - 301 });
    await rejectsWith(validateIdToken(await idp.sign(expired), options), 'TOKEN_EXPIRED');
    const withinSkew = idp.idTokenClaims({ exp: NOW_SEC - 299 });
    assert.equal((await validateIdToken(await idp.sign(withinSkew), options)).claims.exp, NOW_SEC - 299);
    await rejectsWith(validateIdToken(await idp.sign(withinSkew), { ...options, clockSkewSec: 0 }), 'TOKEN_EXPIRED');
  });

  it('rejects nbf and iat in the future', async () => {
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims({ nbf: NOW_SEC + 600 })), options), 'TOKEN_NOT_YET_VALID');
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims({ iat: NOW_SEC + 600 })), options), 'TOKEN_NOT_YET_VALID');
  });

  it('rejects a wrong or missing nonce', async () => {
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims({ nonce: 'other' })), options), 'TOKEN_NONCE_MISMATCH');
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims({ nonce: undefined })), options), 'TOKEN_NONCE_MISMATCH');
  });

  it('requires exp, iat, aud, iss and tid', async () => {
    for (const claim of ['exp', 'iat', 'aud', 'iss', 'tid']) {
      const token = await idp.sign(idp.idTokenClaims({ [claim]: undefined }));
      await assert.rejects(validateIdToken(token, options), (error: unknown) => {
        assert.ok(isEntrakitError(error, 'TOKEN_CLAIM_MISSING'), `${claim}: ${String(error)}`);
        assert.equal(error.details?.['claim'], claim);
        return true;
      });
    }
  });

  it('rejects alg none before fetching keys', async () => {
    const before = idp.hits.jwks;
    const unsigned = new UnsecuredJWT(idp.idTokenClaims()).encode();
    await rejectsWith(validateIdToken(unsigned, options), 'TOKEN_ALG_NOT_ALLOWED');
    assert.equal(idp.hits.jwks, before);
  });

  it('rejects HS256 signed with the RSA public key bytes', async () => {
    const pem = new TextEncoder().encode(await exportSPKI(idp.key.publicKey));
    const token = await new SignJWT(idp.idTokenClaims()).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).sign(pem);
    await rejectsWith(validateIdToken(token, options), 'TOKEN_ALG_NOT_ALLOWED');
    const forgedHeader = await new SignJWT(idp.idTokenClaims()).setProtectedHeader({ alg: 'HS256', kid: 'key-1' }).sign(pem);
    const [, p, s] = forgedHeader.split('.');
    const rs256Header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'key-1' })).toString('base64url');
    await rejectsWith(validateIdToken(`${rs256Header}.${p}.${s}`, options), 'TOKEN_SIGNATURE_INVALID');
  });

  it('rejects a kid that is not in the JWKS, and a token without kid', async () => {
    const stranger = await createSigningKey('not-published');
    await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims(), { key: stranger }), options), 'TOKEN_KEY_NOT_FOUND');
    const noKid = await new SignJWT(idp.idTokenClaims()).setProtectedHeader({ alg: 'RS256' }).sign(idp.key.privateKey);
    await rejectsWith(validateIdToken(noKid, options), 'TOKEN_KEY_NOT_FOUND');
  });

  it('ignores jwk, jku, x5u and x5c headers: keys only come from the JWKS', async () => {
    const attackerServer = await startCountingServer();
    try {
      const attacker = await createSigningKey('attacker');
      const header = {
        jwk: attacker.publicJwk,
        jku: `${attackerServer.url}/jwks`,
        x5u: `${attackerServer.url}/cert.pem`,
        x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
      };
      await validateIdToken(await idp.sign(idp.idTokenClaims()), options); // JWKS warm
      const jwksBefore = idp.hits.jwks;
      const pathsBefore = idp.hits.paths.length;
      await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims(), { key: attacker, header }), options), 'TOKEN_KEY_NOT_FOUND');
      await rejectsWith(
        validateIdToken(await idp.sign(idp.idTokenClaims(), { key: attacker, kid: 'key-1', header }), options),
        'TOKEN_SIGNATURE_INVALID',
      );
      assert.equal(attackerServer.hits(), 0, 'attacker URL was fetched');
      assert.equal(idp.hits.jwks, jwksBefore, 'no extra JWKS fetch within the cooldown');
      assert.equal(idp.hits.paths.length, pathsBefore);
    } finally {
      await attackerServer.close();
    }
  });

  it('substitutes tid into a multi-tenant issuer template and applies the tenant allow-list', async () => {
    const multi = { ...options, issuer: idp.templateIssuer };
    const other = idp.idTokenClaims({ iss: idp.issuerFor(OTHER_TENANT_ID), tid: OTHER_TENANT_ID });
    assert.equal((await validateIdToken(await idp.sign(other), multi)).claims.tid, OTHER_TENANT_ID);
    const allowOnlyHome = { ...multi, allowedTenants: [TENANT_ID.toUpperCase()] };
    assert.equal((await validateIdToken(await idp.sign(idp.idTokenClaims()), allowOnlyHome)).claims.tid, TENANT_ID);
    await rejectsWith(validateIdToken(await idp.sign(other), allowOnlyHome), 'TOKEN_TENANT_NOT_ALLOWED');
    const lying = idp.idTokenClaims({ iss: idp.issuerFor(TENANT_ID), tid: OTHER_TENANT_ID });
    await rejectsWith(validateIdToken(await idp.sign(lying), multi), 'TOKEN_ISSUER_INVALID');
    const pathTid = idp.idTokenClaims({ iss: `${idp.baseUrl}/x/../${TENANT_ID}/v2.0`, tid: `x/../${TENANT_ID}` });
    await rejectsWith(validateIdToken(await idp.sign(pathTid), multi), 'TOKEN_ISSUER_INVALID');
  });

  it('fails closed with JWKS_UNREACHABLE when the JWKS cannot be fetched', async () => {
    const down = await startCountingServer(500, { error: 'down' });
    try {
      const keySet = createDiscoveryClient().getKeySet(`${down.url}/keys`);
      await rejectsWith(validateIdToken(await idp.sign(idp.idTokenClaims()), { ...options, keySet }), 'JWKS_UNREACHABLE', 503);
      assert.equal(down.hits(), 1);
    } finally {
      await down.close();
    }
  });

  it('throws TypeError naming a bad option', async () => {
    const token = await idp.sign(idp.idTokenClaims());
    await assert.rejects(validateIdToken(token, { ...options, nonce: '' }), { name: 'TypeError', message: /"nonce"/ });
    await assert.rejects(validateIdToken(token, { ...options, clockSkewSec: -1 }), { name: 'TypeError', message: /"clockSkewSec"/ });
  });
});
