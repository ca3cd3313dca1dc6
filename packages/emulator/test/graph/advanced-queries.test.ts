import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphError, startGraphTestEnv, type GraphTestEnv } from './helpers/graph-test-env.ts';

type Page = { '@odata.context': string; '@odata.count'?: number; value: Array<Record<string, unknown>> };

let env: GraphTestEnv;
let token: string;
const EVENTUAL = { ConsistencyLevel: 'eventual' };
before(async () => {
  env = await startGraphTestEnv();
  token = await env.appToken({ roles: ['User.Read.All', 'GroupMember.Read.All', 'Application.ReadWrite.All'] });
});
after(async () => {
  await env.close();
});

async function expectError(path: string, headers: Record<string, string>, status: number, code: string, message: string): Promise<void> {
  const response = await env.get(path, token, headers);
  assert.equal(response.status, status, path);
  const error = await graphError(response);
  assert.equal(error.code, code, path);
  assert.equal(error.message, message, path);
}

describe('$count segments', () => {
  test('/users/$count is a plain-text number with ConsistencyLevel: eventual, 400 without', async () => {
    const response = await env.get('/v1.0/users/$count', token, EVENTUAL);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await response.text(), '5');
    await expectError('/v1.0/users/$count', {}, 400, 'Request_BadRequest', '$count is not currently supported.');
  });

  test('$count honours $filter; other collections and casts count too', async () => {
    const filtered = await env.get(`/v1.0/users/$count?$filter=${encodeURIComponent("startswith(displayName,'A')")}`, token, EVENTUAL);
    assert.equal(await filtered.text(), '2');
    const checks: Array<[string, string]> = [
      // The four nested demo groups and the overage user's 210.
      ['/v1.0/groups/$count', '214'],
      [`/v1.0/groups/${env.groupId('All Staff')}/transitiveMembers/$count`, '6'],
      [`/v1.0/groups/${env.groupId('All Staff')}/transitiveMembers/microsoft.graph.user/$count`, '3'],
      [`/v1.0/users/${env.userId('adele')}/transitiveMemberOf/$count`, '4'],
      [`/v1.0/users/${env.userId('adele')}/memberOf/graph.group/$count`, '1'],
      // Five app service principals and the demo's two managed identities (system- and user-assigned).
      ['/v1.0/servicePrincipals/$count', '7'],
      [`/v1.0/servicePrincipals/$count?$filter=${encodeURIComponent("servicePrincipalType eq 'ManagedIdentity'")}`, '2'],
      ['/beta/users/%24count', '5'],
    ];
    for (const [path, expected] of checks) {
      const response = await env.get(path, token, EVENTUAL);
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), expected, path);
    }
  });

  test('$count after a single entity is 400', async () => {
    await expectError(`/v1.0/users/${env.userId('adele')}/$count`, EVENTUAL, 400, 'BadRequest', "Resource not found for the segment '$count'.");
  });
});

describe('casts', () => {
  test('graph.group is the same cast as microsoft.graph.group', async () => {
    for (const cast of ['microsoft.graph.group', 'graph.group']) {
      const response = await env.get(`/v1.0/users/${env.userId('adele')}/transitiveMemberOf/${cast}?$select=displayName`, token);
      assert.equal(response.status, 200, cast);
      const page = (await response.json()) as Page;
      assert.equal(page['@odata.context'], `${env.emulator.url}/v1.0/$metadata#groups(displayName)`);
      assert.deepEqual(page.value.map((g) => g['displayName']).sort(), ['All Staff', 'Engineering', 'Identity Team', 'Platform']);
    }
    const members = await env.get(`/v1.0/groups/${env.groupId('Engineering')}/members/graph.user?$select=userPrincipalName`, token);
    assert.deepEqual(((await members.json()) as Page).value, [{ userPrincipalName: 'alex@entrakitdemo.onmicrosoft.com' }]);
  });
});

