import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import type { RemoteKeySet } from '../../../src/core/discovery/remote-key-set.ts';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { validateAccessToken } from '../../../src/core/tokens/validate-access-token.ts';
import type { AccessTokenValidationOptions } from '../../../src/core/tokens/validate-access-token.ts';
import { countingFetch, startEmulatorTokens } from '../helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../helpers/emulator-tokens.ts';

/** Every promise rejected with TOKEN_KEY_NOT_FOUND. */
async function allKeyNotFound(promises: Array<Promise<unknown>>): Promise<void> {
  for (const outcome of await Promise.allSettled(promises)) {
    assert.equal(outcome.status, 'rejected');
    assert.ok(isEntrakitError((outcome as PromiseRejectedResult).reason, 'TOKEN_KEY_NOT_FOUND'), String((outcome as PromiseRejectedResult).reason));
  }
}

// One injected clock drives the emulator (token iat/exp, key rotation) and the consumer (JWKS
// cooldown, cache age): the scenario runs in simulated time, with defaults (30 s cooldown, one
// extra refetch per 10 s for tokens issued after the last fetch). The emulator signs with a
// rotated key at once (no lead time): the worst case, an issuer that does not publish ahead.
describe('JWKS refetch after key rotation (emulator keys, injected clock)', () => {
  const start = Math.floor(Date.now() / 1000) * 1000 + 500;
  let now = start;
  const clock = (): number => now;
  const at = (seconds: number): void => {
    now = start + seconds * 1000;
  };
  const counter = countingFetch();
  let env: EmulatorTokens;
  let keySet: RemoteKeySet;
  let options: AccessTokenValidationOptions;
  const fetches = (): number => counter.count('/keys');
  const validate = (token: string) => validateAccessToken(token, options);

  before(async () => {
    env = await startEmulatorTokens({ clock, keyLeadTimeSec: 0 });
    keySet = createDiscoveryClient({ fetch: counter.fetch, clock }).getKeySet(env.jwksUri);
    options = { keySet, issuers: [env.issuer], audiences: [env.apiClientId], clock };
  });
  after(() => env.close());

  it('accepts a token signed with a key published after the last fetch, inside the cooldown, with one fetch for 50 requests', async () => {
    at(0);
    await validate(await env.appToken());
    assert.equal(fetches(), 1);
    assert.equal(keySet.fetchedAt, now);

    at(5);
    const rotated = (await env.emulator.deps.keys.rotate()).kid;
    const token = await env.appToken();
    assert.equal(decodeProtectedHeader(token).kid, rotated);
    assert.equal(keySet.coolingDown, true);
    const results = await Promise.all(Array.from({ length: 50 }, () => validate(token)));
    assert.ok(results.every((r) => r.principal.kind === 'app'));
    assert.equal(fetches(), 2);
  });

  it('allows at most one such extra fetch per 10 s', async () => {
    at(6);
    const rotated = (await env.emulator.deps.keys.rotate()).kid;
    const token = await env.appToken();
    assert.equal(decodeProtectedHeader(token).kid, rotated);
    await allKeyNotFound(Array.from({ length: 20 }, () => validate(token)));
    assert.equal(fetches(), 2, 'the extra fetch at 5 s still holds at 6 s');
    at(14.9);
    await allKeyNotFound([validate(token)]);
    assert.equal(fetches(), 2);
    at(15);
    assert.equal((await validate(token)).principal.kind, 'app');
    assert.equal(fetches(), 3);
  });

  it('never refetches inside the cooldown for tokens issued before the last fetch, expired ones, future ones or untrusted issuers', async () => {
    at(27);
    const stranger = await env.strangerKey();
    const base = await env.appToken();
    const seconds = (s: number): number => Math.floor((start + s * 1000) / 1000);
    const unknownKid = (claims: Record<string, unknown>) => env.resign(base, claims, { kid: 'never-published' }, stranger);
    await allKeyNotFound([validate(await unknownKid({ iat: seconds(10), nbf: seconds(10) }))]);
    await allKeyNotFound([validate(await unknownKid({ iat: seconds(20), nbf: seconds(20), exp: seconds(26) }))]);
    await allKeyNotFound([validate(await unknownKid({ iat: seconds(27 + 3600), nbf: seconds(27 + 3600), exp: seconds(27 + 7200) }))]);
    await assert.rejects(validate(await unknownKid({ iss: 'https://login.evil.test/x/v2.0' })), (error: unknown) => isEntrakitError(error, 'TOKEN_ISSUER_INVALID'));
    assert.equal(fetches(), 3);
  });

  it('a flood of fresh tokens with an unknown kid costs one fetch per 10 s', async () => {
    at(27);
    const flood = await env.resign(await env.appToken(), {}, { kid: 'never-published' }, await env.strangerKey());
    await allKeyNotFound(Array.from({ length: 50 }, () => validate(flood)));
    assert.equal(fetches(), 4);
    await allKeyNotFound(Array.from({ length: 50 }, () => validate(flood)));
    at(36);
    await allKeyNotFound(Array.from({ length: 50 }, () => validate(flood)));
    assert.equal(fetches(), 4);
  });

  it('after the 30 s cooldown an unknown kid refetches once for 50 concurrent requests, then not again within it', async () => {
    at(56);
    const old = await env.resign(await env.appToken(), { iat: Math.floor(start / 1000), nbf: Math.floor(start / 1000) }, { kid: 'another-unknown' }, await env.strangerKey());
    await allKeyNotFound([validate(old)]);
    assert.equal(fetches(), 4, 'still cooling down 29 s after the fetch at 27 s');
    at(57);
    assert.equal(keySet.coolingDown, false);
    await allKeyNotFound(Array.from({ length: 50 }, () => validate(old)));
    assert.equal(fetches(), 5);
    assert.equal(keySet.coolingDown, true);
    at(86);
    await allKeyNotFound(Array.from({ length: 50 }, () => validate(old)));
    assert.equal(fetches(), 5);
  });

  it('refetches before use once the cached keys are older than 10 minutes', async () => {
    at(57 + 600);
    assert.equal((await validate(await env.appToken())).principal.kind, 'app');
    assert.equal(fetches(), 6);
  });
});
