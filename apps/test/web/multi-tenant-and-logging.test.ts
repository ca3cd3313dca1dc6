/**
 * Multi-tenant authorities with a tenant allow-list, what the log may contain, and tokens and
 * sessions over time, against the real web app, real MSAL and the real emulator.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertEncryptedAtRest, createBrowser, sessionCount, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { EmulatorWeb, InstanceOptions } from './helpers/emulator-web.ts';

let env: EmulatorWeb;
let runs = 0;

before(async () => {
  // Multi-tenant: Entra refuses /common for single-tenant apps (AADSTS50194).
  env = await startEmulatorWeb({ signInAudience: 'AzureADMultipleOrgs' });
});
after(async () => {
  await env.close();
});

/** A fresh app (own SQLite file) with these settings; returns the callback response, the instance and its browser. */
async function signInWith(options: InstanceOptions, signIn: { dueTokens?: boolean } = {}) {
  runs += 1;
  const web = await env.startInstance({ storeUrl: `sqlite:${join(env.dataDir, `run-${runs}.db`)}`, ...options });
  const browser = createBrowser(env, web);
  const { callback, authorizeUrl } = await browser.startSignIn('adele', '/tokens');
  web.issueDueTokens = signIn.dueTokens === true;
  const response = await browser.get(callback);
  web.issueDueTokens = false;
  return { web, browser, response, authorizeUrl, callback };
}

describe('multi-tenant authority (common) with a tenant allow-list', () => {
  it('substitutes tid into the {tenantid} issuer template and signs in', async () => {
    const { web, browser, response, authorizeUrl } = await signInWith({ env: { AZURE_TENANT_ID: 'common' } });
    try {
      assert.equal(authorizeUrl.pathname, '/common/oauth2/v2.0/authorize');
      assert.equal(response.status, 302, await response.clone().text());
      assert.equal(await sessionCount(web), 1);
      const html = await (await browser.get('/tokens')).text();
      assert.ok(html.includes(`iss is ${env.emulator.url}/${env.tenantId}/v2.0`));
    } finally {
      await web.close();
    }
  });

  it('accepts a tenant in ENTRA_ALLOWED_TENANTS', async () => {
    const { web, response } = await signInWith({ env: { AZURE_TENANT_ID: 'common', ENTRA_ALLOWED_TENANTS: `00000000-0000-4000-8000-000000000001, ${env.tenantId}` } });
    try {
      assert.equal(response.status, 302);
      assert.equal(await sessionCount(web), 1);
    } finally {
      await web.close();
    }
  });

  it('refuses a tenant that is not in ENTRA_ALLOWED_TENANTS, creating no session', async () => {
    const { web, response } = await signInWith({ env: { AZURE_TENANT_ID: 'common', ENTRA_ALLOWED_TENANTS: '00000000-0000-4000-8000-000000000001' } });
    try {
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('x-entrakit-error'), 'TOKEN_TENANT_NOT_ALLOWED');
      assert.equal(await sessionCount(web), 0);
    } finally {
      await web.close();
    }
  });
});

describe('logging', () => {
  it('never writes tokens, codes, state, secrets or cookies to the log, even at trace level', async () => {
    const { web, browser, response, callback } = await signInWith({ logLevel: 'trace' });
    try {
      assert.equal(response.status, 302);
      assert.equal((await browser.get('/tokens')).status, 200);
      assert.equal((await browser.get('/profile')).status, 200);
      const fault = await env.admin('POST', '/_admin/token-faults', { clientId: env.clientId, idToken: { signature: 'corrupt' }, count: 1 });
      assert.equal(fault.status, 201);
      const refused = await browser.startSignIn('adele');
      assert.equal((await browser.get(refused.callback)).status, 401);
    } finally {
      await web.close();
    }
    const log = web.logLines.join('');
    assert.ok(log.includes('"event":"sign-in.complete"'), 'the sign-in is logged');
    assert.ok(log.includes('"errorCode":"TOKEN_SIGNATURE_INVALID"'), 'the refusal is logged by code');
    const params = new URL(callback, 'http://x').searchParams;
    const secret = web.config.credential.kind === 'secret' ? web.config.credential.secret : '';
    for (const value of [params.get('code') ?? '', params.get('state') ?? '', secret, ...browser.cookies.values()]) {
      assert.ok(value.length > 10 && !log.includes(value), 'a secret value leaked into the log');
    }
    assert.ok(!log.includes('eyJ'), 'no JWT in the log');
  });
});

describe('tokens and sessions over time', () => {
  it('MSAL renews an access token silently with the refresh token, and the cache keeps the new one', async () => {
    // The sign-in's tokens arrive within MSAL's 5-minute renewal window, as if an hour had passed.
    const { web, browser, response } = await signInWith({}, { dueTokens: true });
    try {
      assert.equal(response.status, 302);
      const before = web.refreshRequests;
      const profile = await browser.get('/profile');
      assert.equal(profile.status, 200);
      assert.equal(web.refreshRequests, before + 1, 'the refresh token was redeemed silently');
      const [cacheKey] = await web.stores.kv.keys('ek:web:tokens:');
      assertEncryptedAtRest((await web.stores.kv.get(cacheKey ?? '')) ?? '', 'still encrypted after the refresh');
    } finally {
      await web.close();
    }
  });

  it('ends the session after SESSION_IDLE_MINUTES without requests, and after SESSION_ABSOLUTE_HOURS in any case', async () => {
    let now = Date.now();
    const clock = () => now;
    const { web, browser, response } = await signInWith({ clock, env: { SESSION_IDLE_MINUTES: '10', SESSION_ABSOLUTE_HOURS: '1' } });
    try {
      assert.equal(response.status, 302);
      now += 9 * 60_000;
      assert.equal((await browser.get('/trace')).status, 200, 'still active within the idle timeout');
      for (let i = 0; i < 5; i += 1) {
        now += 9 * 60_000;
        assert.equal((await browser.get('/trace')).status, 200);
      }
      now += 9 * 60_000; // 63 minutes after sign-in: past the absolute timeout although never idle
      const late = await browser.get('/trace');
      assert.equal(late.status, 302);
      assert.equal(late.headers.get('location'), '/auth/sign-in?returnTo=%2Ftrace');
      assert.equal(await sessionCount(web), 0);
    } finally {
      await web.close();
    }
  });

  it('an idle session is gone after the idle timeout', async () => {
    let now = Date.now();
    const { web, browser, response } = await signInWith({ clock: () => now, env: { SESSION_IDLE_MINUTES: '10' } });
    try {
      assert.equal(response.status, 302);
      now += 11 * 60_000;
      const late = await browser.get('/trace');
      assert.equal(late.status, 302);
      assert.equal(late.headers.get('location'), '/auth/sign-in?returnTo=%2Ftrace');
    } finally {
      await web.close();
    }
  });
});
