import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, UnsecuredJWT } from 'jose';
import type { JWK } from 'jose';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { validateIdToken } from '../../../src/core/tokens/validate-id-token.ts';
import type { IdTokenValidationOptions } from '../../../src/core/tokens/validate-id-token.ts';
import { countingFetch, countingServer, startEmulatorTokens, withSegment } from '../helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../helpers/emulator-tokens.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';

/** Asserts the promise rejects with an EntrakitError carrying exactly `code` (and status). */

const OTHER_TENANT_ID = '22222222-2222-4222-8222-222222222222';

describe('validateIdToken against ID tokens from the emulator', () => {
  let env: EmulatorTokens;
  let options: IdTokenValidationOptions;
  let idToken: string;
  let claims: Record<string, unknown>;
  let kid: string;
  const counter = countingFetch();

  before(async () => {
    env = await startEmulatorTokens();
    const signedIn = await env.signIn('adele');
    idToken = signedIn.idToken;
    claims = decodeJwt(idToken);
    kid = String(decodeProtectedHeader(idToken).kid);
    const keySet = createDiscoveryClient({ fetch: counter.fetch }).getKeySet(env.jwksUri);
    // The validator's clock is the token's own iat, so lifetimes can be tested exactly.
    options = { keySet, issuer: env.issuer, clientId: env.webClientId, nonce: signedIn.nonce, clock: () => Number(claims['iat']) * 1000 };
  });
  after(() => env.close());

  it('accepts the emulator ID token and lists every check', async () => {
    const result = await validateIdToken(idToken, options);
    assert.equal(result.claims.oid, env.oid('adele'));
    assert.equal(result.header.kid, kid);
    assert.deepEqual(result.checks.map((c) => c.name), ['signature', 'issuer', 'audience', 'lifetime', 'nonce', 'tenant']);
    assert.ok(result.checks.every((c) => c.passed === true && c.detail.length > 0));
  });

  it('rejects a tampered payload (bad signature)', async () => {
    await rejectsWith(validateIdToken(withSegment(idToken, 1, { ...claims, name: 'Mallory' }), options), 'TOKEN_SIGNATURE_INVALID');
  });

  it('rejects a token signed by another key under the published kid', async () => {
    await rejectsWith(validateIdToken(await env.resign(idToken, {}, {}, await env.strangerKey()), options), 'TOKEN_SIGNATURE_INVALID');
  });

  it('rejects wrong aud, several audiences without azp, and a foreign azp', async () => {
    await rejectsWith(validateIdToken(await env.resign(idToken, { aud: 'someone-else' }), options), 'TOKEN_AUDIENCE_INVALID');
    await rejectsWith(validateIdToken(await env.resign(idToken, { aud: [env.webClientId, 'x'] }), options), 'TOKEN_AUDIENCE_INVALID');
    await rejectsWith(validateIdToken(await env.resign(idToken, { azp: 'x' }), options), 'TOKEN_AUDIENCE_INVALID');
    const ok = await validateIdToken(await env.resign(idToken, { aud: [env.webClientId, 'x'], azp: env.webClientId }), options);
    assert.deepEqual(ok.claims.aud, [env.webClientId, 'x']);
  });

  it('rejects a wrong issuer and an issuer naming another tenant than tid', async () => {
    await rejectsWith(validateIdToken(await env.resign(idToken, { iss: 'https://evil.test/x/v2.0' }), options), 'TOKEN_ISSUER_INVALID');
    await rejectsWith(validateIdToken(await env.resign(idToken, { tid: OTHER_TENANT_ID }), options), 'TOKEN_ISSUER_INVALID');
  });

  it('rejects an expired token beyond the clock skew but accepts one within it', async () => {
    const exp = Number(claims['exp']);
    const at = (ms: number) => ({ ...options, clock: () => ms });
    await rejectsWith(validateIdToken(idToken, at((exp + 301) * 1000)), 'TOKEN_EXPIRED');
    assert.equal((await validateIdToken(idToken, at((exp + 299) * 1000))).claims.exp, exp);
    await rejectsWith(validateIdToken(idToken, { ...at((exp + 1) * 1000), clockSkewSec: 0 }), 'TOKEN_EXPIRED');
  });

  it('rejects nbf and iat in the future', async () => {
    const iat = Number(claims['iat']);
    await rejectsWith(validateIdToken(await env.resign(idToken, { nbf: iat + 600 }), options), 'TOKEN_NOT_YET_VALID');
    await rejectsWith(validateIdToken(await env.resign(idToken, { iat: iat + 600 }), options), 'TOKEN_NOT_YET_VALID');
  });

  it('rejects a wrong or missing nonce', async () => {
    await rejectsWith(validateIdToken(idToken, { ...options, nonce: 'other' }), 'TOKEN_NONCE_MISMATCH');
    await rejectsWith(validateIdToken(await env.resign(idToken, { nonce: undefined }), options), 'TOKEN_NONCE_MISMATCH');
  });

  it('requires exp, iat, aud, iss and tid', async () => {
    for (const claim of ['exp', 'iat', 'aud', 'iss', 'tid']) {
      await assert.rejects(validateIdToken(await env.resign(idToken, { [claim]: undefined }), options), (error: unknown) => {
        assert.ok(isEntrakitError(error, 'TOKEN_CLAIM_MISSING'), `${claim}: ${String(error)}`);
        assert.equal(error.details?.['claim'], claim);
        return true;
      });
    }
  });

  it('rejects alg none before fetching keys', async () => {
    const before = counter.count('/keys');
    await rejectsWith(validateIdToken(new UnsecuredJWT(claims).encode(), options), 'TOKEN_ALG_NOT_ALLOWED');
    assert.equal(counter.count('/keys'), before);
  });

  it('rejects HS256 signed with the emulator public key bytes, also under an RS256 header', async () => {
    const published = env.emulator.deps.keys.jwks().keys.find((k) => k.kid === kid)!;
    const publicKey = await importJWK({ kty: 'RSA', n: published.n, e: published.e }, 'RS256', { extractable: true });
    const pem = new TextEncoder().encode(await exportSPKI(publicKey as CryptoKey));
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(pem);
    await rejectsWith(validateIdToken(hs256, options), 'TOKEN_ALG_NOT_ALLOWED');
    await rejectsWith(validateIdToken(withSegment(hs256, 0, { alg: 'RS256', kid }), options), 'TOKEN_SIGNATURE_INVALID');
  });

  it('rejects a kid that is not in the JWKS, and a token without kid', async () => {
    await rejectsWith(validateIdToken(await env.resign(idToken, {}, { kid: 'not-published' }, await env.strangerKey()), options), 'TOKEN_KEY_NOT_FOUND');
    await rejectsWith(validateIdToken(await env.resign(idToken, {}, { kid: undefined }), options), 'TOKEN_KEY_NOT_FOUND');
  });

  it('ignores jwk, jku, x5u and x5c headers: keys only come from the JWKS', async () => {
    const attackerServer = await countingServer();
    try {
      const attacker = await generateKeyPair('RS256', { extractable: true });
      const header = {
        jwk: (await exportJWK(attacker.publicKey)) as JWK,
        jku: `${attackerServer.url}/jwks`,
        x5u: `${attackerServer.url}/cert.pem`,
        x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
      };
      await validateIdToken(idToken, options); // JWKS warm
      const before = counter.count('/keys');
      await rejectsWith(validateIdToken(await env.resign(idToken, {}, { ...header, kid: 'attacker' }, attacker.privateKey), options), 'TOKEN_KEY_NOT_FOUND');
      await rejectsWith(validateIdToken(await env.resign(idToken, {}, header, attacker.privateKey), options), 'TOKEN_SIGNATURE_INVALID');
      assert.equal(attackerServer.hits(), 0, 'attacker URL was fetched');
      assert.equal(counter.count('/keys'), before, 'no extra JWKS fetch within the cooldown');
    } finally {
      await attackerServer.close();
    }
  });

  it('substitutes tid into a multi-tenant issuer template and applies the tenant allow-list', async () => {
    const multi = { ...options, issuer: env.issuer.replace(env.tenantId, '{tenantid}') };
    const other = await env.resign(idToken, { iss: env.issuer.replace(env.tenantId, OTHER_TENANT_ID), tid: OTHER_TENANT_ID });
    assert.equal((await validateIdToken(other, multi)).claims.tid, OTHER_TENANT_ID);
    const allowOnlyHome = { ...multi, allowedTenants: [env.tenantId.toUpperCase()] };
    assert.equal((await validateIdToken(idToken, allowOnlyHome)).claims.tid, env.tenantId);
    await rejectsWith(validateIdToken(other, allowOnlyHome), 'TOKEN_TENANT_NOT_ALLOWED');
    await rejectsWith(validateIdToken(await env.resign(idToken, { tid: OTHER_TENANT_ID }), multi), 'TOKEN_ISSUER_INVALID');
    const base = env.issuer.slice(0, env.issuer.indexOf(env.tenantId));
    const pathTid = await env.resign(idToken, { iss: `${base}x/../${env.tenantId}/v2.0`, tid: `x/../${env.tenantId}` });
    await rejectsWith(validateIdToken(pathTid, multi), 'TOKEN_ISSUER_INVALID');
  });

  it('fails closed with JWKS_UNREACHABLE when the JWKS answers 500', async () => {
    const failing = countingFetch();
    failing.failWith = 500;
    const keySet = createDiscoveryClient({ fetch: failing.fetch }).getKeySet(env.jwksUri);
    await rejectsWith(validateIdToken(idToken, { ...options, keySet }), 'JWKS_UNREACHABLE', 503);
    assert.equal(failing.count('/keys'), 1);
  });

  it('throws TypeError naming a bad option', async () => {
    await assert.rejects(validateIdToken(idToken, { ...options, nonce: '' }), { name: 'TypeError', message: /"nonce"/ });
    await assert.rejects(validateIdToken(idToken, { ...options, clockSkewSec: -1 }), { name: 'TypeError', message: /"clockSkewSec"/ });
  });
});
