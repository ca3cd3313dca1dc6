import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApi } from '../../api/server.ts';
import type { RunningApi } from '../../api/server.ts';
import { newApplication } from '../../../packages/emulator/src/directory/new-application.ts';
import { addClientSecret, registerApplication } from '@entrakit/emulator';
import { stableGuid } from '../../../packages/emulator/src/directory/ids.ts';
import { GRAPH_APP_ROLES } from '../../../packages/emulator/src/protocol/microsoft-resources.ts';
import { ensureLocalTls } from '../../../packages/emulator/src/tls/local-ca.ts';
import { azuriteBlobScript, startStorage } from '../../storage/index.ts';
import type { RunningStorage } from '../../storage/index.ts';
import { startApiTestEnv } from './helpers/api-test-env.ts';
import type { ApiTestEnv, DemoAlias } from './helpers/api-test-env.ts';
import { signInWithMsal, webAppMsal } from './helpers/msal-sign-in.ts';

const NO_AZURITE = azuriteBlobScript() === undefined ? 'Azurite is not installed: run npm install' : false;
const REALM = 'entrakit-api';

describe('API end to end: MSAL sign-in on the emulator, On-Behalf-Of, Azurite', () => {
  let env: ApiTestEnv;
  let api: RunningApi;
  let storage: RunningStorage | undefined;
  let apiScope: string;
  const get = (path: string, token?: string) => fetch(`${api.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const userToken = async (alias: DemoAlias) => (await signInWithMsal(env, alias, [apiScope])).accessToken;

  before(async () => {
    env = await startApiTestEnv();
    const { directory } = env.emulator.deps;
    apiScope = env.emulator.devJson.apps.api.scope;
    // Each user consents web -> API, as the consent page would record it.
    for (const alias of ['adele', 'alex', 'megan'] as const) {
      directory.consents.grant(env.tenantId, env.webClientId, env.apiClientId, env.oid(alias), ['user_impersonation']);
    }
    // The API reads /users with its own app-only Graph token: User.Read.All, admin-consented.
    const apiSp = stableGuid(`${env.tenantId}:sp:${env.apiClientId}`);
    const userReadAll = GRAPH_APP_ROLES.find((role) => role.value === 'User.Read.All');
    directory.roleAssignments.assign(randomUUID(), env.tenantId, apiSp, stableGuid(`${env.tenantId}:sp:graph`), userReadAll?.id ?? '');
    if (!NO_AZURITE) {
      storage = await startStorage({
        dataDir: env.dataDir,
        tls: await ensureLocalTls(env.dataDir),
        // megan has no story: her request is a 404.
        users: (['adele', 'alex'] as const).map((alias) => ({ oid: env.oid(alias), displayName: env.user(alias).displayName })),
        port: 0,
      });
    }
    api = await startApi({ env: {}, dataDir: env.dataDir, port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await api?.close();
    await storage?.close();
    await env?.stop();
  });

  it('records the API and storage URLs in dev.json', async () => {
    const devJson = JSON.parse(await readFile(join(env.dataDir, 'dev.json'), 'utf8')) as { api?: { url: string }; storage?: { blobUrl: string } };
    assert.equal(devJson.api?.url, api.url);
    assert.match(api.url, /^http:\/\/localhost:\d+$/);
    if (storage) assert.equal(devJson.storage?.blobUrl, storage.blobUrl);
  });

  it('answers /health without a token', async () => {
    const res = await get('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('returns the signed-in user for a real MSAL token', async () => {
    const result = await signInWithMsal(env, 'adele', [apiScope]);
    const res = await get('/api/me', result.accessToken);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      kind: 'user',
      user: { oid: env.oid('adele'), name: 'Adele Vance', username: env.user('adele').username },
      tenant: env.tenantId,
      scopes: ['user_impersonation'],
      roles: ['Api.Admin'],
      app: { clientId: env.webClientId },
      tokenVersion: '2.0',
    });

    const idToken = await get('/api/me', result.idToken);
    assert.equal(idToken.status, 401);
    assert.equal(idToken.headers.get('www-authenticate'), `Bearer realm="${REALM}", error="invalid_token", error_description="Token is an ID token (it has a nonce); send an access token"`);
  });

  it('refuses a real Graph token', async () => {
    const graph = await signInWithMsal(env, 'alex', ['User.Read']);
    const res = await get('/api/me', graph.accessToken);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${REALM}", error="invalid_token", error_description="Token is a Microsoft Graph token, not a token for this API"`);
  });

  it('treats a real app-only token by its roles: admin route yes, delegated route 403', async () => {
    const app = await webAppMsal(env).acquireTokenByClientCredential({ scopes: [`api://${env.apiClientId}/.default`] });
    assert.ok(app?.accessToken);
    const story = await get('/api/story', app.accessToken);
    assert.equal(story.status, 403);
    assert.match(story.headers.get('www-authenticate') ?? '', /^Bearer realm="entrakit-api", error="insufficient_scope", /);
    const me = await get('/api/me', app.accessToken);
    assert.equal(me.status, 200);
    const meBody = (await me.json()) as { kind: string; roles: string[]; user: unknown };
    assert.deepEqual([meBody.kind, meBody.roles, meBody.user], ['app', ['Api.Admin'], null]);

    const users = await get('/api/admin/users', app.accessToken);
    assert.equal(users.status, 200);
    const body = (await users.json()) as { caller: { kind: string }; users: Array<{ userPrincipalName: string }>; more: boolean };
    assert.equal(body.caller.kind, 'app');
    const everyone = [...env.emulator.devJson.users.map((u) => u.username), env.emulator.devJson.admin!.username];
    assert.deepEqual(body.users.map((u) => u.userPrincipalName).sort(), everyone.sort());
  });

  it('lets a user with the Api.Admin role list users, and refuses one without it', async () => {
    assert.equal((await get('/api/admin/users', await userToken('adele'))).status, 200);
    const alex = await get('/api/admin/users', await userToken('alex'));
    assert.equal(alex.status, 403);
    assert.match(alex.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  it("returns each user's own story, never another's", { skip: NO_AZURITE }, async () => {
    for (const alias of ['adele', 'alex'] as const) {
      const token = await userToken(alias);
      for (let i = 0; i < 2; i += 1) {
        const res = await get('/api/story', token);
        assert.equal(res.status, 200, alias);
        const body = (await res.json()) as { oid: string; story: string };
        assert.equal(body.oid, env.oid(alias));
        assert.match(body.story, new RegExp(`^# ${env.user(alias).displayName}'s story`));
        assert.ok(body.story.includes(`stories/${env.oid(alias)}.md`));
        const other = alias === 'adele' ? 'alex' : 'adele';
        assert.ok(!body.story.includes(env.oid(other)) && !body.story.includes(env.user(other).displayName));
      }
    }
  });

  it('reuses the On-Behalf-Of token for the same assertion (the token endpoint is not called again)', { skip: NO_AZURITE }, async () => {
    const token = await userToken('adele');
    assert.equal((await get('/api/story', token)).status, 200);
    env.emulator.deps.faults.add({ pathPrefix: `/${env.tenantId}/oauth2/v2.0/token`, status: 503 });
    try {
      assert.equal((await get('/api/story', token)).status, 200);
      const fresh = await get('/api/story', await env.sign(env.userClaims('adele')));
      assert.equal(fresh.status, 502);
      assert.equal(((await fresh.json()) as { error: string }).error, 'identity_provider_unavailable');
    } finally {
      env.emulator.deps.faults.clear();
    }
  });

  it('answers 404 when the user has no story', { skip: NO_AZURITE }, async () => {
    const res = await get('/api/story', await userToken('megan'));
    assert.equal(res.status, 404);
    const { error, error_description, trace } = (await res.json()) as { error: string; error_description: string; trace: { steps: Array<{ title: string }> } };
    assert.deepEqual({ error, error_description }, { error: 'story_not_found', error_description: 'There is no story for this user yet' });
    // The API's part of the trace comes with the 404 too: the blob read found nothing.
    assert.equal(trace.steps.at(-1)?.title, '404 no story');
  });

  it('answers 403 consent_required when the API lacks consent for Storage (AADSTS65001)', async () => {
    const { directory } = env.emulator.deps;
    const appId = randomUUID();
    const scope = { id: randomUUID(), value: 'user_impersonation', type: 'User' as const, adminConsentDisplayName: 'x', adminConsentDescription: 'x', isEnabled: true };
    const registration = newApplication({
      appId, displayName: 'api without storage consent', identifierUris: [`api://${appId}`],
      api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [scope] },
    });
    registerApplication(directory, env.tenantId, registration);
    const secret = addClientSecret(directory, registration, 'test', Date.now());
    directory.consents.grant(env.tenantId, env.webClientId, appId, env.oid('adele'), ['user_impersonation']);
    const other = await startApi({ env: { API_CLIENT_ID: appId, API_CLIENT_SECRET: secret }, dataDir: env.dataDir, port: 0 });
    try {
      const token = (await signInWithMsal(env, 'adele', [`api://${appId}/user_impersonation`])).accessToken;
      const res = await fetch(`${other.url}/api/story`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 403);
      const body = (await res.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'consent_required');
      assert.match(body.error_description, /\(invalid_grant: AADSTS65001: The user or administrator has not consented/);
      assert.match(res.headers.get('www-authenticate') ?? '', new RegExp(`^Bearer realm="${REALM}", authorization_uri="${env.emulator.devJson.authority}/oauth2/v2.0/authorize", error="consent_required", error_description="`));
    } finally {
      await other.close();
    }
  });

  it('answers 502 storage_unavailable naming the cause when Azurite is down', { skip: NO_AZURITE }, async () => {
    const token = await userToken('alex');
    assert.ok(storage);
    const origin = new URL(storage.blobUrl).origin;
    await storage.close();
    storage = undefined;
    const res = await get('/api/story', token);
    assert.equal(res.status, 502);
    assert.deepEqual(await res.json(), { error: 'storage_unavailable', error_description: `Blob storage at ${origin} could not be reached (ECONNREFUSED)` });
  });
});
