/**
 * createWebAuth with a certificate credential (AZURE_CLIENT_CERTIFICATE_PATH: one PEM, key and
 * certificate, 0600) against the real emulator over HTTPS: MSAL signs a client assertion
 * (private_key_jwt) for the code redemption and for Graph tokens, and sends no secret. A
 * certificate the app does not have registered is refused by the identity provider (AADSTS700027)
 * and the sign-in ends on the library's error, saying what to fix.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { decodeJwt } from 'jose';
import { startTestEmulator } from '../../../emulator/test/helpers/emulator.ts';
import { createClientCertificate } from '../../../emulator/test/grants/helpers.ts';
import type { RunningEmulator } from '../../../emulator/src/server.ts';
import { createWebAuth } from '../../src/web/index.ts';
import type { CreatedWebAuth, WebAuthEvents } from '../../src/web/index.ts';
import type { EntrakitError } from '../../src/core/errors.ts';
import { createTestBrowser } from './helpers/browser.ts';
import type { DemoUser } from './helpers/browser.ts';
import { APP_ORIGIN } from './helpers/demo-app.ts';

type HttpCall = WebAuthEvents['http-call'] & { type: 'http-call' };

/** A PEM file holding the private key and the certificate, owner-only, as AZURE_CLIENT_CERTIFICATE_PATH names it. */
async function certificateFile(dir: string, name: string): Promise<{ path: string; keyCredential: Awaited<ReturnType<typeof createClientCertificate>>['keyCredential'] }> {
  const { der, privateKeyPem, keyCredential } = await createClientCertificate();
  const path = join(dir, name);
  await writeFile(path, `${privateKeyPem.trim()}\n${new X509Certificate(der).toString().trim()}\n`, { mode: 0o600 });
  return { path, keyCredential };
}

describe('createWebAuth with AZURE_CLIENT_CERTIFICATE_PATH', { timeout: 120_000 }, () => {
  let emulator: RunningEmulator & { cleanup(): Promise<void> };
  let dir: string;
  let registered: string;
  let unregistered: string;
  const started: CreatedWebAuth[] = [];

  before(async () => {
    emulator = await startTestEmulator();
    dir = await mkdtemp(join(tmpdir(), 'entrakit-web-certificate-'));
    const good = await certificateFile(dir, 'registered.pem');
    registered = good.path;
    unregistered = (await certificateFile(dir, 'unregistered.pem')).path;
    // The certificate uploaded to the demo web app, stored as Graph's PATCH /applications keyCredentials stores it.
    const { directory } = emulator.deps;
    const { app } = directory.findApplicationByClientId(emulator.devJson.apps.web.clientId)!;
    directory.objects.update('application', app.appId, { ...structuredClone(app), keyCredentials: [good.keyCredential] });
  });
  after(async () => {
    for (const entra of started) await entra.close();
    await emulator?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** The demo app signed in through the environment's names only, with the certificate at `path`. */
  function appWith(path: string) {
    const web = emulator.devJson.apps.web;
    const env = { AZURE_TENANT_ID: emulator.devJson.tenantId, AZURE_CLIENT_ID: web.clientId, AZURE_CLIENT_CERTIFICATE_PATH: path, AZURE_AUTHORITY_HOST: emulator.url, ENTRAKIT_BASE_URL: APP_ORIGIN };
    const errors: EntrakitError[] = [];
    const entra = createWebAuth({
      env,
      errorPage: (error) => {
        errors.push(error);
        return new Response(`sign-in failed: ${error.code}`, { status: error.status });
      },
    });
    started.push(entra);
    const calls: HttpCall[] = [];
    const failures: Array<WebAuthEvents['sign-in-failed']> = [];
    entra.on('http-call', (event) => calls.push(event));
    entra.on('sign-in-failed', (event) => failures.push(event));
    const app = new Hono();
    app.use(entra.hono());
    app.get('/graph-token', entra.requireSignIn(), async (c) => {
      const token = await entra.getAccessToken(c, ['User.Read']);
      const me = (await (await entra.graph(c, '/me')).json()) as { displayName?: string };
      return c.json({ claims: decodeJwt(token), displayName: me.displayName });
    });
    const browser = createTestBrowser(async (request) => app.fetch(request), APP_ORIGIN, emulator.url);
    return { browser, calls, failures, errors };
  }

  const adele = (): DemoUser => emulator.devJson.users.find((u) => u.username.startsWith('adele@'))!;
  const tokenCalls = (calls: HttpCall[]) => calls.filter((call) => call.kind === 'token');
  const fieldNames = (call: HttpCall) => (call.request ?? []).map((field) => field.name);

  it('signs in and gets a Graph token with a client assertion signed by the registered certificate, never a secret', async () => {
    assert.equal((await stat(registered)).mode & 0o777, 0o600);
    const { browser, calls } = appWith(registered);
    const answer = await browser.visit('/graph-token', adele());
    assert.equal(answer.status, 200, await answer.clone().text());
    const { claims, displayName } = (await answer.json()) as { claims: Record<string, unknown>; displayName: string };
    assert.equal(displayName, 'Adele Vance');
    assert.ok(['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'].includes(String(claims['aud'])), 'a Graph token');
    assert.equal(claims['appid'], emulator.devJson.apps.web.clientId);
    assert.equal(claims['appidacr'], '2', 'the identity provider saw a certificate credential (2), not a secret (1)');

    const redemptions = tokenCalls(calls);
    assert.ok(redemptions.some((call) => call.request?.some((field) => field.name === 'grant_type' && field.value === 'authorization_code')), 'the code was redeemed at the token endpoint');
    for (const call of redemptions) {
      assert.equal(call.status, 200);
      const names = fieldNames(call);
      assert.ok(names.includes('client_assertion') && names.includes('client_assertion_type'), names.join(', '));
      assert.ok(!names.includes('client_secret'), 'no client_secret is sent');
      const type = call.request!.find((field) => field.name === 'client_assertion_type')!.value;
      assert.equal(type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    }
  });

  it('a certificate the app does not have registered: refused with AADSTS700027, the sign-in ends on the library error that says so', async () => {
    const { browser, calls, failures, errors } = appWith(unregistered);
    const answer = await browser.visit('/graph-token', adele());
    assert.equal(answer.status, 400);
    assert.equal(await answer.text(), 'sign-in failed: SIGNIN_CODE_REDEMPTION_FAILED');
    const [redemption] = tokenCalls(calls);
    assert.equal(redemption?.status, 401);
    assert.ok(fieldNames(redemption!).includes('client_assertion'));
    assert.equal(failures.at(-1)?.code, 'SIGNIN_CODE_REDEMPTION_FAILED');
    const error = errors.at(-1)!;
    assert.equal(error.details?.['error'], 'invalid_client');
    assert.equal(error.details?.['aadsts'], '700027');
    assert.match(String(error.details?.['errorDescription']), /AADSTS700027: /);
    assert.match(error.message, /^The token endpoint answered invalid_client \(AADSTS700027\): .*certificate in AZURE_CLIENT_CERTIFICATE_PATH is not one uploaded to the app registration/);
  });
});
