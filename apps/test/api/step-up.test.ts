/**
 * DELETE /api/story demands authentication context c1 (the demo tenant's "requires MFA"): the
 * bearer policy's exact claims challenge for a password-only token, then 200 with the token the
 * emulator issues after the second factor (acrs ["c1"]), end to end with MSAL, OBO and Azurite.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { after, before, describe, it } from 'node:test';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { ensureLocalTls } from '../../../packages/emulator/src/tls/local-ca.ts';
import { startApi } from '../../api/server.ts';
import type { RunningApi } from '../../api/server.ts';
import { azuriteBlobScript, startStorage } from '../../storage/index.ts';
import type { RunningStorage } from '../../storage/index.ts';
import { startApiTestEnv } from './helpers/api-test-env.ts';
import type { ApiTestEnv } from './helpers/api-test-env.ts';
import { authorizeWithMsal } from './helpers/step-up-sign-in.ts';
import { emulatorBrowser } from '../helpers/emulator-browser.ts';

const NO_AZURITE = azuriteBlobScript() === undefined ? 'Azurite is not installed: run npm install' : false;
const C1_CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';

describe('DELETE /api/story: step-up to authentication context c1', { skip: NO_AZURITE, timeout: 120_000 }, () => {
  let env: ApiTestEnv;
  let api: RunningApi;
  let storage: RunningStorage;

  before(async () => {
    env = await startApiTestEnv();
    env.emulator.deps.directory.consents.grant(env.tenantId, env.webClientId, env.apiClientId, env.oid('megan'), ['user_impersonation']);
    storage = await startStorage({ dataDir: env.dataDir, tls: await ensureLocalTls(env.dataDir), users: [{ oid: env.oid('megan'), displayName: env.user('megan').displayName }], port: 0 });
    api = await startApi({ env: {}, dataDir: env.dataDir, port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await api?.close();
    await storage?.close();
    await env?.stop();
  });

  it('401 insufficient_claims with the c1 claims challenge without the context; after the second factor the acrs token deletes (200), then 404', async () => {
    const { devJson, url } = env.emulator;
    const msal = new ConfidentialClientApplication({
      auth: { clientId: devJson.apps.web.clientId, clientSecret: devJson.apps.web.clientSecret, authority: devJson.authority, knownAuthorities: [new URL(url).host], clientCapabilities: ['CP1'] },
    });
    const browser = emulatorBrowser();
    const scopes = [devJson.apps.api.scope];
    const plain = await authorizeWithMsal(env, msal, browser, 'megan', { scopes });
    assert.deepEqual(plain.asked, { password: true, secondFactor: false });
    const call = (method: string, token: string) => fetch(`${api.url}/api/story`, { method, headers: { authorization: `Bearer ${token}` } });

    const refused = await call('DELETE', plain.result.accessToken);
    assert.equal(refused.status, 401);
    const claims = Buffer.from(C1_CLAIMS).toString('base64');
    assert.equal(refused.headers.get('www-authenticate'), `Bearer realm="entrakit-api", authorization_uri="${url}/${env.tenantId}/oauth2/v2.0/authorize", error="insufficient_claims", claims="${claims}"`);
    assert.deepEqual(await refused.json(), { error: 'insufficient_claims', error_description: 'This resource requires the authentication context c1; acquire a new token with the claims challenge' });
    assert.equal((await call('GET', plain.result.accessToken)).status, 200, 'reading needs no step-up');

    // The client answers the challenge: the decoded claims go to /authorize; the SSO session has
    // only a password, so the emulator asks for the second factor (and not the password).
    const decoded = Buffer.from(/claims="([^"]+)"/.exec(refused.headers.get('www-authenticate') ?? '')?.[1] ?? '', 'base64').toString('utf8');
    assert.equal(decoded, C1_CLAIMS);
    const stepped = await authorizeWithMsal(env, msal, browser, 'megan', { scopes, claims: decoded });
    assert.deepEqual(stepped.asked, { password: false, secondFactor: true });
    const acrs = JSON.parse(Buffer.from(stepped.result.accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(acrs['acrs'], ['c1']);

    const deleted = await call('DELETE', stepped.result.accessToken);
    assert.equal(deleted.status, 200);
    assert.deepEqual(await deleted.json(), { oid: env.oid('megan'), deleted: true });
    assert.equal((await call('GET', stepped.result.accessToken)).status, 404);
    assert.equal((await call('DELETE', stepped.result.accessToken)).status, 404);
  });
});
