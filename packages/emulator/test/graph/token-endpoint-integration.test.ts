import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startGraphTestEnv, TENANT_ID, type GraphTestEnv } from './helpers/graph-test-env.ts';

let env: GraphTestEnv;
before(async () => {
  env = await startGraphTestEnv();
});
after(async () => {
  await env.close();
});

test('a client-credentials token from the token endpoint reads /v1.0/users and nested groups', async () => {
  const { web } = env.emulator.devJson.apps;
  const tokenResponse = await fetch(`${env.emulator.url}/${TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: web.clientId, client_secret: web.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  assert.equal(tokenResponse.status, 200);
  const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
  assert.equal(typeof decodeProtectedHeader(accessToken)['nonce'], 'string');
  assert.deepEqual((decodeJwt(accessToken)['roles'] as string[]).sort(), ['Application.Read.All', 'Directory.Read.All', 'GroupMember.Read.All', 'User.Read.All']);

  const users = await env.get('/v1.0/users?$select=userPrincipalName', accessToken);
  assert.equal(users.status, 200);
  const page = (await users.json()) as { value: Array<{ userPrincipalName: string }> };
  assert.deepEqual(page.value.map((u) => u.userPrincipalName), ['adele@entrakitdemo.onmicrosoft.com', 'alex@entrakitdemo.onmicrosoft.com', 'megan@entrakitdemo.onmicrosoft.com', 'nestor@entrakitdemo.onmicrosoft.com', 'admin@entrakitdemo.onmicrosoft.com']);

  const groups = await env.get(`/v1.0/users/${env.userId('adele')}/transitiveMemberOf?$select=displayName`, accessToken);
  assert.equal(groups.status, 200);
  const names = ((await groups.json()) as { value: Array<{ displayName: string }> }).value.map((g) => g.displayName).sort();
  assert.deepEqual(names, ['All Staff', 'Engineering', 'Identity Team', 'Platform']);
});