describe('advanced query parameters', () => {
  const ne = encodeURIComponent("displayName ne 'Alex Wilber'");
  const endsWith = encodeURIComponent("endswith(mail,'@entrakitdemo.onmicrosoft.com')");
  const not = encodeURIComponent("not(startswith(displayName,'A'))");

  test('without them: $count=true, ne, not, endsWith and $filter with $orderby are refused as Graph does', async () => {
    await expectError('/v1.0/users?$count=true', {}, 400, 'Request_BadRequest', '$count is not currently supported.');
    await expectError(`/v1.0/users?$filter=${ne}`, {}, 400, 'Request_UnsupportedQuery', "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.");
    await expectError(`/v1.0/users?$filter=${endsWith}`, {}, 400, 'Request_UnsupportedQuery', "Unsupported or invalid query filter clause specified for property 'mail' of resource 'User'.");
    await expectError(`/v1.0/users?$filter=${not}`, {}, 400, 'Request_UnsupportedQuery', "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.");
    // The header alone is not enough: $count=true is the other half.
    await expectError(`/v1.0/users?$filter=${ne}`, EVENTUAL, 400, 'Request_UnsupportedQuery', "Unsupported or invalid query filter clause specified for property 'displayName' of resource 'User'.");
    await expectError(`/v1.0/users?$filter=${encodeURIComponent("startswith(displayName,'A')")}&$orderby=displayName`, {}, 400, 'Request_UnsupportedQuery', 'Sorting not supported for current query.');
  });

  test('$orderby=jobTitle is not sortable, with or without them', async () => {
    await expectError('/v1.0/users?$orderby=jobTitle', {}, 400, 'Request_UnsupportedQuery', "Unsupported sort property 'jobTitle' for 'User'.");
    await expectError('/v1.0/users?$orderby=jobTitle&$count=true', EVENTUAL, 400, 'Request_UnsupportedQuery', "Unsupported sort property 'jobTitle' for 'User'.");
  });

  test('with ConsistencyLevel: eventual and $count=true they work', async () => {
    const get = async (query: string) => {
      const response = await env.get(`/v1.0/users?${query}&$count=true&$select=displayName`, token, EVENTUAL);
      assert.equal(response.status, 200, query);
      return (await response.json()) as Page;
    };
    const withoutAlex = await get(`$filter=${ne}`);
    assert.equal(withoutAlex['@odata.count'], 4);
    assert.deepEqual(withoutAlex.value.map((u) => u['displayName']), ['Adele Vance', 'Megan Bowen', 'Nestor Wilke', 'Demo Administrator']);
    assert.equal((await get(`$filter=${endsWith}`))['@odata.count'], 5);
    assert.deepEqual((await get(`$filter=${not}`)).value.map((u) => u['displayName']), ['Megan Bowen', 'Nestor Wilke', 'Demo Administrator']);
    const sorted = await get(`$filter=${encodeURIComponent("startswith(displayName,'A')")}&$orderby=displayName desc`);
    assert.deepEqual(sorted.value.map((u) => u['displayName']), ['Alex Wilber', 'Adele Vance']);
    assert.deepEqual((await get('$orderby=mail')).value.map((u) => u['displayName']), ['Adele Vance', 'Demo Administrator', 'Alex Wilber', 'Megan Bowen', 'Nestor Wilke']);
  });
});

