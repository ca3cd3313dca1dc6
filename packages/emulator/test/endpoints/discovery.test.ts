import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestEmulator } from '../helpers/emulator.ts';

describe('emulator discovery, JWKS and instance discovery', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulator>>;
  before(async () => {
    emu = await startTestEmulator();
  });
  after(() => emu.cleanup());

  it('serves tenant discovery with the concrete issuer and Entra endpoints', async () => {
    const tid = emu.devJson.tenantId;
    const res = await fetch(`${emu.url}/${tid}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, `${emu.url}/${tid}/v2.0`);
    assert.equal(doc.authorization_endpoint, `${emu.url}/${tid}/oauth2/v2.0/authorize`);
    assert.equal(doc.token_endpoint, `${emu.url}/${tid}/oauth2/v2.0/token`);
    assert.equal(doc.end_session_endpoint, `${emu.url}/${tid}/oauth2/v2.0/logout`);
    assert.equal(doc.jwks_uri, `${emu.url}/${tid}/discovery/v2.0/keys`);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(doc.subject_types_supported, ['pairwise']);
    assert.equal(doc.frontchannel_logout_supported, true);
    assert.equal('grant_types_supported' in doc, false, 'Entra does not advertise grant types');
    assert.equal('code_challenge_methods_supported' in doc, false);
  });

  it('resolves the tenant by domain, and publishes the {tenantid} template for common and organizations', async () => {
    const byDomain = (await (await fetch(`${emu.url}/entrakitdemo.onmicrosoft.com/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(byDomain.issuer, `${emu.url}/${emu.devJson.tenantId}/v2.0`);
    for (const alias of ['common', 'organizations']) {
      const doc = (await (await fetch(`${emu.url}/${alias}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; token_endpoint: string };
      assert.equal(doc.issuer, `${emu.url}/{tenantid}/v2.0`);
      assert.equal(doc.token_endpoint, `${emu.url}/${alias}/oauth2/v2.0/token`);
    }
  });

  it('answers an unknown tenant with AADSTS90002 in Entra error shape', async () => {
    const res = await fetch(`${emu.url}/no-such-tenant.example/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 400);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.error, 'invalid_request');
    assert.deepEqual(body.error_codes, [90002]);
    assert.match(String(body.error_description), /^AADSTS90002: Tenant 'no-such-tenant.example' not found\..* Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    for (const key of ['timestamp', 'trace_id', 'correlation_id', 'error_uri']) assert.equal(typeof body[key], 'string', key);
  });

  it('publishes keys with kid = x5t = SHA-1 thumbprint of x5c, and no alg', async () => {
    const res = await fetch(`${emu.url}/${emu.devJson.tenantId}/discovery/v2.0/keys`);
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    assert.equal(keys.length, 1);
    const key = keys[0]!;
    assert.equal(key.kty, 'RSA');
    assert.equal(key.use, 'sig');
    assert.equal('alg' in key, false);
    const der = Buffer.from((key.x5c as string[])[0]!, 'base64');
    const thumbprint = createHash('sha1').update(der).digest('base64url');
    assert.equal(key.kid, thumbprint);
    assert.equal(key.x5t, thumbprint);
    const cert = new X509Certificate(der);
    const jwk = cert.publicKey.export({ format: 'jwk' });
    assert.equal(jwk.n, key.n, 'x5c certificate holds the published key');
    assert.equal(key.issuer, `${emu.url}/${emu.devJson.tenantId}/v2.0`);
  });

  it('answers MSAL instance discovery for its own host and invalid_instance for others', async () => {
    const ok = await fetch(`${emu.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${emu.url}/common/oauth2/v2.0/authorize`)}`);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { tenant_discovery_endpoint: string; metadata: Array<{ aliases: string[] }> };
    assert.equal(body.tenant_discovery_endpoint, `${emu.url}/common/v2.0/.well-known/openid-configuration`);
    assert.deepEqual(body.metadata[0]?.aliases, [new URL(emu.url).host]);
    const bad = await fetch(`${emu.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=https://evil.example/common/oauth2/v2.0/authorize`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_instance');
  });

  it('answers the UserRealm probe case-insensitively', async () => {
    const res = await fetch(`${emu.url}/common/userrealm/adele@entrakitdemo.onmicrosoft.com?api-version=1.0`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, string>;
    assert.equal(body.account_type, 'Managed');
    assert.equal(body.domain_name, 'entrakitdemo.onmicrosoft.com');
    assert.equal(body.cloud_audience_urn, 'urn:federation:MicrosoftOnline');
  });

  it('never answers bad input with a 500: oversized bodies, unknown paths', async () => {
    const big = await fetch(`${emu.url}/${emu.devJson.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&x=${'a'.repeat(100_000)}`,
    });
    assert.equal(big.status, 413);
    assert.deepEqual(((await big.json()) as { error_codes: number[] }).error_codes, [90023]);
    // Without a Content-Length (chunked), the limit is enforced while the body streams in.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new TextEncoder().encode('a'.repeat(1000)));
        controller.close();
      },
    });
    const chunked = await fetch(`${emu.url}/${emu.devJson.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
    const missing = await fetch(`${emu.url}/nothing/here/at/all`);
    assert.equal(missing.status, 404);
    assert.deepEqual(((await missing.json()) as { error_codes: number[] }).error_codes, [9002313]);
  });
});
