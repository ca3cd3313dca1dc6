/**
 * The reference app with a certificate instead of a secret: AZURE_CLIENT_CERTIFICATE_PATH names
 * one PEM (key and certificate, 0600) whose certificate is registered on the app in the emulator.
 * The app hands that file to entrakit/web as it is, signs a user in with client assertions only,
 * and its tokens say a certificate authenticated the app.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createClientCertificate } from '../../../packages/emulator/test/grants/helpers.ts';
import { createBrowser, sessionCount, startEmulatorWeb } from './helpers/emulator-web.ts';
import type { EmulatorWeb } from './helpers/emulator-web.ts';

let env: EmulatorWeb;
let pem: string;
before(async () => {
  env = await startEmulatorWeb();
  const { der, privateKeyPem, keyCredential } = await createClientCertificate();
  pem = join(env.dataDir, 'web-client.pem');
  await writeFile(pem, `${privateKeyPem.trim()}\n${new X509Certificate(der).toString().trim()}\n`, { mode: 0o600 });
  // Uploaded to the app registration, stored as Graph's PATCH /applications keyCredentials stores it.
  const { directory } = env.emulator.deps;
  const { app } = directory.findApplicationByClientId(env.clientId)!;
  directory.objects.update('application', app.appId, { ...structuredClone(app), keyCredentials: [keyCredential] });
});
after(() => env?.close());

describe('the web app with AZURE_CLIENT_CERTIFICATE_PATH', () => {
  it('signs in with client assertions, sends no secret, and its tokens carry a certificate-authenticated client', async () => {
    const forms: URLSearchParams[] = [];
    const web = await env.startInstance({
      // The helper's secret is unset (an empty value counts as unset): the certificate is the only credential.
      env: { AZURE_CLIENT_SECRET: '', AZURE_CLIENT_CERTIFICATE_PATH: pem },
      wrapFetch: (inner) => async (input, init) => {
        if (init?.method === 'POST' && typeof init.body === 'string') forms.push(new URLSearchParams(init.body));
        return inner(input, init);
      },
    });
    try {
      assert.equal(web.config.credential.kind, 'certificate');
      await assert.rejects(access(join(env.dataDir, 'web', 'web', 'client-certificate.pem')), 'the one PEM is used as it is, not copied');
      const browser = createBrowser(env, web);
      const { callback } = await browser.startSignIn('adele', '/tokens');
      const response = await browser.get(callback);
      assert.equal(response.status, 302, await response.clone().text());
      assert.equal(await sessionCount(web), 1);

      const tokenForms = forms.filter((form) => form.has('grant_type'));
      assert.ok(tokenForms.some((form) => form.get('grant_type') === 'authorization_code'));
      for (const form of tokenForms) {
        assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        assert.match(form.get('client_assertion') ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
        assert.equal(form.has('client_secret'), false);
      }
      const [first] = web.accessTokens;
      assert.ok(first, 'the token endpoint answered an access token');
      const claims = decodeJwt(first.token);
      // v1 tokens say appidacr, v2 tokens azpacr: 2 is a certificate (1 a secret).
      assert.equal(claims['appidacr'] ?? claims['azpacr'], '2');
    } finally {
      await web.close();
    }
  });
});
