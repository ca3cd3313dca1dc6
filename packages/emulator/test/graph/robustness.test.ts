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

test('no garbage path or query makes the Graph subset answer 500: each gets its exact Graph error', async () => {
  // [path, status, Graph error code (undefined for a success)]
  const paths: Array<[string, number, string | undefined]> = [
    ['/v1.0/users/%ZZ', 404, 'Request_ResourceNotFound'],
    ['/v1.0/users/%00', 404, 'Request_ResourceNotFound'],
    [`/v1.0/users/${'x'.repeat(3000)}`, 404, 'Request_ResourceNotFound'],
    ["/v1.0/users/'; DROP TABLE directory_objects; --", 404, 'Request_ResourceNotFound'],
    ['/v1.0/users/a@b@c', 404, 'Request_ResourceNotFound'],
    ['/v1.0/groups/%E2%82%AC', 400, 'Request_BadRequest'],
    ['/v1.0/groups/00000000-0000-4000-8000-000000000000/members', 404, 'Request_ResourceNotFound'],
    ['/v1.0/me/memberOf/microsoft.graph.user', 400, 'BadRequest'],
    ['/v1.0/users?$select=', 400, 'Request_BadRequest'],
    ['/v1.0/users?$select=,,,', 400, 'Request_BadRequest'],
    ['/v1.0/users?$select=displayName&$select=id', 200, undefined],
    [`/v1.0/users?$filter=${encodeURIComponent("'")}`, 400, 'Request_UnsupportedQuery'],
    [`/v1.0/users?$filter=${encodeURIComponent('startswith(displayName,')}`, 400, 'Request_UnsupportedQuery'],
    [`/v1.0/users?$filter=${encodeURIComponent("displayName eq ''")}`, 200, undefined],
    [`/v1.0/users?$filter=${encodeURIComponent('x'.repeat(5000))}`, 400, 'Request_UnsupportedQuery'],
    ['/v1.0/users?$filter=%FF', 400, 'Request_UnsupportedQuery'],
    ['/v1.0/users?$top=99999999999999999999', 400, 'Request_BadRequest'],
    ['/v1.0/users?$skiptoken=%2e%2e', 400, 'Request_BadRequest'],
    ['/v1.0/users?$skiptoken=MTAwMDAwMDAwMDAwMA.AAAA', 400, 'Request_BadRequest'],
    ['/v1.0/users?$orderby=displayName%20sideways', 400, 'Request_UnsupportedQuery'],
    ['/v1.0/users?$count=maybe', 400, 'Request_BadRequest'],
    ['/v1.0/me?$top=1', 400, 'Request_BadRequest'],
    ['/v1.0/me?$select=__proto__', 400, 'Request_BadRequest'],
    ['/v1.0/me?$select=constructor', 400, 'Request_BadRequest'],
    ['/v1.0/users?$filter=__proto__%20eq%20null', 400, 'Request_BadRequest'],
    ['/v1.0/', 400, 'BadRequest'],
    ['/v1.0', 400, 'BadRequest'],
    // The token has no openid scope: userinfo refuses it.
    ['/oidc/userinfo?$select=x', 403, 'Authorization_RequestDenied'],
  ];
  for (const [path, status, code] of paths) {
    const response = await env.get(path, token);
    assert.equal(response.status, status, `${path.slice(0, 80)} -> ${response.status}`);
    if (code === undefined) await response.arrayBuffer();
    else assert.equal((await graphError(response)).code, code, path.slice(0, 80));
  }
  const oversized = await env.post('/v1.0/me/getMemberObjects', token, 'x'.repeat(70_000));
  assert.equal(oversized.status, 413);
  // The body limit sits in front of every endpoint, so its answer is the token endpoint's shape.
  assert.match(((await oversized.json()) as { error_description: string }).error_description, /^AADSTS90023: /);
  const posts: Array<[string, string, number, string]> = [
    ['/v1.0/me/getMemberObjects', '[]', 400, 'Request_BadRequest'],
    ['/v1.0/users/nobody@nowhere/getMemberObjects', '{"securityEnabledOnly":true}', 404, 'Request_ResourceNotFound'],
  ];
  for (const [path, body, status, code] of posts) {
    const response = await env.post(path, token, body);
    assert.equal(response.status, status, path);
    assert.equal((await graphError(response)).code, code, path);
  }
});
