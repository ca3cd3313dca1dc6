/**
 * Unmodified @azure/identity credentials against the emulator: only `authorityHost` points at it,
 * and instance discovery is off (`disableInstanceDiscovery`), as for any non-public cloud.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AuthorizationCodeCredential, ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential, DeviceCodeCredential, OnBehalfOfCredential, type DeviceCodeInfo } from '@azure/identity';
import { stableGuid } from '../../src/directory/ids.ts';
import { CookieBrowser, completeOnVerificationPage, registerPublicClient } from '../device-code/device-helpers.ts';
import { createClientCertificate, registerTestApp } from '../grants/helpers.ts';
import { startInteropEnv, type InteropEnv } from './interop-env.ts';

const GRAPH = '00000003-0000-0000-c000-000000000000';
const ADELE_ID = stableGuid('user:adele');

describe('unmodified @azure/identity against the emulator', { timeout: 120_000 }, () => {
  let env: InteropEnv;
  let options: { authorityHost: string; disableInstanceDiscovery: true };

  before(async () => {
    env = await startInteropEnv();
    options = { authorityHost: env.emulator.url, disableInstanceDiscovery: true };
  });
  after(() => env.close());

  it('ClientSecretCredential: app-only tokens for Graph and for the demo API', async () => {
    const { web, api } = env.emulator.devJson.apps;
    const credential = new ClientSecretCredential(env.tenantId, web.clientId, web.clientSecret, options);

    const graph = await credential.getToken('https://graph.microsoft.com/.default');
    const graphClaims = await env.verifyGraph(graph.token, 'https://graph.microsoft.com');
    assert.equal(graphClaims['appid'], web.clientId);
    assert.equal(graphClaims['idtyp'], 'app');
    assert.deepEqual(graphClaims['roles'], ['Application.Read.All', 'Directory.Read.All', 'GroupMember.Read.All', 'User.Read.All']);
    assert.equal(graphClaims['scp'], undefined);

    // The token really works at the emulator's Graph.
    const users = await fetch(`${env.emulator.devJson.graphBaseUrl}/users?$select=id&$top=1`, { headers: { authorization: `Bearer ${graph.token}` } });
    assert.equal(users.status, 200);

    const apiToken = await credential.getToken(`api://${api.clientId}/.default`);
    const apiClaims = await env.verify(apiToken.token, { issuer: env.v2Issuer, audience: api.clientId });
    assert.equal(apiClaims['azp'], web.clientId);
    assert.deepEqual(apiClaims['roles'], ['Api.Admin']);
    assert.equal(apiClaims['idtyp'], 'app');
    // The client derives the expiry from expires_in and its own clock at receipt: exp, give or take
    // the second boundaries the request crossed.
    const drift = Math.abs(apiToken.expiresOnTimestamp - (apiClaims['exp'] as number) * 1000);
    assert.ok(drift <= 2000, `expiresOnTimestamp differs from exp by ${drift} ms`);
  });

  it('ClientCertificateCredential: a PEM with the certificate and its key (private_key_jwt)', async () => {
    const { der, privateKeyPem, keyCredential } = await createClientCertificate();
    const { app } = registerTestApp(env.emulator, { keyCredentials: [keyCredential] });
    const certificate = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const credential = new ClientCertificateCredential(env.tenantId, app.appId, { certificate: `${privateKeyPem}${certificate}` }, options);
    const token = await credential.getToken('https://storage.azure.com/.default');
    const claims = await env.verify(token.token, { issuer: env.v1Issuer, audience: 'https://storage.azure.com' });
    assert.equal(claims['appid'], app.appId);
    assert.equal(claims['appidacr'], '2', 'authenticated with a certificate');
    assert.equal(claims['idtyp'], 'app');
  });

  it('DefaultAzureCredential picks EnvironmentCredential from AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET', async () => {
    const { web } = env.emulator.devJson.apps;
    const saved = { ...process.env };
    Object.assign(process.env, { AZURE_TENANT_ID: env.tenantId, AZURE_CLIENT_ID: web.clientId, AZURE_CLIENT_SECRET: web.clientSecret });
    try {
      const token = await new DefaultAzureCredential(options).getToken('https://graph.microsoft.com/.default');
      const claims = await env.verifyGraph(token.token, 'https://graph.microsoft.com');
      assert.equal(claims['appid'], web.clientId);
      assert.equal(claims['appidacr'], '1', 'authenticated with the secret');
    } finally {
      for (const name of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET']) if (saved[name] === undefined) delete process.env[name];
    }
  });

  it('AuthorizationCodeCredential redeems a code issued without PKCE to the confidential web app, then OnBehalfOfCredential exchanges the user token at the API', async () => {
    const { web, api } = env.emulator.devJson.apps;
    env.emulator.deps.directory.consents.grant(env.tenantId, web.clientId, api.clientId, ADELE_ID, ['user_impersonation']);
    const state = randomUUID();
    const authorize = new URL(`${env.authority}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({ client_id: web.clientId, response_type: 'code', redirect_uri: web.redirectUri, scope: `${api.scope} openid profile offline_access`, state }).toString();
    const callback = await env.signIn(authorize, 'adele');
    assert.equal(`${callback.origin}${callback.pathname}`, web.redirectUri);
    assert.equal(callback.searchParams.get('state'), state);
    const code = callback.searchParams.get('code');
    assert.ok(code);

    const byCode = new AuthorizationCodeCredential(env.tenantId, web.clientId, web.clientSecret, code, web.redirectUri, options);
    const user = await byCode.getToken(api.scope);
    const userClaims = await env.verify(user.token, { issuer: env.v2Issuer, audience: api.clientId });
    assert.equal(userClaims['oid'], ADELE_ID);
    assert.equal(userClaims['scp'], 'user_impersonation');
    assert.equal(userClaims['azp'], web.clientId);
    assert.equal(userClaims['azpacr'], '1');

    // The API, given that token as a bearer, acts for Adele downstream (Storage, then Graph).
    const obo = new OnBehalfOfCredential({ tenantId: env.tenantId, clientId: api.clientId, clientSecret: api.clientSecret, userAssertionToken: user.token, ...options });
    const storage = await obo.getToken('https://storage.azure.com/user_impersonation');
    const storageClaims = await env.verify(storage.token, { issuer: env.v1Issuer, audience: 'https://storage.azure.com' });
    assert.equal(storageClaims['oid'], ADELE_ID);
    assert.equal(storageClaims['appid'], api.clientId);
    assert.equal(storageClaims['scp'], 'user_impersonation');
    const graph = await obo.getToken('https://graph.microsoft.com/User.Read');
    const graphClaims = await env.verifyGraph(graph.token, 'https://graph.microsoft.com');
    assert.equal(graphClaims['oid'], ADELE_ID);
    assert.equal(graphClaims['appid'], api.clientId);
    assert.equal(graphClaims['scp'], 'User.Read openid profile');
    const me = await fetch(`${env.emulator.devJson.graphBaseUrl}/me`, { headers: { authorization: `Bearer ${graph.token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { id: string }).id, ADELE_ID);
  });

  it('DeviceCodeCredential: the user completes the verification page, the credential polls until the tokens arrive', async () => {
    const clientId = registerPublicClient(env.emulator, 'azure-identity');
    env.emulator.deps.directory.consents.grant(env.tenantId, clientId, GRAPH, '', ['User.Read', 'openid', 'profile', 'offline_access']);
    let shown: DeviceCodeInfo | undefined;
    let completed: Promise<unknown> | undefined;
    const credential = new DeviceCodeCredential({
      tenantId: env.tenantId,
      clientId,
      ...options,
      userPromptCallback: (info) => {
        shown = info;
        completed = completeOnVerificationPage(new CookieBrowser(env.emulator.url), info.verificationUri, info.userCode, env.user('alex'));
      },
    });
    const token = await credential.getToken('https://graph.microsoft.com/User.Read');
    await completed;
    assert.ok(shown);
    assert.equal(shown.verificationUri, `${env.emulator.url}/common/oauth2/deviceauth`);
    assert.match(shown.message, new RegExp(`enter the code ${shown.userCode} to authenticate\\.$`));
    const claims = await env.verifyGraph(token.token, 'https://graph.microsoft.com');
    assert.equal(claims['oid'], stableGuid('user:alex'));
    assert.equal(claims['appid'], clientId);
    assert.equal(claims['appidacr'], '0');
    assert.equal(claims['scp'], 'User.Read openid profile');
  });
});
