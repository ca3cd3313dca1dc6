import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { validateIdToken } from '../../../src/core/tokens/validate-id-token.ts';
import type { IdTokenValidationOptions } from '../../../src/core/tokens/validate-id-token.ts';
import { clock, createSigningKey, NONCE, startTestIdentityProvider, WEB_CLIENT_ID } from './helpers/test-identity-provider.ts';
import type { TestIdentityProvider } from './helpers/test-identity-provider.ts';

// jose measures the cooldown with the real clock, so the test uses a short one instead of 30 s.
const COOLDOWN_MS = 300;

describe('JWKS refetch on unknown kid (jose remote key set behind createDiscoveryClient)', () => {
  let idp: TestIdentityProvider;
  let options: IdTokenValidationOptions;

  before(async () => {
    idp = await startTestIdentityProvider();
    const keySet = createDiscoveryClient({ jwksCooldownMs: COOLDOWN_MS }).getKeySet(idp.jwksUri);
    options = { keySet, issuer: idp.issuer, clientId: WEB_CLIENT_ID, nonce: NONCE, clock };
    await validateIdToken(await idp.sign(idp.idTokenClaims()), options);
    assert.equal(idp.hits.jwks, 1);
  });
  after(() => idp.close());

  it('50 concurrent unknown-kid tokens cause one refetch after the cooldown, then none within it', async () => {
    const stranger = await createSigningKey('unknown-kid');
    const token = await idp.sign(idp.idTokenClaims(), { key: stranger });
    await sleep(COOLDOWN_MS + 50);
    const first = await Promise.allSettled(Array.from({ length: 50 }, () => validateIdToken(token, options)));
    assert.ok(first.every((r) => r.status === 'rejected' && isEntrakitError(r.reason, 'TOKEN_KEY_NOT_FOUND')));
    assert.equal(idp.hits.jwks, 2);
    const second = await Promise.allSettled(Array.from({ length: 50 }, () => validateIdToken(token, options)));
    assert.ok(second.every((r) => r.status === 'rejected' && isEntrakitError(r.reason, 'TOKEN_KEY_NOT_FOUND')));
    assert.equal(idp.hits.jwks, 2, 'no refetch during the cooldown');
  });

  it('picks up a rotated-in key with a single refetch for 50 concurrent requests', async () => {
    const rotated = await createSigningKey('key-2');
    idp.publishKey(rotated);
    const token = await idp.sign(idp.idTokenClaims(), { key: rotated });
    await sleep(COOLDOWN_MS + 50);
    const before = idp.hits.jwks;
    const results = await Promise.all(Array.from({ length: 50 }, () => validateIdToken(token, options)));
    assert.ok(results.every((r) => r.header.kid === 'key-2'));
    assert.equal(idp.hits.jwks - before, 1);
  });

  it('the default cooldown is 30 s: a fresh client refetches at most once per window', async () => {
    const keySet = createDiscoveryClient().getKeySet(idp.jwksUri);
    const defaults = { ...options, keySet };
    const stranger = await createSigningKey('another-unknown');
    const token = await idp.sign(idp.idTokenClaims(), { key: stranger });
    const before = idp.hits.jwks;
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => validateIdToken(token, defaults)));
    assert.ok(results.every((r) => r.status === 'rejected' && isEntrakitError(r.reason, 'TOKEN_KEY_NOT_FOUND')));
    await Promise.allSettled(Array.from({ length: 50 }, () => validateIdToken(token, defaults)));
    assert.equal(idp.hits.jwks - before, 1);
    assert.equal(keySet.coolingDown, true);
  });
});
