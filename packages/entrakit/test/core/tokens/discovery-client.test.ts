import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDiscoveryClient } from '../../../src/core/discovery/discovery-client.ts';
import { isEntrakitError } from '../../../src/core/errors.ts';
import { deadUrl, startCountingServer, startTestIdentityProvider, TENANT_ID } from './helpers/test-identity-provider.ts';
import type { TestIdentityProvider } from './helpers/test-identity-provider.ts';

async function rejectsWith(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isEntrakitError(error), String(error));
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  });
}

describe('createDiscoveryClient', () => {
  let idp: TestIdentityProvider;
  before(async () => {
    idp = await startTestIdentityProvider();
  });
  after(() => idp.close());

  it('fetches, validates and caches metadata for its TTL, sharing concurrent fetches', async () => {
    let now = 1_000_000;
    const client = createDiscoveryClient({ clock: () => now, metadataTtlMs: 60_000 });
    const before = idp.hits.discovery;
    const results = await Promise.all(Array.from({ length: 10 }, () => client.getMetadata(idp.discoveryUrl)));
    assert.equal(idp.hits.discovery - before, 1);
    assert.equal(results[0]?.issuer, idp.issuer);
    assert.equal(results[9]?.jwks_uri, `${idp.baseUrl}/${TENANT_ID}/discovery/v2.0/keys`);
    now += 59_999;
    await client.getMetadata(idp.discoveryUrl);
    assert.equal(idp.hits.discovery - before, 1);
    now += 1;
    await client.getMetadata(idp.discoveryUrl);
    assert.equal(idp.hits.discovery - before, 2);
  });

  it('keeps the {tenantid} issuer template of multi-tenant metadata as published', async () => {
    const metadata = await createDiscoveryClient().getMetadata(idp.commonDiscoveryUrl);
    assert.equal(metadata.issuer, idp.templateIssuer);
  });

  it('reports HTTP errors and unreachable hosts as DISCOVERY_UNREACHABLE and never caches failures', async () => {
    const client = createDiscoveryClient();
    idp.failures.discoveryStatus = 500;
    try {
      await rejectsWith(client.getMetadata(idp.discoveryUrl), 'DISCOVERY_UNREACHABLE', 503);
    } finally {
      delete idp.failures.discoveryStatus;
    }
    assert.equal((await client.getMetadata(idp.discoveryUrl)).issuer, idp.issuer);
    const dead = await deadUrl();
    await rejectsWith(client.getMetadata(`${dead}/t/v2.0/.well-known/openid-configuration`), 'DISCOVERY_UNREACHABLE', 503);
  });

  it('rejects documents without the required fields as DISCOVERY_INVALID', async () => {
    const incomplete = await startCountingServer(200, { issuer: 'https://x.test/t/v2.0', token_endpoint: 'https://x.test/token' });
    const notAnObject = await startCountingServer(200, ["not", "an", "object"]);
    try {
      await assert.rejects(createDiscoveryClient().getMetadata(`${incomplete.url}/d`), (error: unknown) => {
        assert.ok(isEntrakitError(error, 'DISCOVERY_INVALID'));
        assert.match(error.message, /"jwks_uri"/);
        return true;
      });
      await rejectsWith(createDiscoveryClient().getMetadata(`${notAnObject.url}/d`), 'DISCOVERY_INVALID', 502);
    } finally {
      await incomplete.close();
      await notAnObject.close();
    }
  });

  it('uses the injected fetch for metadata and JWKS', async () => {
    const seen: string[] = [];
    const client = createDiscoveryClient({
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    const metadata = await client.getMetadata(idp.discoveryUrl);
    await client.getKeySet(metadata.jwks_uri).reload();
    assert.deepEqual(seen, [idp.discoveryUrl, idp.jwksUri]);
    assert.equal(client.getKeySet(metadata.jwks_uri), client.getKeySet(metadata.jwks_uri));
  });

  it('refuses non-https URLs outside loopback and bad options', () => {
    const client = createDiscoveryClient();
    assert.throws(() => client.getMetadata('http://example.test/.well-known/openid-configuration'), { name: 'TypeError', message: /"discoveryUrl"/ });
    assert.throws(() => client.getKeySet('ftp://example.test/keys'), { name: 'TypeError', message: /"jwksUri"/ });
    assert.throws(() => createDiscoveryClient({ metadataTtlMs: -1 }), { name: 'TypeError', message: /"metadataTtlMs"/ });
  });
});
