import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ConfidentialClientApplication, CryptoProvider, PublicClientApplication, type AuthenticationResult } from '@azure/msal-node';
import { graphTokenSigningForm } from '../../src/tokens/sign.ts';
import { ADELE_ID, TENANT_ID, createClientCertificate, registerTestApp, startTestEmulator, type TestEmulator } from '../grants/helpers.ts';

let t: TestEmulator;
before(async () => {
  t = await startTestEmulator();
});
after(() => t.close());

function msalClient(clientId: string, credential: { clientSecret: string } | { clientCertificate: { thumbprintSha256: string; privateKey: string } }): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId, authority: t.emulator.devJson.authority, knownAuthorities: [new URL(t.emulator.url).host], ...credential },
  });
}

/** Drives the emulator's real login form over HTTP, as a browser would, and returns the code. */
async function signInThroughLoginForm(authorizeUrl: string, username: string, password: string): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(page.status, 200, 'the login form');
  const html = await page.text();
  const field = (name: string): string => {
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    assert.ok(match?.[1], `hidden field ${name}`);
    return match[1];
  };
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action && html.includes('>Sign in</button>'));
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const posted = await fetch(new URL(action, t.emulator.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
    body: new URLSearchParams({ tx: field('tx'), csrf: field('csrf'), username, password }),
  });
  assert.equal(posted.status, 302, 'redirect back to the app');
  return new URL(posted.headers.get('location') ?? '');
}

