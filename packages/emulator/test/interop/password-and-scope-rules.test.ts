/**
 * Unmodified clients against Entra's password grant and scope rules: MSAL Node, @azure/identity
 * and MSAL Python (which asks /common/userrealm first). Only the authority and instance discovery
 * differ from a real tenant.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfidentialClientApplication, PublicClientApplication } from '@azure/msal-node';
import { DeviceCodeCredential, UsernamePasswordCredential, type DeviceCodeInfo } from '@azure/identity';
import { newApplication } from '../../src/directory/new-application.ts';
import { addClientSecret, registerApplication } from '../../src/directory/registration.ts';
import { GRAPH_APP_ID } from '../../src/protocol/microsoft-resources.ts';
import { CookieBrowser, completeOnVerificationPage, registerPublicClient } from '../device-code/device-helpers.ts';
import { startInteropEnv, type InteropEnv } from './interop-env.ts';
import { findPythonWithMsal, runMsalPython } from './python-runner.ts';

const python = findPythonWithMsal();

describe('password grant and scope rules with unmodified clients', { timeout: 120_000 }, () => {
  let env: InteropEnv;
  let host: string;
  before(async () => {
    env = await startInteropEnv();
    host = new URL(env.emulator.url).host;
  });
  after(() => env.close());

  function msalPublic(clientId: string): PublicClientApplication {
    return new PublicClientApplication({ auth: { clientId, authority: env.authority, knownAuthorities: [host] } });
  }

  /** An API that exposes `access_as_user`; its admin consent on Graph lists only User.Read. */
  function registerApiWithUserReadOnly(): { appId: string; secret: string; scope: string } {
    const appId = randomUUID();
    const scope = { id: randomUUID(), value: 'access_as_user', type: 'User' as const, adminConsentDisplayName: 'Access', adminConsentDescription: 'Access', userConsentDisplayName: 'Access', userConsentDescription: 'Access', isEnabled: true };
    const app = newApplication({ appId, displayName: 'OBO middle tier', identifierUris: [`api://${appId}`], api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [scope] } });
    const directory = env.emulator.deps.directory;
    registerApplication(directory, env.tenantId, app);
    directory.consents.grant(env.tenantId, appId, GRAPH_APP_ID, '', ['User.Read']);
    // The Azure CLI (public client) may call it for every user.
    directory.consents.grant(env.tenantId, env.emulator.devJson.apps.cli!.clientId, appId, '', ['access_as_user']);
    return { appId, secret: addClientSecret(directory, app, 'test', Date.now()), scope: `api://${appId}/access_as_user` };
  }

  it('MSAL Node acquireTokenByUsernamePassword: public (Azure CLI) and confidential (web app with its secret)', async () => {
    const adele = env.user('adele');
    const cli = env.emulator.devJson.apps.cli!;
    const result = await msalPublic(cli.clientId).acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: adele.username, password: adele.password });
    assert.ok(result);
    assert.equal(result.account?.username, adele.username);
    const claims = await env.verifyGraph(result.accessToken);
    assert.equal(claims['appid'], cli.clientId);
    assert.deepEqual(claims['amr'], ['pwd']);

    const web = env.emulator.devJson.apps.web;
    const cca = new ConfidentialClientApplication({ auth: { clientId: web.clientId, clientSecret: web.clientSecret, authority: env.authority, knownAuthorities: [host] } });
    const confidential = await cca.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: adele.username, password: adele.password });
    assert.equal((await env.verifyGraph(confidential!.accessToken))['appidacr'], '1');

    await assert.rejects(
      msalPublic(cli.clientId).acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: adele.username, password: 'wrong-password' }),
      (error: { errorCode?: string; errorMessage?: string }) => error.errorCode === 'invalid_grant' && /AADSTS50126/.test(error.errorMessage ?? ''),
    );
  });

  it('@azure/identity UsernamePasswordCredential', async () => {
    const alex = env.user('alex');
    const credential = new UsernamePasswordCredential(env.tenantId, env.emulator.devJson.apps.cli!.clientId, alex.username, alex.password, { authorityHost: env.emulator.url, disableInstanceDiscovery: true });
    const token = await credential.getToken('https://graph.microsoft.com/User.Read');
    const claims = await env.verifyGraph(token.token, 'https://graph.microsoft.com');
    assert.equal(claims['upn'], alex.username);
  });

  it('MSAL Python acquire_token_by_username_password (after /common/userrealm): public and confidential', { skip: python ? false : 'python3-msal not installed' }, async () => {
    const adele = env.user('adele');
    const realm = (await (await fetch(`${env.emulator.url}/common/userrealm/${encodeURIComponent(adele.username)}?api-version=1.0`)).json()) as Record<string, string>;
    assert.equal(realm['account_type'], 'Managed');
    assert.equal(realm['domain_name'], adele.username.split('@')[1]);
    const before = env.emulator.deps.requestLog.list({ endpoint: 'token' }).length;
    const vars = { AUTHORITY: env.authority, REQUESTS_CA_BUNDLE: env.emulator.caFile, USERNAME: adele.username, PASSWORD: adele.password, SCOPES: 'User.Read' };
    const publicRun = await runMsalPython(python!, 'password', { ...vars, CLIENT_ID: env.emulator.devJson.apps.cli!.clientId });
    const publicResult = publicRun['result'] as { access_token?: string; error?: string; error_description?: string };
    assert.ok(publicResult.access_token, `${publicResult.error}: ${publicResult.error_description}`);
    assert.equal((await env.verifyGraph(publicResult.access_token))['upn'], adele.username);
    const web = env.emulator.devJson.apps.web;
    const confidentialRun = await runMsalPython(python!, 'password', { ...vars, CLIENT_ID: web.clientId, CLIENT_SECRET: web.clientSecret });
    const confidential = confidentialRun['result'] as { access_token?: string; error?: string };
    assert.ok(confidential.access_token, confidential.error);
    assert.equal((await env.verifyGraph(confidential.access_token))['appidacr'], '1');
    assert.equal(env.emulator.deps.requestLog.list({ endpoint: 'token' }).length - before, 2, 'two password grants');
  });

  it("On-Behalf-Of with MSAL's default scopes (openid profile offline_access) when the API's consent lists only User.Read: MSAL Node and MSAL Python", async () => {
    const middle = registerApiWithUserReadOnly();
    const adele = env.user('adele');
    const incoming = await msalPublic(env.emulator.devJson.apps.cli!.clientId).acquireTokenByUsernamePassword({ scopes: [middle.scope], username: adele.username, password: adele.password });
    assert.equal((await env.verify(incoming!.accessToken, { issuer: env.v2Issuer, audience: middle.appId }))['scp'], 'access_as_user');

    const cca = new ConfidentialClientApplication({ auth: { clientId: middle.appId, clientSecret: middle.secret, authority: env.authority, knownAuthorities: [host] } });
    const obo = await cca.acquireTokenOnBehalfOf({ oboAssertion: incoming!.accessToken, scopes: ['User.Read'] });
    const graph = await env.verifyGraph(obo!.accessToken);
    assert.equal(graph['appid'], middle.appId);
    assert.equal(String(graph['scp']).split(' ')[0], 'User.Read');

    if (python) {
      const run = await runMsalPython(python, 'on_behalf_of', { AUTHORITY: env.authority, REQUESTS_CA_BUNDLE: env.emulator.caFile, CLIENT_ID: middle.appId, CLIENT_SECRET: middle.secret, ASSERTION: incoming!.accessToken, SCOPES: 'User.Read' });
      const result = run['result'] as { access_token?: string; error?: string; error_description?: string };
      assert.ok(result.access_token, `${result.error}: ${result.error_description}`);
      assert.equal((await env.verifyGraph(result.access_token))['oid'], (await env.verifyGraph(obo!.accessToken))['oid']);
    }
  });

  it('DeviceCodeCredential on a first run, for an app with no configured permissions: consent on the page, then the token', async () => {
    const clientId = registerPublicClient(env.emulator, `first-run-${randomUUID()}`);
    let completed: Promise<unknown> | undefined;
    let shown: DeviceCodeInfo | undefined;
    const credential = new DeviceCodeCredential({
      tenantId: env.tenantId,
      clientId,
      authorityHost: env.emulator.url,
      disableInstanceDiscovery: true,
      userPromptCallback: (info) => {
        shown = info;
        completed = completeOnVerificationPage(new CookieBrowser(env.emulator.url), info.verificationUri, info.userCode, env.user('megan'));
      },
    });
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    const page = await completed;
    assert.ok(shown && page);
    const claims = await env.verifyGraph(token.token, 'https://graph.microsoft.com');
    assert.equal(claims['appid'], clientId);
    assert.deepEqual(String(claims['scp']).split(' ').sort(), ['openid', 'profile']);
  });

  it('a raw admin script: the Azure CLI client asks for Application.ReadWrite.All through the login page, then GET /me works with the same token', async () => {
    const cli = env.emulator.devJson.apps.cli!;
    const admin = env.emulator.devJson.admin!;
    const verifier = randomUUID() + randomUUID();
    const { createHash } = await import('node:crypto');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = 'http://localhost:8400';
    const authorize = new URL(`${env.authority}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({ client_id: cli.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'https://graph.microsoft.com/Application.ReadWrite.All offline_access', code_challenge: challenge, code_challenge_method: 'S256', login_hint: admin.username }).toString();
    // The admin signs in on the page (env.signIn types the demo user's password; here the admin's).
    const page = await fetch(authorize, { redirect: 'manual' });
    const html = await page.text();
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
    const posted = await fetch(new URL(action.replace(/&amp;/g, '&'), env.emulator.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ tx: field('tx'), csrf: field('csrf'), username: admin.username, password: admin.password }),
    });
    const code = new URL(posted.headers.get('location') ?? '').searchParams.get('code');
    assert.ok(code, `no code: ${posted.status} ${posted.headers.get('location')}`);
    const token = await fetch(`${env.authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cli.clientId, code, redirect_uri: redirectUri, code_verifier: verifier }),
    });
    const body = (await token.json()) as { access_token?: string; scope?: string; error_description?: string };
    assert.ok(body.access_token, body.error_description);
    const me = await fetch(`${env.emulator.devJson.graphBaseUrl}/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { userPrincipalName: string }).userPrincipalName, admin.username);
    const apps = await fetch(`${env.emulator.devJson.graphBaseUrl}/applications?$top=1`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(apps.status, 200);
  });
});
