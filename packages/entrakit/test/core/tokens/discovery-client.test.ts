import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { countingFetch, deadUrl, startEmulatorTokens } from '../helpers/emulator-tokens.ts';
import type { EmulatorTokens } from '../helpers/emulator-tokens.ts';
import { rejectsWith } from '../helpers/rejects-with.ts';

/** A fetch answering every request with this JSON document. */
const serving = (document: unknown): typeof globalThis.fetch => () => Promise.resolve(Response.json(document));

describe('createDiscoveryClient against the emulator', () => {
  let env: EmulatorTokens;
  before(async () => {
    env = await startEmulatorTokens();
  });
  after(() => env.close());

  it('fetches, validates and caches metadata for its TTL, sharing concurrent fetches', async () => {
    let now = 1_000_000;
    const counter = countingFetch();
    const client = createDiscoveryClient({ fetch: counter.fetch, clock: () => now, metadataTtlMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 10 }, () => client.getMetadata(env.discoveryUrl)));
    assert.equal(counter.count('/openid-configuration'), 1);
    assert.equal(results[0]?.issuer, env.issuer);
    assert.equal(results[9]?.jwks_uri, env.jwksUri);
    now += 59_999;
    await client.getMetadata(env.discoveryUrl);
    assert.equal(counter.count('/openid-configuration'), 1);
    now += 1;
    await client.getMetadata(env.discoveryUrl);
    assert.equal(counter.count('/openid-configuration'), 2);
  });

  it('keeps the {tenantid} issuer template of multi-tenant metadata as published', async () => {
    const metadata = await createDiscoveryClient().getMetadata(env.commonDiscoveryUrl);
    assert.equal(metadata.issuer, env.issuer.replace(env.tenantId, '{tenantid}'));
  });

  it('reports HTTP errors and unreachable hosts as DISCOVERY_UNREACHABLE and never caches failures', async () => {
    const counter = countingFetch();
    const client = createDiscoveryClient({ fetch: counter.fetch });
    counter.failWith = 500;
    await rejectsWith(client.getMetadata(env.discoveryUrl), 'DISCOVERY_UNREACHABLE', 503);
    delete counter.failWith;
    assert.equal((await client.getMetadata(env.discoveryUrl)).issuer, env.issuer);
    assert.equal(counter.count('/openid-configuration'), 2);
    const dead = await deadUrl();
    await rejectsWith(client.getMetadata(`${dead}/t/v2.0/.well-known/openid-configuration`), 'DISCOVERY_UNREACHABLE', 503);
  });

  it('rejects documents without the required fields as DISCOVERY_INVALID', async () => {
    const incomplete = createDiscoveryClient({ fetch: serving({ issuer: 'https://x.test/t/v2.0', token_endpoint: 'https://x.test/token' }) });
    await assert.rejects(incomplete.getMetadata('https://x.test/d'), (error: unknown) => {
      assert.ok(isEntrakitError(error, 'DISCOVERY_INVALID'));
      assert.equal(error.status, 502);
      assert.match(error.message, /"jwks_uri"/);
      return true;
    });
    await rejectsWith(createDiscoveryClient({ fetch: serving(['not', 'an', 'object']) }).getMetadata('https://x.test/d'), 'DISCOVERY_INVALID', 502);
  });

  it('uses the injected fetch for metadata and JWKS, and shares one key set per URI', async () => {
    const seen: string[] = [];
    const client = createDiscoveryClient({
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    const metadata = await client.getMetadata(env.discoveryUrl);
    const keySet = client.getKeySet(metadata.jwks_uri);
    assert.equal(keySet.fetchedAt, undefined);
    const token = await env.appToken();
    const [header, payload, signature] = token.split('.');
    const key = await keySet(JSON.parse(Buffer.from(header!, 'base64url').toString()), { protected: header!, payload: payload!, signature: signature! });
    assert.equal(key.type, 'public');
    assert.deepEqual(seen, [env.discoveryUrl, env.jwksUri]);
    assert.equal(client.getKeySet(metadata.jwks_uri), keySet);
  });

  it('refuses non-https URLs outside loopback and bad options', () => {
    const client = createDiscoveryClient();
    assert.throws(() => client.getMetadata('http://example.test/.well-known/openid-configuration'), { name: 'TypeError', message: /"discoveryUrl"/ });
    assert.throws(() => client.getKeySet('ftp://example.test/keys'), { name: 'TypeError', message: /"jwksUri"/ });
    assert.throws(() => createDiscoveryClient({ metadataTtlMs: -1 }), { name: 'TypeError', message: /"metadataTtlMs"/ });
    assert.throws(() => createDiscoveryClient({ jwksFreshTokenRefetchMs: Number.NaN }), { name: 'TypeError', message: /"jwksFreshTokenRefetchMs"/ });
  });
});