describe('POST /v1.0/$batch', () => {
  test('mixed requests answer in one body; dependsOn runs in order; a failed dependency is 424', async () => {
    const response = await env.post('/v1.0/$batch', token, {
      requests: [
        { id: '1', method: 'GET', url: '/users?$select=userPrincipalName&$top=2' },
        { id: '2', method: 'POST', url: '/applications', headers: { 'Content-Type': 'application/json' }, body: { displayName: 'Batched app' } },
        { id: '3', method: 'GET', url: `/applications?$filter=displayName eq 'Batched app'&$select=displayName`, dependsOn: ['2'] },
        { id: '4', method: 'GET', url: 'users/00000000-0000-0000-0000-000000000001' },
        { id: '5', method: 'GET', url: '/users', dependsOn: ['4'] },
        { id: '6', method: 'GET', url: '/users/$count', headers: { ConsistencyLevel: 'eventual' } },
      ],
    });
    assert.equal(response.status, 200);
    const { responses } = (await response.json()) as { responses: Array<{ id: string; status: number; headers: Record<string, string>; body?: Record<string, unknown> | string }> };
    const byId = new Map(responses.map((r) => [r.id, r]));
    assert.deepEqual([...byId.keys()].sort(), ['1', '2', '3', '4', '5', '6']);
    assert.equal(byId.get('1')!.status, 200);
    assert.equal(byId.get('1')!.headers['Content-Type'], 'application/json');
    const first = byId.get('1')!.body as { value: unknown[]; '@odata.nextLink': string };
    assert.equal(first.value.length, 2);
    assert.ok(first['@odata.nextLink'].startsWith(`${env.emulator.url}/v1.0/users?`));
    assert.equal(byId.get('2')!.status, 201);
    assert.equal((byId.get('2')!.body as Record<string, unknown>)['displayName'], 'Batched app');
    assert.deepEqual((byId.get('3')!.body as { value: unknown[] }).value, [{ displayName: 'Batched app' }]);
    assert.equal(byId.get('4')!.status, 404);
    assert.equal((byId.get('4')!.body as { error: { code: string } }).error.code, 'Request_ResourceNotFound');
    assert.equal(byId.get('5')!.status, 424);
    assert.equal(byId.get('6')!.status, 200);
    assert.equal(byId.get('6')!.body, '5');
  });

  test('more than 20 requests, duplicate ids, absolute URLs and forward dependsOn are 400', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users' }));
    const bodies = [
      { requests: many },
      { requests: [{ id: 'a', method: 'GET', url: '/users' }, { id: 'a', method: 'GET', url: '/groups' }] },
      { requests: [{ id: 'a', method: 'GET', url: 'https://evil.example/users' }] },
      { requests: [{ id: 'a', method: 'GET', url: '/users', dependsOn: ['b'] }, { id: 'b', method: 'GET', url: '/groups' }] },
      { requests: [{ id: 'a', method: 'GET', url: '/$batch' }] },
      { requests: [{ id: 'a', method: 'POST', url: '/%24batch', headers: { 'Content-Type': 'application/json' }, body: {} }] },
      { requests: [null] },
      { requests: [{ id: 'a', method: 'GET', url: '/users', headers: { 'bad header': 'x' } }] },
      { requests: [{ id: 'a', method: 'GET', url: '/users', headers: { 'Content-Type': 'application/json' }, body: {} }] },
      { nothing: true },
    ];
    for (const body of bodies) {
      const response = await env.post('/v1.0/$batch', token, body);
      assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal((await graphError(response)).code, 'BadRequest');
    }
    const twenty = await env.post('/v1.0/$batch', token, { requests: many.slice(0, 20) });
    assert.equal(twenty.status, 200);
  });

  test('inner URLs stay in Graph: dot segments cannot reach discovery, JWKS or /_admin; each part runs as the batch caller, logged once', async () => {
    const tid = env.emulator.devJson.tenantId;
    const escapes = [
      `/../${tid}/v2.0/.well-known/openid-configuration`,
      `/%2e%2e/${tid}/discovery/v2.0/keys`,
      '/../_admin/requests',
      '/%2E%2E/%2e%2e/_admin/faults',
      '/../../common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    ];
    const requests = [
      ...escapes.map((url, i) => ({ id: `e${i}`, method: 'GET', url })),
      { id: 'own', method: 'GET', url: '/users?$top=1', headers: { authorization: 'Bearer not-a-token' } },
    ];
    const clientRequestId = 'batch-escape-1';
    const response = await fetch(`${env.emulator.url}/v1.0/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'client-request-id': clientRequestId },
      body: JSON.stringify({ requests }),
    });
    assert.equal(response.status, 200);
    const { responses } = (await response.json()) as { responses: Array<{ id: string; status: number; body?: { error?: { code: string; message: string } } }> };
    for (const [i, url] of escapes.entries()) {
      const part = responses.find((r) => r.id === `e${i}`);
      assert.equal(part?.status, 400, url);
      assert.equal(part?.body?.error?.code, 'BadRequest', url);
      assert.match(part?.body?.error?.message ?? '', /^Resource not found for the segment '/, url);
    }
    assert.equal(responses.find((r) => r.id === 'own')?.status, 200, "a part's own Authorization header is not checked: it runs as the batch caller");
    const logged = env.emulator.deps.requestLog.list({ clientRequestId });
    assert.deepEqual(logged.map((e) => `${e.method} ${e.path}`), ['POST /v1.0/$batch'], 'one log line for the batch, none per part');
  });

  test('each request is authorised on its own: without a token the batch is 401', async () => {
    const response = await env.post('/v1.0/$batch', undefined, { requests: [{ id: '1', method: 'GET', url: '/users' }] });
    assert.equal(response.status, 401);
  });
});

describe('revokeSignInSessions', () => {
  test('one\'s own sessions with the permission alone; another user\'s needs an administrator', async () => {
    const self = await env.delegatedToken({ alias: 'megan', scp: 'User.RevokeSessions.All' });
    const own = await env.post('/v1.0/me/revokeSignInSessions', self, {});
    assert.equal(own.status, 200);
    assert.deepEqual(await own.json(), { '@odata.context': `${env.emulator.url}/v1.0/$metadata#Edm.Boolean`, value: true });
    assert.equal(typeof env.emulator.deps.directory.revokedAt(env.userId('megan')), 'number');
    assert.equal(env.emulator.deps.directory.revokedAt(env.userId('alex')), undefined);

    const other = await env.post(`/v1.0/users/${env.userId('alex')}/revokeSignInSessions`, self, {});
    assert.equal(other.status, 403);
    assert.equal((await graphError(other)).code, 'Authorization_RequestDenied');
    const readOnly = await env.post('/v1.0/me/revokeSignInSessions', await env.delegatedToken({ alias: 'megan', scp: 'User.Read' }), {});
    assert.equal(readOnly.status, 403);
    const admin = await env.delegatedToken({ alias: 'admin', scp: 'User.RevokeSessions.All' });
    assert.equal((await env.post(`/v1.0/users/${env.userId('alex')}/revokeSignInSessions`, admin, {})).status, 200);
    assert.equal(typeof env.emulator.deps.directory.revokedAt(env.userId('alex')), 'number');
  });
});