describe('unmodified @azure/msal-node against the emulator', () => {
  test('client credentials for Graph and for the API', async () => {
    const { web, api } = t.emulator.devJson.apps;
    const cca = msalClient(web.clientId, { clientSecret: web.clientSecret });
    const graph = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.ok(graph);
    const graphClaims = await t.verify(graphTokenSigningForm(graph.accessToken), { issuer: t.v1Issuer, audience: 'https://graph.microsoft.com' });
    assert.deepEqual(graphClaims['roles'], ['Application.Read.All', 'Directory.Read.All', 'GroupMember.Read.All', 'User.Read.All']);
    assert.equal(graphClaims['appid'], web.clientId);

    const apiResult = await cca.acquireTokenByClientCredential({ scopes: [`api://${api.clientId}/.default`] });
    assert.ok(apiResult);
    const apiClaims = await t.verify(apiResult.accessToken, { issuer: t.v2Issuer, audience: api.clientId });
    assert.deepEqual(apiClaims['roles'], ['Api.Admin']);
    assert.equal(apiClaims['azp'], web.clientId);
    assert.equal(apiClaims['idtyp'], 'app');
  });

  test('authorization code + PKCE through the real login form, then silent refresh, then OBO to Storage', async () => {
    const { web, api } = t.emulator.devJson.apps;
    const adele = t.emulator.devJson.users.find((u) => u.username.startsWith('adele@'));
    assert.ok(adele);
    // The user's consent web -> api, granted directly in the directory (the consent page is not under test here).
    t.emulator.deps.directory.consents.grant(TENANT_ID, web.clientId, api.clientId, ADELE_ID, ['user_impersonation']);

    const cca = msalClient(web.clientId, { clientSecret: web.clientSecret });
    const pkce = await new CryptoProvider().generatePkceCodes();
    const state = webcrypto.randomUUID();
    const nonce = webcrypto.randomUUID();
    const authorizeUrl = await cca.getAuthCodeUrl({ scopes: [api.scope], redirectUri: web.redirectUri, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256', state, nonce });
    const callback = await signInThroughLoginForm(authorizeUrl, adele.username, adele.password);
    assert.equal(`${callback.origin}${callback.pathname}`, web.redirectUri);
    assert.equal(callback.searchParams.get('state'), state);
    const code = callback.searchParams.get('code');
    assert.ok(code);

    // MSAL checks state and the ID token's nonce itself.
    const signedIn: AuthenticationResult = await cca.acquireTokenByCode({ code, scopes: [api.scope], redirectUri: web.redirectUri, codeVerifier: pkce.verifier, state, nonce }, { code, state });
    assert.equal(signedIn.account?.homeAccountId, `${ADELE_ID}.${TENANT_ID}`);
    assert.equal(signedIn.idTokenClaims['nonce' as keyof object], nonce);
    assert.equal(signedIn.account?.username, adele.username);
    assert.deepEqual(signedIn.scopes, [api.scope]);
    const userToken = await t.verify(signedIn.accessToken, { issuer: t.v2Issuer, audience: api.clientId });
    assert.equal(userToken['scp'], 'user_impersonation');
    assert.equal(userToken['oid'], ADELE_ID);
    assert.equal(userToken['azp'], web.clientId);
    const idClaims = await t.verify(signedIn.idToken, { issuer: t.v2Issuer, audience: web.clientId });
    assert.equal(idClaims['nonce'], nonce);

    assert.ok(signedIn.account);
    const refreshed = await cca.acquireTokenSilent({ account: signedIn.account, scopes: [api.scope], forceRefresh: true });
    assert.notEqual(refreshed.accessToken, signedIn.accessToken);
    assert.equal((await t.verify(refreshed.accessToken, { issuer: t.v2Issuer, audience: api.clientId }))['oid'], ADELE_ID);
    // The same refresh token family serves Graph too (consented by admin).
    const graph = await cca.acquireTokenSilent({ account: signedIn.account, scopes: ['User.Read'] });
    const graphClaims = await t.verify(graphTokenSigningForm(graph.accessToken), { issuer: t.v1Issuer, audience: '00000003-0000-0000-c000-000000000000' });
    assert.equal(graphClaims['scp'], 'User.Read User.RevokeSessions.All openid profile email', 'every scope granted to the web app on Graph (additive)');

    const apiApp = msalClient(api.clientId, { clientSecret: api.clientSecret });
    const obo = await apiApp.acquireTokenOnBehalfOf({ oboAssertion: refreshed.accessToken, scopes: ['https://storage.azure.com/user_impersonation'] });
    assert.ok(obo);
    const storage = await t.verify(obo.accessToken, { issuer: t.v1Issuer, audience: 'https://storage.azure.com' });
    assert.equal(storage['oid'], ADELE_ID);
    assert.equal(storage['appid'], api.clientId);
    assert.equal(storage['scp'], 'user_impersonation');
    assert.equal(storage['ver'], '1.0');
  });

  test('certificate credentials (private_key_jwt, PS256 + x5t#S256); MSAL re-sends its cached assertion, accepted as Entra does', async () => {
    const { der, privateKeyPem: privateKey, keyCredential } = await createClientCertificate();
    const { app } = registerTestApp(t.emulator, { keyCredentials: [keyCredential] });
    const cca = msalClient(app.appId, { clientCertificate: { thumbprintSha256: createHash('sha256').update(der).digest('hex'), privateKey } });
    for (let i = 0; i < 2; i++) {
      const result = await cca.acquireTokenByClientCredential({ scopes: ['https://storage.azure.com/.default'], skipCache: true });
      assert.ok(result);
      const claims = await t.verify(result.accessToken, { issuer: t.v1Issuer, audience: 'https://storage.azure.com' });
      assert.equal(claims['appidacr'], '2');
      assert.equal(claims['appid'], app.appId);
    }
  });

  test('ENTRAKIT_EMULATOR_ASSERTION_REPLAY=reject makes a jti strictly single use: the re-sent assertion is refused with 700027', async () => {
    process.env['ENTRAKIT_EMULATOR_ASSERTION_REPLAY'] = 'reject';
    const lenient = await startTestEmulator().finally(() => delete process.env['ENTRAKIT_EMULATOR_ASSERTION_REPLAY']);
    try {
      const { der, privateKeyPem: privateKey, keyCredential } = await createClientCertificate();
      const { app } = registerTestApp(lenient.emulator, { keyCredentials: [keyCredential] });
      const cca = new ConfidentialClientApplication({
        auth: {
          clientId: app.appId,
          authority: lenient.emulator.devJson.authority,
          knownAuthorities: [new URL(lenient.emulator.url).host],
          clientCertificate: { thumbprint: createHash('sha1').update(der).digest('hex'), privateKey },
        },
      });
      const first = await cca.acquireTokenByClientCredential({ scopes: ['https://storage.azure.com/.default'], skipCache: true });
      assert.ok(first);
      assert.equal((await lenient.verify(first.accessToken, { issuer: lenient.v1Issuer, audience: 'https://storage.azure.com' }))['appidacr'], '2');
      await assert.rejects(cca.acquireTokenByClientCredential({ scopes: ['https://storage.azure.com/.default'], skipCache: true }), (error: { errorCode?: string; errorMessage?: string }) => {
        assert.equal(error.errorCode, 'invalid_client');
        assert.match(error.errorMessage ?? '', /AADSTS700027/);
        return true;
      });
    } finally {
      await lenient.close();
    }
  });

  test('public client on a loopback redirect (RFC 8252): acquireTokenInteractive on an ephemeral localhost port', async () => {
    const { app } = registerTestApp(t.emulator, { web: { redirectUris: [], logoutUrl: null }, publicClient: { redirectUris: ['http://localhost'] } });
    t.emulator.deps.directory.consents.grant(TENANT_ID, app.appId, '00000003-0000-0000-c000-000000000000', '', ['User.Read', 'openid', 'profile', 'offline_access']);
    const pca = new PublicClientApplication({ auth: { clientId: app.appId, authority: t.emulator.devJson.authority, knownAuthorities: [new URL(t.emulator.url).host] } });
    const adele = t.emulator.devJson.users.find((u) => u.username.startsWith('adele@'));
    assert.ok(adele);
    let delivered: URL | undefined;
    const result = await pca.acquireTokenInteractive({
      scopes: ['User.Read'],
      // The "browser": the real login form over HTTP, then the response delivered to MSAL's loopback listener.
      openBrowser: async (url) => {
        delivered = await signInAndDeliver(url, adele.username, adele.password);
      },
      successTemplate: 'signed in',
      errorTemplate: 'failed',
    });
    assert.ok(delivered);
    assert.equal(delivered.hostname, 'localhost');
    assert.match(delivered.port, /^\d+$/, 'an ephemeral port, not the registered http://localhost');
    assert.equal(result.account?.username, adele.username);
    // Bare Graph scope names give the Graph appId as audience, as Entra does.
    const claims = await t.verify(graphTokenSigningForm(result.accessToken), { issuer: t.v1Issuer, audience: '00000003-0000-0000-c000-000000000000' });
    assert.equal(claims['appidacr'], '0');
    assert.equal(claims['appid'], app.appId);
  });
});

/** Like a browser: the login form, then the authorization response to the app (a redirect or an auto-posted form). */
async function signInAndDeliver(authorizeUrl: string, username: string, password: string): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  const field = (text: string, name: string): string => new RegExp(`name="${name}" value="([^"]*)"`).exec(text)?.[1] ?? '';
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const posted = await fetch(new URL(action, t.emulator.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
    body: new URLSearchParams({ tx: field(html, 'tx'), csrf: field(html, 'csrf'), username, password }),
  });
  if (posted.status === 302) {
    const location = new URL(posted.headers.get('location') ?? '');
    await (await fetch(location)).text();
    return location;
  }
  // response_mode=form_post: post the hidden fields to the form's action, as the page's script does.
  const form = await posted.text();
  assert.equal(posted.status, 200);
  const target = new URL((/<form method="post" action="([^"]+)"/.exec(form)?.[1] ?? '').replace(/&amp;/g, '&'));
  const fields = new URLSearchParams();
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields.set(match[1]!, match[2]!.replace(/&amp;/g, '&'));
  assert.ok(fields.get('code'), 'the form carries the code');
  await (await fetch(target, { method: 'POST', body: fields })).text();
  return target;
}
