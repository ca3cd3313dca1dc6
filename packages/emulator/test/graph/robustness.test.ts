import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { graphError, startGraphTestEnv, type GraphTestEnv } from './helpers/graph-test-env.ts';

let env: GraphTestEnv;
let token: string;
before(async () => {
  env = await startGraphTestEnv();
  token = await env.delegatedToken({ scp: 'User.Read User.Read.All GroupMember.Read.All' });
});
after(async () => {
  await env.close();
});

test('unknown segments are 400 BadRequest, as Graph answers', async () => {
  const response = await env.get('/v1.0/me/photo', token);
  assert.equal(response.status, 400);
  const error = await graphError(response);
  assert.equal(error.code, 'BadRequest');
  assert.equal(error.message, "Resource not found for the segment 'photo'.");
});

test('unauthenticated garbage paths are 401 before anything else', async () => {
  const response = await env.get('/v1.0/does/not/exist');
  assert.equal(response.status, 401);
  assert.equal((await graphError(response)).code, 'InvalidAuthenticationToken');
});

test('unsupported methods are 405; unsupported query options 400 Request_UnsupportedQuery', async () => {
  const patch = await fetch(`${env.emulator.url}/v1.0/me`, { method: 'PATCH', headers: { authorization: `Bearer ${token}` }, body: '{}' });
  assert.equal(patch.status, 405);
  assert.equal((await graphError(patch)).code, 'Request_BadRequest');
  const expand = await env.get('/v1.0/users?$expand=memberOf', token);
  assert.equal(expand.status, 400);
  assert.equal((await graphError(expand)).code, 'Request_UnsupportedQuery');
});

test('no garbage path or query makes the Graph subset answer 500', async () => {
  const paths = [
    '/v1.0/users/%ZZ',
    '/v1.0/users/%00',
    `/v1.0/users/${'x'.repeat(3000)}`,
    "/v1.0/users/'; DROP TABLE directory_objects; --",
    '/v1.0/users/a@b@c',
    '/v1.0/groups/%E2%82%AC',
    '/v1.0/groups/00000000-0000-4000-8000-000000000000/members',
    '/v1.0/me/memberOf/microsoft.graph.user',
    '/v1.0/users?$select=',
    '/v1.0/users?$select=,,,',
    '/v1.0/users?$select=displayName&$select=id',
    `/v1.0/users?$filter=${encodeURIComponent("'")}`,
    `/v1.0/users?$filter=${encodeURIComponent("startswith(displayName,")}`,
    `/v1.0/users?$filter=${encodeURIComponent("displayName eq ''''''''")}`,
    `/v1.0/users?$filter=${encodeURIComponent("x".repeat(5000))}`,
    '/v1.0/users?$filter=%FF',
    '/v1.0/users?$top=99999999999999999999',
    '/v1.0/users?$skiptoken=%2e%2e',
    '/v1.0/users?$skiptoken=MTAwMDAwMDAwMDAwMA.AAAA',
    '/v1.0/users?$orderby=displayName%20sideways',
    '/v1.0/users?$count=maybe',
    '/v1.0/me?$top=1',
    '/v1.0/me?$select=__proto__',
    '/v1.0/me?$select=constructor',
    '/v1.0/users?$filter=__proto__%20eq%20null',
    '/v1.0/',
    '/v1.0',
    '/oidc/userinfo?$select=x',
  ];
  for (const path of paths) {
    const response = await env.get(path, token);
    assert.ok(response.status >= 200 && response.status < 500, `${path} -> ${response.status}`);
    if (response.status >= 400 && path.startsWith('/v1.0/')) await graphError(response);
    else await response.arrayBuffer();
  }
  const posts: Array<[string, string]> = [
    ['/v1.0/me/getMemberObjects', 'x'.repeat(70_000)],
    ['/v1.0/me/getMemberObjects', '[]'],
    ['/v1.0/users/nobody@nowhere/getMemberObjects', '{"securityEnabledOnly":true}'],
  ];
  for (const [path, body] of posts) {
    const response = await env.post(path, token, body);
    assert.ok(response.status >= 400 && response.status < 500, `${path} -> ${response.status}`);
    await response.arrayBuffer();
  }
});
