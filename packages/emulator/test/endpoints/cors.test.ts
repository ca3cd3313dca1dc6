import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Application } from '../../src/directory/types.ts';
import { ADELE_ID, TENANT_ID, issueCode, manualClock, registerTestApp, startTestEmulator, webCodeForm, type TestEmulator } from '../grants/helpers.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';

const SPA_ORIGIN = 'http://localhost:3000';
const SPA_REDIRECT = `${SPA_ORIGIN}/spa`;
const clock = manualClock();
let t: TestEmulator;
let spa: Application;

before(async () => {
  t = await startTestEmulator({ clock: clock.now });
  ({ app: spa } = registerTestApp(t.emulator, { web: { redirectUris: [], logoutUrl: null }, spa: { redirectUris: [SPA_REDIRECT] } }));
  t.emulator.deps.directory.consents.grant(TENANT_ID, spa.appId, GRAPH_APP_ID, '', ['User.Read', 'openid', 'profile', 'offline_access']);
});
after(() => t.close());

async function spaCode(): Promise<{ code: string; verifier: string }> {
  return issueCode(t.emulator, { clientId: spa.appId, redirectUri: SPA_REDIRECT, userId: ADELE_ID });
}

function spaForm(code: string, verifier: string): Record<string, string> {
  return { grant_type: 'authorization_code', client_id: spa.appId, code, code_verifier: verifier, redirect_uri: SPA_REDIRECT };
}

describe('CORS', () => {
  it('discovery, JWKS and instance discovery are readable from any origin', async () => {
    const urls = [
      `${t.emulator.url}/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
      `${t.emulator.url}/${TENANT_ID}/discovery/v2.0/keys`,
      `${t.emulator.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${t.emulator.url}/${TENANT_ID}/oauth2/v2.0/authorize`)}`,
    ];
    for (const url of urls) {
      const response = await fetch(url, { headers: { origin: 'http://anything.example' } });
      await response.arrayBuffer();
      assert.equal(response.status, 200, url);
      assert.equal(response.headers.get('access-control-allow-origin'), '*', url);
    }
  });

  it('the token endpoint answers a preflight (204) only for registered SPA origins', async () => {
    const preflight = (origin: string) =>
      fetch(t.tokenUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-client-sku,x-client-ver' } });
    const allowed = await preflight(SPA_ORIGIN);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    assert.equal(allowed.headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    assert.equal(allowed.headers.get('access-control-allow-headers'), 'content-type,x-client-sku,x-client-ver');
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null);
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    const other = await preflight('http://evil.example');
    assert.equal(other.status, 204);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(other.headers.get('access-control-allow-methods'), null);
  });

  it('a SPA code is redeemed cross-origin: with Origin 200 and CORS headers, without Origin AADSTS9002327', async () => {
    const { code, verifier } = await spaCode();
    const sameOrigin = await t.post(spaForm(code, verifier));
    assert.equal(sameOrigin.status, 400);
    assert.equal(sameOrigin.body['error'], 'invalid_request');
    assert.deepEqual(sameOrigin.body['error_codes'], [9002327]);
    assert.ok((sameOrigin.body['error_description'] as string).startsWith("AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests. Trace ID: "));

    const fresh = await spaCode();
    const crossOrigin = await t.post(spaForm(fresh.code, fresh.verifier), { origin: SPA_ORIGIN });
    assert.equal(crossOrigin.status, 200);
    assert.equal(crossOrigin.headers.get('access-control-allow-origin'), SPA_ORIGIN);
    const refreshToken = crossOrigin.body['refresh_token'] as string;
    const refresh = { grant_type: 'refresh_token', client_id: spa.appId, refresh_token: refreshToken };
    const refreshedWithoutOrigin = await t.post(refresh);
    assert.deepEqual(refreshedWithoutOrigin.body['error_codes'], [9002327]);
    const refreshed = await t.post(refresh, { origin: SPA_ORIGIN });
    assert.equal(refreshed.status, 200);

    // SPA refresh tokens have a fixed 24 hours, not extended by use (AADSTS700084).
    clock.advance(24 * 3600_000);
    const expired = await t.post({ ...refresh, refresh_token: refreshed.body['refresh_token'] as string }, { origin: SPA_ORIGIN });
    assert.equal(expired.status, 400);
    assert.equal(expired.body['error'], 'invalid_grant');
    assert.deepEqual(expired.body['error_codes'], [700084]);
    assert.ok((expired.body['error_description'] as string).startsWith('AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended.'));
  });

  it("a web app's code redeemed with an Origin header is AADSTS9002326, naming the origin", async () => {
    const { code, verifier } = await issueCode(t.emulator);
    const reply = await t.post(webCodeForm(t.emulator, code, verifier), { origin: SPA_ORIGIN });
    assert.equal(reply.status, 400);
    assert.equal(reply.body['error'], 'invalid_request');
    assert.deepEqual(reply.body['error_codes'], [9002326]);
    assert.equal(reply.headers.get('access-control-allow-origin'), SPA_ORIGIN, 'a SPA origin can read the error body');
    assert.ok((reply.body['error_description'] as string).startsWith(`AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${SPA_ORIGIN}'. Trace ID: `));
    const web = t.emulator.devJson.apps.web;
    const clientCredentials = await t.post({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: `api://${t.emulator.devJson.apps.api.clientId}/.default` }, { origin: 'http://elsewhere.example' });
    assert.deepEqual(clientCredentials.body['error_codes'], [9002326]);
    assert.equal(clientCredentials.headers.get('access-control-allow-origin'), null, 'no CORS for origins that are not SPA origins');
  });

  it("the allow-list is scoped: another tenant's token endpoint does not reflect a single-tenant SPA's origin, and tokens are readable only from the app's own origins", async () => {
    const otherTenant = '7d3c5b1a-0000-4000-8000-00000000beef';
    t.emulator.deps.directory.addTenant({ id: otherTenant, domain: 'other-cors.test', displayName: 'Other' });
    const homeOrigin = 'http://localhost:3100';
    registerTestApp(t.emulator, { signInAudience: 'AzureADMyOrg', web: { redirectUris: [], logoutUrl: null }, spa: { redirectUris: [`${homeOrigin}/spa`] } });
    const preflight = (tenant: string, origin: string) =>
      fetch(`${t.emulator.url}/${tenant}/oauth2/v2.0/token`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal((await preflight(TENANT_ID, homeOrigin)).headers.get('access-control-allow-origin'), homeOrigin, 'its own tenant');
    assert.equal((await preflight(otherTenant, homeOrigin)).headers.get('access-control-allow-origin'), null, 'not another tenant');
    assert.equal((await preflight('common', homeOrigin)).headers.get('access-control-allow-origin'), null, 'not common: a single-tenant app is not served there');
    assert.equal((await preflight('no-such-tenant.example', homeOrigin)).headers.get('access-control-allow-origin'), null);

    // Tokens issued to `spa` are not readable from another app's origin, even in the same tenant.
    const { code, verifier } = await spaCode();
    const fromOtherApp = await t.post(spaForm(code, verifier), { origin: homeOrigin });
    assert.equal(fromOtherApp.status, 200);
    assert.equal(fromOtherApp.headers.get('access-control-allow-origin'), null, "another app's SPA origin cannot read the tokens");
  });
});
