import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createAppLogger } from '../../shared/logger.ts';
import { IDP_TENANT_ID, startTestIdp } from './helpers/test-idp.ts';
import type { TestIdp } from './helpers/test-idp.ts';
import { assertEncryptedAtRest, startWebHarness } from './helpers/web-harness.ts';
import type { HarnessOptions } from './helpers/web-harness.ts';

let dataDir: string;
let idp: TestIdp;
let runs = 0;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'entrakit-web-mt-'));
  idp = await startTestIdp(dataDir);
});
after(async () => {
  await idp.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A fresh app (own SQLite file) with these settings; returns the callback response and the harness. */
async function signInWith(options: HarnessOptions) {
  runs += 1;
  const web = await startWebHarness(idp, join(dataDir, `run-${runs}`), options);
  const { callback, authorizeUrl } = await web.startSignIn('/tokens');
  const response = await web.browser.get(callback);
  return { web, response, authorizeUrl, callback };
}

describe('multi-tenant authority (common) with a tenant allow-list', () => {
  it('substitutes tid into the {tenantid} issuer template and signs in', async () => {
    const { web, response, authorizeUrl } = await signInWith({ env: { ENTRA_TENANT_ID: 'common' } });
    try {
      assert.equal(authorizeUrl.pathname, '/common/oauth2/v2.0/authorize');
      assert.equal(response.status, 302);
      assert.equal(await web.sessionCount(), 1);
      const html = await (await web.browser.get('/tokens')).text();
      assert.ok(html.includes(`iss is ${idp.url}/${IDP_TENANT_ID}/v2.0`));
    } finally {
      await web.close();
    }
  });

  it('accepts a tenant in ENTRA_ALLOWED_TENANTS', async () => {
    const { web, response } = await signInWith({ env: { ENTRA_TENANT_ID: 'common', ENTRA_ALLOWED_TENANTS: `00000000-0000-4000-8000-000000000001, ${IDP_TENANT_ID}` } });
    try {
      assert.equal(response.status, 302);
      assert.equal(await web.sessionCount(), 1);
    } finally {
      await web.close();
    }
  });

  it('refuses a tenant that is not in ENTRA_ALLOWED_TENANTS, creating no session', async () => {
    const { web, response } = await signInWith({ env: { ENTRA_TENANT_ID: 'common', ENTRA_ALLOWED_TENANTS: '00000000-0000-4000-8000-000000000001' } });
    try {
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('x-entrakit-error'), 'TOKEN_TENANT_NOT_ALLOWED');
      assert.equal(await web.sessionCount(), 0);
    } finally {
      await web.close();
    }
  });
});

describe('logging', () => {
  it('never writes tokens, codes, state, secrets or cookies to the log, even at debug level', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createAppLogger({ level: 'trace', destination });
    const { web, response, callback } = await signInWith({ logger });
    try {
      assert.equal(response.status, 302);
      await web.browser.get('/tokens');
      await web.browser.get('/profile');
      idp.idTokenMode = 'bad-signature';
      const refused = await web.startSignIn();
      assert.equal((await web.browser.get(refused.callback)).status, 401);
    } finally {
      idp.idTokenMode = 'valid';
      await web.close();
    }
    const log = lines.join('');
    assert.ok(log.includes('"event":"sign-in.complete"'), 'the sign-in is logged');
    assert.ok(log.includes('"errorCode":"TOKEN_SIGNATURE_INVALID"'), 'the refusal is logged by code');
    const params = new URL(callback, 'http://x').searchParams;
    for (const secret of [params.get('code') ?? '', params.get('state') ?? '', idp.clientSecret, ...web.browser.cookies.values()]) {
      assert.ok(secret.length > 10 && !log.includes(secret), 'a secret value leaked into the log');
    }
    assert.ok(!log.includes('eyJ'), 'no JWT in the log');
  });
});

describe('tokens and sessions over time', () => {
  it('MSAL renews an access token silently with the refresh token, and the cache keeps the new one', async () => {
    idp.accessTokenLifetimeSec = 120;
    const { web, response } = await signInWith({});
    try {
      assert.equal(response.status, 302);
      const before = idp.refreshRequests;
      const profile = await web.browser.get('/profile');
      assert.equal(profile.status, 200);
      assert.equal(idp.refreshRequests, before + 1, 'the refresh token was redeemed silently');
      const [cacheKey] = await web.stores.kv.keys('web:tokencache:');
      assertEncryptedAtRest((await web.stores.kv.get(cacheKey ?? '')) ?? '', 'still encrypted after the refresh');
    } finally {
      idp.accessTokenLifetimeSec = 3600;
      await web.close();
    }
  });

  it('ends the session after SESSION_IDLE_MINUTES without requests, and after SESSION_ABSOLUTE_HOURS in any case', async () => {
    let now = Date.now();
    const clock = () => now;
    const { web, response } = await signInWith({ clock, env: { SESSION_IDLE_MINUTES: '10', SESSION_ABSOLUTE_HOURS: '1' } });
    try {
      assert.equal(response.status, 302);
      now += 9 * 60_000;
      assert.equal((await web.browser.get('/trace')).status, 200, 'still active within the idle timeout');
      for (let i = 0; i < 5; i += 1) {
        now += 9 * 60_000;
        assert.equal((await web.browser.get('/trace')).status, 200);
      }
      now += 9 * 60_000; // 63 minutes after sign-in: past the absolute timeout although never idle
      const late = await web.browser.get('/trace');
      assert.equal(late.status, 302);
      assert.equal(late.headers.get('location'), '/auth/sign-in?returnTo=%2Ftrace');
      assert.equal(await web.sessionCount(), 0);
    } finally {
      await web.close();
    }
  });

  it('an idle session is gone after the idle timeout', async () => {
    let now = Date.now();
    const { web, response } = await signInWith({ clock: () => now, env: { SESSION_IDLE_MINUTES: '10' } });
    try {
      assert.equal(response.status, 302);
      now += 11 * 60_000;
      assert.equal((await web.browser.get('/trace')).status, 302);
    } finally {
      await web.close();
    }
  });
});
