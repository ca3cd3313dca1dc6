import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphError, startGraphTestEnv, type GraphTestEnv } from './helpers/graph-test-env.ts';

type Page = { '@odata.context': string; '@odata.nextLink'?: string; '@odata.count'?: number; value: Array<Record<string, unknown>> };

let env: GraphTestEnv;
let appToken: string;
before(async () => {
  env = await startGraphTestEnv();
  appToken = await env.appToken({ roles: ['User.Read.All', 'GroupMember.Read.All'] });
});
after(async () => {
  await env.close();
});

const UPNS = ['adele@entrakitdemo.onmicrosoft.com', 'alex@entrakitdemo.onmicrosoft.com', 'megan@entrakitdemo.onmicrosoft.com', 'nestor@entrakitdemo.onmicrosoft.com', 'admin@entrakitdemo.onmicrosoft.com'];

describe('GET /v1.0/users', () => {
  test('an app token with User.Read.All lists every user', async () => {
    const response = await env.get('/v1.0/users', appToken);
    assert.equal(response.status, 200);
    const page = (await response.json()) as Page;
    assert.equal(page['@odata.context'], `${env.emulator.url}/v1.0/$metadata#users`);
    assert.equal(page['@odata.nextLink'], undefined);
    assert.deepEqual(page.value.map((u) => u['userPrincipalName']), UPNS);
    assert.ok(page.value.every((u) => !('@odata.type' in u)));
  });

  test('an app token without User.Read.All is 403 Authorization_RequestDenied', async () => {
    const response = await env.get('/v1.0/users', await env.appToken({ roles: ['GroupMember.Read.All'] }));
    assert.equal(response.status, 403);
    const error = await graphError(response);
    assert.equal(error.code, 'Authorization_RequestDenied');
    assert.equal(error.message, 'Insufficient privileges to complete the operation.');
  });

  test('a delegated token with only User.Read is 403', async () => {
    const response = await env.get('/v1.0/users', await env.delegatedToken({ scp: 'User.Read' }));
    assert.equal(response.status, 403);
    assert.equal((await graphError(response)).code, 'Authorization_RequestDenied');
  });

  test('User.ReadBasic.All sees basic properties of others, everything of the signed-in user', async () => {
    const response = await env.get('/v1.0/users?$select=userPrincipalName,jobTitle', await env.delegatedToken({ scp: 'User.Read User.ReadBasic.All' }));
    assert.equal(response.status, 200);
    const page = (await response.json()) as Page;
    assert.deepEqual(page.value, [
      { userPrincipalName: UPNS[0], jobTitle: 'Identity Engineer' },
      { userPrincipalName: UPNS[1], jobTitle: null },
      { userPrincipalName: UPNS[2], jobTitle: null },
      { userPrincipalName: UPNS[3], jobTitle: null },
      { userPrincipalName: UPNS[4], jobTitle: null },
    ]);
  });

  test('$top pages with an absolute nextLink; the last page has none', async () => {
    const first = (await (await env.get('/v1.0/users?$top=2&$select=userPrincipalName', appToken)).json()) as Page;
    // Five demo users: two full pages and a last one.
    assert.deepEqual(first.value.map((u) => u['userPrincipalName']), UPNS.slice(0, 2));
    const next = first['@odata.nextLink'];
    assert.ok(next?.startsWith(`${env.emulator.url}/v1.0/users?$select=userPrincipalName&$top=2&$skiptoken=`), next);

    const secondResponse = await fetch(next!, { headers: { authorization: `Bearer ${appToken}` } });
    assert.equal(secondResponse.status, 200);
    const second = (await secondResponse.json()) as Page;
    assert.deepEqual(second.value, [{ userPrincipalName: UPNS[2] }, { userPrincipalName: UPNS[3] }]);
    const third = (await (await fetch(second['@odata.nextLink']!, { headers: { authorization: `Bearer ${appToken}` } })).json()) as Page;
    assert.deepEqual(third.value, [{ userPrincipalName: UPNS[4] }]);
    assert.equal(third['@odata.nextLink'], undefined);
  });

  test('a tampered or foreign $skiptoken is 400', async () => {
    const first = (await (await env.get('/v1.0/users?$top=1', appToken)).json()) as Page;
    const next = new URL(first['@odata.nextLink']!);
    const token = next.searchParams.get('$skiptoken')!;
    const [offset, mac] = token.split('.') as [string, string];
    const forged = `${Buffer.from('0').toString('base64url')}.${mac}`;
    assert.notEqual(forged, token);
    for (const bad of [forged, `${offset}.${mac.slice(0, -2)}AA`, 'garbage', '']) {
      const response = await env.get(`/v1.0/users?$top=1&$skiptoken=${encodeURIComponent(bad)}`, appToken);
      assert.equal(response.status, 400, bad);
      assert.equal((await graphError(response)).code, 'Request_BadRequest');
    }
    // Valid for /users, but not for another collection.
    const elsewhere = await env.get(`/v1.0/groups?$top=1&$skiptoken=${encodeURIComponent(token)}`, appToken);
    assert.equal(elsewhere.status, 400);
  });

  test("$filter userPrincipalName eq '...' returns exactly that user", async () => {
    const response = await env.get(`/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'ALEX@entrakitdemo.onmicrosoft.com'")}`, appToken);
    assert.equal(response.status, 200);
    const page = (await response.json()) as Page;
    assert.equal(page.value.length, 1);
    assert.equal(page.value[0]?.['id'], env.userId('alex'));
  });

  test('$filter startswith and "and"; $count (with ConsistencyLevel: eventual) and $orderby', async () => {
    const filter = encodeURIComponent("startswith(displayName,'m') and accountEnabled eq true");
    const page = (await (await env.get(`/v1.0/users?$filter=${filter}&$select=displayName`, appToken)).json()) as Page;
    assert.deepEqual(page.value, [{ displayName: 'Megan Bowen' }]);
    const ordered = (await (await env.get('/v1.0/users?$orderby=displayName desc&$count=true&$select=displayName', appToken, { ConsistencyLevel: 'eventual' })).json()) as Page;
    assert.equal(ordered['@odata.count'], 5);
    assert.deepEqual(ordered.value.map((u) => u['displayName']), ['Nestor Wilke', 'Megan Bowen', 'Demo Administrator', 'Alex Wilber', 'Adele Vance']);
  });

  test('unsupported $filter is 400 Request_UnsupportedQuery; unknown property 400 Request_BadRequest', async () => {
    for (const filter of ["displayName gt 'A'", "displayName eq 'a' or id eq 'b'", "contains(displayName,'a')", "displayName eq 'unterminated", '(((']) {
      const response = await env.get(`/v1.0/users?$filter=${encodeURIComponent(filter)}`, appToken);
      assert.equal(response.status, 400, filter);
      assert.equal((await graphError(response)).code, 'Request_UnsupportedQuery', filter);
    }
    const response = await env.get(`/v1.0/users?$filter=${encodeURIComponent("shoeSize eq '9'")}`, appToken);
    assert.equal(response.status, 400);
    assert.equal((await graphError(response)).message, "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
  });

  test('$select=displayName,id returns only those keys', async () => {
    const page = (await (await env.get('/v1.0/users?$select=displayName,id', appToken)).json()) as Page;
    assert.equal(page['@odata.context'], `${env.emulator.url}/v1.0/$metadata#users(displayName,id)`);
    for (const user of page.value) assert.deepEqual(Object.keys(user), ['displayName', 'id']);
  });

  test('$top outside 1..999 is 400', async () => {
    for (const top of ['0', '1000', '-1', 'abc', '1e2']) {
      const response = await env.get(`/v1.0/users?$top=${top}`, appToken);
      assert.equal(response.status, 400, top);
      assert.equal((await graphError(response)).code, 'Request_BadRequest');
    }
  });
});

describe('GET /v1.0/users/{id | userPrincipalName}', () => {
  test('by id and by UPN, with the $entity context', async () => {
    for (const key of [env.userId('megan'), 'Megan@entrakitdemo.onmicrosoft.com']) {
      const response = await env.get(`/v1.0/users/${encodeURIComponent(key)}?$select=id,displayName`, appToken);
      assert.equal(response.status, 200, key);
      assert.deepEqual(await response.json(), {
        '@odata.context': `${env.emulator.url}/v1.0/$metadata#users(id,displayName)/$entity`,
        id: env.userId('megan'),
        displayName: 'Megan Bowen',
      });
    }
  });

  test('an unknown user is 404 Request_ResourceNotFound', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const response = await env.get(`/v1.0/users/${id}`, appToken);
    assert.equal(response.status, 404);
    const error = await graphError(response);
    assert.equal(error.code, 'Request_ResourceNotFound');
    assert.equal(error.message, `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  });

  test('User.Read reaches the signed-in user by id, but nobody else', async () => {
    const token = await env.delegatedToken({ scp: 'User.Read' });
    assert.equal((await env.get(`/v1.0/users/${env.userId('adele')}`, token)).status, 200);
    const other = await env.get(`/v1.0/users/${env.userId('alex')}`, token);
    assert.equal(other.status, 403);
    assert.equal((await graphError(other)).code, 'Authorization_RequestDenied');
  });

  test('users never expose credentials', async () => {
    const body = await (await env.get(`/v1.0/users/${env.userId('adele')}?$select=id,displayName,accountEnabled,userType`, appToken)).text();
    assert.doesNotMatch(body, /password|verifier|secret|hash/i);
  });
});
