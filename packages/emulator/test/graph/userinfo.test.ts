import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { pairwiseSubject } from '../../src/tokens/identifiers.ts';
import { API_APP_ID, WEB_APP_ID } from '../../src/seed/demo-tenant.ts';
import { graphError, startGraphTestEnv, TENANT_ID, type GraphTestEnv } from './helpers/graph-test-env.ts';

let env: GraphTestEnv;
before(async () => {
  env = await startGraphTestEnv();
});
after(async () => {
  await env.close();
});

test('pairwiseSubject is base64url(SHA-256(tid|oid|clientId)): 43 characters, different per client', () => {
  const oid = env.userId('adele');
  const expected = createHash('sha256').update(`${TENANT_ID}|${oid}|${WEB_APP_ID}`).digest('base64url');
  assert.equal(pairwiseSubject(TENANT_ID, oid, WEB_APP_ID), expected);
  assert.equal(expected.length, 43);
  assert.notEqual(pairwiseSubject(TENANT_ID, oid, API_APP_ID), expected);
});

test('GET and POST /oidc/userinfo return the pairwise sub and the profile and email claims', async () => {
  const token = await env.delegatedToken({ scp: 'openid profile email User.Read' });
  for (const method of ['GET', 'POST']) {
    const response = await fetch(`${env.emulator.url}/oidc/userinfo`, { method, headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, method);
    assert.deepEqual(await response.json(), {
      sub: pairwiseSubject(TENANT_ID, env.userId('adele'), WEB_APP_ID),
      name: 'Adele Vance',
      family_name: 'Vance',
      given_name: 'Adele',
      email: 'adele@entrakitdemo.onmicrosoft.com',
    });
  }
});

test('userinfo claims follow the scopes: openid alone gives sub only', async () => {
  const response = await env.get('/oidc/userinfo', await env.delegatedToken({ scp: 'openid', clientId: API_APP_ID }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { sub: pairwiseSubject(TENANT_ID, env.userId('adele'), API_APP_ID) });
});

test('userinfo without openid in scp, or with an app-only token, is 403', async () => {
  for (const token of [await env.delegatedToken({ scp: 'User.Read profile email' }), await env.appToken({ roles: ['User.Read.All'] })]) {
    const response = await env.get('/oidc/userinfo', token);
    assert.equal(response.status, 403);
    assert.equal((await graphError(response)).code, 'Authorization_RequestDenied');
  }
});

test('userinfo without a valid Graph token is 401 with the challenge', async () => {
  const response = await env.get('/oidc/userinfo');
  assert.equal(response.status, 401);
  assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="", authorization_uri="https:\/\/localhost:\d+\/common\/oauth2\/authorize"/);
  assert.equal((await graphError(response)).code, 'InvalidAuthenticationToken');
  const expired = await env.get('/oidc/userinfo', await env.delegatedToken({ scp: 'openid', claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }));
  assert.equal(expired.status, 401);
});
