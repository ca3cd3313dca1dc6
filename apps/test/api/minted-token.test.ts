/**
 * The emulator's test controls against the reference API: a token from `POST /_admin/tokens`
 * (signed with the tenant's key, claims of a real sign-in) is accepted by the API as it is, and
 * refused once its overrides make it wrong. No browser and no sign-in involved.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiApp } from '../../api/app.ts';
import { loadApiConfig } from '../../api/config.ts';
import { createApiDeps } from '../../api/deps.ts';
import { startApiTestEnv, type ApiTestEnv } from './helpers/api-test-env.ts';

describe('the reference API accepts tokens minted by the emulator\'s test controls', () => {
  let env: ApiTestEnv;
  let api: ReturnType<typeof createApiApp>;
  const call = (token: string, path = '/api/me') => api.request(path, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    env = await startApiTestEnv();
    api = createApiApp(await createApiDeps(await loadApiConfig({ env: {}, dataDir: env.dataDir })));
  });
  after(async () => {
    await env.stop();
  });

  it('a delegated token from POST /_admin/tokens (over HTTP, admin key) calls /api/me as the user', async () => {
    const response = await fetch(`${env.emulator.url}/_admin/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-entrakit-admin': env.emulator.deps.adminKey },
      body: JSON.stringify({ kind: 'access', clientId: env.webClientId, resource: `api://${env.apiClientId}`, user: env.user('alex').username, scopes: ['user_impersonation'] }),
    });
    assert.equal(response.status, 200);
    const { token } = (await response.json()) as { token: string };
    const me = await call(token);
    assert.equal(me.status, 200);
    const body = (await me.json()) as Record<string, unknown>;
    assert.equal(JSON.stringify(body).includes(env.oid('alex')), true);
  });

  it('an app-only token with the API\'s app role (in-process admin.mintToken) is accepted', async () => {
    const token = await env.emulator.admin.mintToken({ kind: 'access', clientId: env.webClientId, resource: env.apiClientId, roles: ['Api.Admin'] });
    assert.equal((await call(token)).status, 200);
    // A role the API does not define is refused at minting, naming it.
    await assert.rejects(env.emulator.admin.mintToken({ kind: 'access', clientId: env.webClientId, resource: env.apiClientId, roles: ['Api.Everything'] }), /exposes no application permission "Api.Everything"/);
  });

  it('overrides that make the token wrong are refused by the API: another audience, an expired exp', async () => {
    const base = { kind: 'access' as const, clientId: env.webClientId, resource: `api://${env.apiClientId}`, user: env.user('adele').username, scopes: ['user_impersonation'] };
    assert.equal((await call(await env.emulator.admin.mintToken({ ...base, claims: { aud: env.webClientId } }))).status, 401);
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await call(await env.emulator.admin.mintToken({ ...base, claims: { iat: now - 7200, nbf: now - 7200, exp: now - 3600 } }))).status, 401);
    // alex holds no API role: without the scope the route refuses him (403), as for a real token.
    assert.equal((await call(await env.emulator.admin.mintToken({ ...base, user: env.user('alex').username, scopes: [] }))).status, 403);
  });
});
